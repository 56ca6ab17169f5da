"""Settings of the benchmarks: the test settings, plus the bench app that holds the bare viewflow
flow the decision rate is compared with (it lives here so the product never carries it)."""

from config.settings.test import *  # noqa: F403
from config.settings.test import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
AXES_ENABLED = False  # gunicorn runs log in thousands of users; lock-outs are not what is measured
