"""Comments searchable like the plan's tables (PostgreSQL only; see plan migration 0005, whose
functions these columns call). Frozen SQL, as there."""

from django.db import migrations

STATEMENTS = [
    'ALTER TABLE approvals_comment ADD COLUMN search_folded text GENERATED ALWAYS AS (baznegar_fold(body)) STORED',
    "ALTER TABLE approvals_comment ADD COLUMN search_words tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, baznegar_fold_words(body)), 'A') || setweight(to_tsvector('simple'::regconfig, baznegar_fold_words('')), 'B')) STORED",
    'CREATE INDEX approvals_comment_search_trgm ON approvals_comment USING gin (search_folded gin_trgm_ops)',
    'CREATE INDEX approvals_comment_search_words ON approvals_comment USING gin (search_words)',

]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in STATEMENTS:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE approvals_comment DROP COLUMN IF EXISTS search_folded, DROP COLUMN IF EXISTS search_words"
        )


class Migration(migrations.Migration):
    dependencies = [("approvals", "0006_attachments"), ("plan", "0005_search")]

    operations = [migrations.RunPython(forwards, backwards)]
