"""Texts the admin shows from Django and the apps we use that their own catalogues leave in English
for a Persian reader. They are listed here so that `make messages` extracts them; our catalogue is
consulted first, so its Persian is what the admin shows."""

from django.utils.translation import gettext_noop

TEXTS = [
    gettext_noop("Model name"),
    gettext_noop("Workflow"),
    gettext_noop("Process"),
    gettext_noop("Process list"),
    gettext_noop("Task"),
    gettext_noop("Tasks"),
    gettext_noop("Previous"),
    gettext_noop("Owner"),
    gettext_noop("Permission"),
    gettext_noop("External Task ID"),
]
