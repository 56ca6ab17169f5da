#!/bin/sh
# Runs once, when the PostgreSQL volume is created (docker-entrypoint-initdb.d): the two logins.
# baznegar_owner owns the database and runs migrations; baznegar_app owns nothing and is granted,
# after each migration (manage.py setup_database), only what the application needs: it may read and
# insert the audit log's rows, never change, delete or truncate them.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE baznegar_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD}';
CREATE ROLE baznegar_app LOGIN PASSWORD '${APP_DB_PASSWORD}' NOSUPERUSER NOCREATEDB NOCREATEROLE;
ALTER DATABASE "$POSTGRES_DB" OWNER TO baznegar_owner;
REVOKE ALL ON DATABASE "$POSTGRES_DB" FROM PUBLIC;
GRANT CONNECT ON DATABASE "$POSTGRES_DB" TO baznegar_app;
SQL
