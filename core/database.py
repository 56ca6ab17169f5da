"""Two database logins (docs/operations.md): the owner, who runs migrations and owns every table,
and the application's login, which owns nothing and may only insert and read the append-only tables
(those an `audit_log_append_only` trigger guards). No app is imported here: the tables are found
in PostgreSQL's catalogue by their trigger."""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection as default_connection

APPEND_ONLY_TABLES_SQL = """
SELECT DISTINCT c.relname
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE p.proname = 'audit_log_append_only' AND n.nspname = current_schema()
ORDER BY 1
"""


def _identifier(name: str) -> str:
    """A PostgreSQL identifier, quoted with any double quote inside it doubled."""
    return '"' + name.replace('"', '""') + '"'


def append_only_tables(connection=default_connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ONLY_TABLES_SQL)
        return [row[0] for row in cursor.fetchall()]


def grant_application_login(role: str, connection=default_connection) -> dict:
    """Give the application's login exactly its rights, as the owner: read and write every table,
    only read and insert the append-only ones, use the sequences; nothing else (no TRUNCATE, no
    REFERENCES or TRIGGER, no ALTER: it owns nothing). Safe to run after every migration."""
    quote = _identifier
    guarded = set(append_only_tables(connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        cursor.execute(f"GRANT USAGE ON SCHEMA {schema} TO {quote(role)}")
        for table in tables:
            cursor.execute(f"REVOKE ALL ON {quote(table)} FROM {quote(role)}")
            rights = "SELECT, INSERT" if table in guarded else "SELECT, INSERT, UPDATE, DELETE"
            cursor.execute(f"GRANT {rights} ON {quote(table)} TO {quote(role)}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {quote(role)}")
    return {"tables": len(tables), "append_only": sorted(guarded)}


def privileged_login_problem(connection=default_connection) -> str | None:
    """Why the current login must not run the application (a superuser; the owner of an append-only
    table, who could disable its trigger), or None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        user, superuser = cursor.fetchone()
        if superuser:
            return f"the database login {user} is a superuser: run the application with a login that owns nothing"
        guarded = append_only_tables(connection)
        if not guarded:
            return "the audit log's tables have no append-only trigger: run the migrations as the owner"
        # the owner, or a member of the owning role, could disable a trigger
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relname = ANY(%s) "
            "AND pg_has_role(current_user, c.relowner, 'MEMBER') LIMIT 1",
            [guarded],
        )
        owned = cursor.fetchone()
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'baznegar_audit_truncate') "
            "AND pg_has_role(current_user, 'baznegar_audit_truncate', 'MEMBER')"
        )
        if cursor.fetchone()[0]:
            return f"the database login {user} may truncate the audit log (baznegar_audit_truncate is for tests only)"
    if owned:
        return (
            f"the database login {user} owns {owned[0]}: run migrations as the owner, the application as another login"
        )
    return None


def refuse_privileged_login(connection=default_connection) -> None:
    """At start-up in production: stop, in one line, rather than serve with a login that could
    rewrite the audit log."""
    problem = privileged_login_problem(connection)
    if problem:
        raise ImproperlyConfigured(problem)
