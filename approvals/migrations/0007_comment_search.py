"""Comments searchable like the plan's tables (PostgreSQL only; see plan migration 0005)."""

from django.db import migrations

from core.search import searchable_columns_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in searchable_columns_sql("approvals_comment", "body", "body", "''"):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE approvals_comment DROP COLUMN IF EXISTS search_folded, DROP COLUMN IF EXISTS search_words"
        )


class Migration(migrations.Migration):
    dependencies = [("approvals", "0006_attachments"), ("plan", "0005_search")]

    operations = [migrations.RunPython(forwards, backwards)]
