#!/bin/sh
# Celery worker: late acknowledgement, so a killed worker's task is delivered again.
set -eu
# a sweep or an export may run longer than a web request; the limits still bound a hung database
export DATABASE_STATEMENT_TIMEOUT="${DATABASE_STATEMENT_TIMEOUT:-120000}"
# CELERY_QUEUES: "celery,email" (both, the default), or one of them on nodes of their own
exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" --concurrency "${CELERY_CONCURRENCY:-2}" \
  --queues "${CELERY_QUEUES:-celery,email}"
