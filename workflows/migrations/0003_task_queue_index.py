"""An index for the queues: unassigned tasks by the permission (and committee) that may claim them.

Every dashboard counts and pages its queues; without it PostgreSQL reads every unassigned task of
the city and keeps a committee's. viewflow owns the table, so the index is created here by SQL
(PostgreSQL and SQLite both take a partial index).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0002_revisionprocess_revision"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS workflows_task_queue_idx "
                "ON viewflow_task (owner_permission, owner_permission_obj_pk) WHERE status = 'NEW'"
            ),
            reverse_sql="DROP INDEX IF EXISTS workflows_task_queue_idx",
        ),
    ]
