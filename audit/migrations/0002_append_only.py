"""On PostgreSQL, triggers that refuse UPDATE, DELETE and TRUNCATE of every audit log table: events,
leaves, nodes and signed heads (carried by hand from the first layout's migrations, and extended to
the Merkle tree). The application's login is also given no right to do any of it (docs/operations.md:
two logins); the triggers hold even for whoever owns the tables, until they disable them, which a
check against a head kept outside then catches.

TRUNCATE is let through only for a member of the role `baznegar_audit_truncate`, which only the test
suite creates (Django's test runner empties tables between tests with TRUNCATE); the application's
login cannot create roles, so it cannot give itself the switch.
"""

from django.db import migrations

TABLES = ["audit_auditevent", "audit_auditleaf", "audit_auditnode", "audit_audittreehead"]

FUNCTIONS_SQL = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_log_no_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'baznegar_audit_truncate')
       AND pg_has_role(current_user, 'baznegar_audit_truncate', 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused on %', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER_SQL = """
CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS_SQL, params=None)
        for table in TABLES:
            schema_editor.execute(TRIGGER_SQL.format(table=table), params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(DROP_SQL.format(table=table), params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_log_no_truncate()", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_log_append_only()", params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
