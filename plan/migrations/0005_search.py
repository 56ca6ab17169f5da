"""Persian search on PostgreSQL (docs/search.md): the folding functions, and on each searchable
table two stored generated columns, kept by PostgreSQL itself on every write: `search_folded` (the
text folded, no word breaks; a trigram index finds any folded word inside it) and `search_words`
(the folded words, title weighted over body; a GIN index serves words too short for trigrams, and
ranking). Nothing on SQLite, where core.search registers the folding function on every connection.

The SQL is frozen here as it was written (a migration must not change with later code): a test
compares FUNCTIONS with core.search.POSTGRES_FUNCTIONS, so changing the folding means a new
migration that replaces the functions and drops and adds the stored columns."""

from django.db import migrations

FUNCTIONS = "\nCREATE OR REPLACE FUNCTION baznegar_fold(text) RETURNS text\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\nAS $$ SELECT regexp_replace(translate(regexp_replace(translate($1, 'آأؤإئةكىي٠١٢٣٤٥٦٧٨٩٫٬ٱۀ۰۱۲۳۴۵۶۷۸۹', 'ااوایهکیی0123456789.,اه0123456789'), '[ً-ٰٟـ]', '', 'g'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '[\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200c\u200d\u200e\u200f]+', '', 'g') $$;\nCREATE OR REPLACE FUNCTION baznegar_fold_words(text) RETURNS text\nLANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE\nAS $$ SELECT regexp_replace(regexp_replace(translate(regexp_replace(translate($1, 'آأؤإئةكىي٠١٢٣٤٥٦٧٨٩٫٬ٱۀ۰۱۲۳۴۵۶۷۸۹', 'ااوایهکیی0123456789.,اه0123456789'), '[ً-ٰٟـ]', '', 'g'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), '[\u200c\u200d\u200e\u200f]', '', 'g'),\n                            '[\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000]+', ' ', 'g') $$;\n"

STATEMENTS = [
    "ALTER TABLE plan_planitem ADD COLUMN search_folded text GENERATED ALWAYS AS (baznegar_fold(name_fa || ' ' || code || ' ' || name_en)) STORED",
    "ALTER TABLE plan_planitem ADD COLUMN search_words tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, baznegar_fold_words(name_fa)), 'A') || setweight(to_tsvector('simple'::regconfig, baznegar_fold_words(code || ' ' || name_en)), 'B')) STORED",
    'CREATE INDEX plan_planitem_search_trgm ON plan_planitem USING gin (search_folded gin_trgm_ops)',
    'CREATE INDEX plan_planitem_search_words ON plan_planitem USING gin (search_words)',
    "ALTER TABLE plan_amendment ADD COLUMN search_folded text GENERATED ALWAYS AS (baznegar_fold(title || ' ' || summary)) STORED",
    "ALTER TABLE plan_amendment ADD COLUMN search_words tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, baznegar_fold_words(title)), 'A') || setweight(to_tsvector('simple'::regconfig, baznegar_fold_words(summary)), 'B')) STORED",
    'CREATE INDEX plan_amendment_search_trgm ON plan_amendment USING gin (search_folded gin_trgm_ops)',
    'CREATE INDEX plan_amendment_search_words ON plan_amendment USING gin (search_words)',
    'ALTER TABLE plan_attachment ADD COLUMN search_folded text GENERATED ALWAYS AS (baznegar_fold(name)) STORED',
    "ALTER TABLE plan_attachment ADD COLUMN search_words tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, baznegar_fold_words(name)), 'A') || setweight(to_tsvector('simple'::regconfig, baznegar_fold_words('')), 'B')) STORED",
    'CREATE INDEX plan_attachment_search_trgm ON plan_attachment USING gin (search_folded gin_trgm_ops)',
    'CREATE INDEX plan_attachment_search_words ON plan_attachment USING gin (search_words)',

]

TABLES = ("plan_planitem", "plan_amendment", "plan_attachment")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(FUNCTIONS)
    for statement in STATEMENTS:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_folded, DROP COLUMN IF EXISTS search_words")


class Migration(migrations.Migration):
    dependencies = [("plan", "0004_attachments")]

    operations = [migrations.RunPython(forwards, backwards)]
