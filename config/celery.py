"""The Celery app: one for the worker and beat; tasks are found in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

from config.startup import guard_database_login

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("baznegar")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _guard_database_login(**kwargs):
    guard_database_login()


@beat_init.connect
def _only_one_beat(**kwargs):
    from django.conf import settings

    from core.beat_lock import beat_lock_take

    beat_lock_take(settings.CELERY_BROKER_URL)
