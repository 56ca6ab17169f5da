#!/bin/sh
# Web: apply migrations as the owner (one container at a time, guarded by PostgreSQL's own lock) and
# grant the application's login its rights; then gunicorn, on the application's login only.
set -eu
# no time limit for migrations; `setup_database` is `migrate --noinput` as DATABASE_OWNER_URL, then the grants
DATABASE_STATEMENT_TIMEOUT=0 DATABASE_LOCK_TIMEOUT=0 python manage.py setup_database
unset DATABASE_OWNER_URL  # the server never holds the owner's credentials
# a request hands messages to Redis at most this long when Redis hangs (then the breaker skips it)
export BROKER_SOCKET_TIMEOUT="${BROKER_SOCKET_TIMEOUT:-1}"
exec gunicorn config.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${GUNICORN_WORKERS:-3}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --access-logfile - --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
