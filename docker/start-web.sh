#!/bin/sh
# Web: apply migrations (one container at a time, guarded by PostgreSQL's own lock), then gunicorn.
set -eu
DATABASE_STATEMENT_TIMEOUT=0 DATABASE_LOCK_TIMEOUT=0 python manage.py migrate --noinput  # no limit for migrations
# a request hands messages to Redis at most this long when Redis hangs (then the breaker skips it)
export BROKER_SOCKET_TIMEOUT="${BROKER_SOCKET_TIMEOUT:-1}"
exec gunicorn config.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${GUNICORN_WORKERS:-3}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
