#!/bin/sh
# Celery worker: late acknowledgement, so a killed worker's task is delivered again.
set -eu
exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" --concurrency "${CELERY_CONCURRENCY:-2}"
