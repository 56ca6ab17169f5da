"""Two indexes on viewflow's tables, carried by hand from the first layout's migrations.

- The queue: unassigned tasks by the permission and object they ask for (a person's queue reads
  only those it may claim).
- One open process per subject: an amendment or a revision never has two processes running
  (two people starting one at once: one wins, the other is refused by the database).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0001_initial"),
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
        migrations.RunSQL(
            sql=(
                "CREATE UNIQUE INDEX IF NOT EXISTS workflows_one_open_process "
                "ON viewflow_process (artifact_content_type_id, artifact_object_id) "
                "WHERE status = 'NEW' AND artifact_object_id IS NOT NULL"
            ),
            reverse_sql="DROP INDEX IF EXISTS workflows_one_open_process",
        ),
    ]
