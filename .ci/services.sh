# Throwaway PostgreSQL and Redis on loopback, for CI and for developers who want the real thing.
# Source it, then: services_start (exports DATABASE_URL, REDIS_URL, REDIS_PORT) ... services_stop
# PostgreSQL runs with fsync off (tests) unless PG_FSYNC=on (benchmarks: commits as in production).
# shellcheck shell=bash

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}

services_install() {
  local need=()
  command -v redis-server >/dev/null || need+=(redis-server)
  [ -x "$PGBIN/initdb" ] || need+=(postgresql-15)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  # the issuance letter: WeasyPrint shapes Persian with Pango and HarfBuzz; its tests read the PDF
  # back with poppler's pdftotext and pdftoppm
  command -v pdftotext >/dev/null || need+=(poppler-utils)
  ldconfig -p | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
  # attachments: their type is read from their content by libmagic (python-magic)
  ldconfig -p | grep -q libmagic.so.1 || need+=(libmagic1)
  # directory sign-in: python-ldap builds against OpenLDAP's headers; its tests start a real slapd
  [ -f /usr/include/ldap.h ] || need+=(libldap2-dev)
  [ -f /usr/include/sasl/sasl.h ] || need+=(libsasl2-dev)
  [ -x /usr/sbin/slapd ] || need+=(slapd)
  # the Persian catalogue is checked with msgfmt
  command -v msgfmt >/dev/null || need+=(gettext)
  if [ ${#need[@]} -gt 0 ]; then
    echo "ci: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

services_start() {
  SERVICES_DIR=$(mktemp -d /tmp/baznegar-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  mkdir -p "$SERVICES_DIR/pg" "$SERVICES_DIR/redis"
  local pg_port redis_port
  pg_port=$(_free_port)
  redis_port=$(_free_port)
  local as_pg=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$SERVICES_DIR/pg"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$PGBIN/initdb" -D "$SERVICES_DIR/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/log" -w -t 60 \
    -o "-p $pg_port -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off} -c max_connections=200" \
    start >/dev/null
  "$PGBIN/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres baznegar
  # the two logins of production (docs/operations.md) on a second database; the tests themselves run
  # as the cluster's superuser (they create test databases, and tamper with the log as a superuser)
  "$PGBIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE baznegar_owner LOGIN" -c "CREATE ROLE baznegar_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE" \
    -c "CREATE DATABASE baznegar_two_logins OWNER baznegar_owner"
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --dir "$SERVICES_DIR/redis" --pidfile "$SERVICES_DIR/redis/redis.pid" --logfile "$SERVICES_DIR/redis/log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/baznegar"
  export REDIS_URL="redis://127.0.0.1:$redis_port/0"
  export OWNER_DATABASE_URL="postgres://baznegar_owner@127.0.0.1:$pg_port/baznegar_two_logins"
  export APP_DATABASE_URL="postgres://baznegar_app@127.0.0.1:$pg_port/baznegar_two_logins"
  export REDIS_PORT="$redis_port" PG_PORT="$pg_port" SERVICES_DIR
  echo "ci: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port"
}

services_stop() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  if [ -f "$SERVICES_DIR/redis/redis.pid" ]; then kill "$(cat "$SERVICES_DIR/redis/redis.pid")" 2>/dev/null || true; fi
  local as_pg=()
  [ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=
}
