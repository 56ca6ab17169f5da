#!/bin/sh
# Celery beat: exactly one per deployment; it only enqueues the periodic sweeps.
set -eu
exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-INFO}" --schedule /var/lib/baznegar/celerybeat-schedule
