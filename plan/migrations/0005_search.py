"""Persian search on PostgreSQL (core.search, workflows.search_selectors): the folding functions,
and on each searchable table two stored generated columns, kept by PostgreSQL itself on every
write: `search_folded` (the text folded, no word breaks; a trigram index finds any folded word
inside it) and `search_words` (the folded words, title weighted over body; a GIN index serves
words too short for trigrams, and ranking). Nothing on SQLite, where core.search registers the
folding function on every connection and a search scans."""

from django.db import migrations

from core.search import POSTGRES_FUNCTIONS, searchable_columns_sql

# table: (the text searched, in the order ranked: title first; the title; the body)
TABLES = {
    "plan_planitem": ("name_fa || ' ' || code || ' ' || name_en", "name_fa", "code || ' ' || name_en"),
    "plan_amendment": ("title || ' ' || summary", "title", "summary"),
    "plan_attachment": ("name", "name", "''"),
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(POSTGRES_FUNCTIONS)
    for table, (text, title, body) in TABLES.items():
        for statement in searchable_columns_sql(table, text, title, body):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_folded, DROP COLUMN IF EXISTS search_words")


class Migration(migrations.Migration):
    dependencies = [("plan", "0004_attachments")]

    operations = [migrations.RunPython(forwards, backwards)]
