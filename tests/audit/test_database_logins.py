"""Two database logins: the application's owns nothing and may only insert and read the audit log;
a process refuses to start on a superuser or on the owner of the audit tables."""

import subprocess
import sys

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.backends.postgresql.base import DatabaseWrapper

from audit.services import audit_record, audit_sequence_all
from core.database import append_only_tables, grant_application_login, privileged_login_problem, refuse_privileged_login
from tests.config.test_settings import PRODUCTION
from tests.conftest import ROOT, subprocess_env, test_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

APP, OWNER = "baznegar_test_app", "baznegar_test_owner"
AUDIT_TABLES = ["audit_auditevent", "audit_auditleaf", "audit_auditnode", "audit_audittreehead"]


def _role(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )


def _settings_for(user: str) -> dict:
    return {**connection.settings_dict, "USER": user, "PASSWORD": ""}


def _connect(user: str):
    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"], port=s["PORT"], dbname=s["NAME"], user=user, autocommit=True)


def test_the_application_login_may_insert_and_read_the_audit_log_and_nothing_else():
    _role(APP)
    with transaction.atomic():
        audit_record(action="people.user.create", data={"n": 1})
    audit_sequence_all()
    done = grant_application_login(APP)
    assert done["append_only"] == AUDIT_TABLES == append_only_tables()
    with _connect(APP) as app:
        assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 1
        app.execute(
            "INSERT INTO audit_auditevent (occurred_at, actor_username, on_behalf_of_username, action, object_type, "
            "object_id, object_repr, data, hash) VALUES (now(), '', '', 'people.user.create', '', '', '', '{}', 'x')"
        )
        for table in AUDIT_TABLES:
            for statement in (
                f"UPDATE {table} SET {'hash' if table != 'audit_audittreehead' else 'key_id'} = NULL",
                f"DELETE FROM {table}",
                f"TRUNCATE {table} CASCADE",
                f"ALTER TABLE {table} DISABLE TRIGGER USER",
                f"DROP TABLE {table} CASCADE",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(statement)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("SET ROLE baznegar_audit_truncate")  # the test suite's switch is not its to take
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("CREATE ROLE someone_else")
        # the rest of the product's tables it reads and writes as usual
        app.execute("UPDATE rules_councilrules SET quorum = quorum")
    assert privileged_login_problem(DatabaseWrapper(_settings_for(APP), "app-check")) is None


def test_a_superuser_or_the_owner_of_the_audit_tables_is_refused_at_start_up():
    problem = privileged_login_problem(connection)
    assert problem and "is a superuser" in problem  # the test suite's own login
    _role(OWNER)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE audit_auditleaf OWNER TO {OWNER}")
    try:
        owner = DatabaseWrapper(_settings_for(OWNER), "owner-check")
        problem = privileged_login_problem(owner)
        assert problem and f"{OWNER} owns audit_auditleaf" in problem
        with pytest.raises(ImproperlyConfigured, match="owns audit_auditleaf"):
            refuse_privileged_login(owner)
        owner.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditleaf OWNER TO CURRENT_USER")


def test_a_production_worker_on_a_superuser_login_does_not_start():
    """The guard runs in every long-running process: here through the WSGI entry point."""
    env = subprocess_env(**{**PRODUCTION, "DATABASE_URL": test_database_url()})
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"baznegar: configuration error: DATABASE_URL: the database login {connection.settings_dict['USER']} "
        "is a superuser: "
        "run the application with a login that owns nothing"
    ]
