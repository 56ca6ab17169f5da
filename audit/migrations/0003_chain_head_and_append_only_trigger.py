"""The chain head row, and on PostgreSQL a trigger that refuses UPDATE, DELETE and TRUNCATE of audit rows.

Carried by hand from the first layout's approvals migrations (the tables moved to this app).
The trigger is the database's own guarantee: not even a bug in the application, or a person
with the application's credentials, can rewrite history without disabling it first.
TRUNCATE is allowed only on a connection that sets `baznegar.allow_audit_truncate=on`, which
only the test settings do (Django's test runner empties tables between tests with TRUNCATE).
"""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused on audit_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();

CREATE OR REPLACE FUNCTION audit_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('baznegar.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused on audit_auditevent'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_no_truncate();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_no_truncate();
DROP FUNCTION IF EXISTS audit_auditevent_append_only();
"""


def create_head(apps, schema_editor):
    head_model = apps.get_model("audit", "AuditChainHead")
    head_model.objects.using(schema_editor.connection.alias).get_or_create(pk=1)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
