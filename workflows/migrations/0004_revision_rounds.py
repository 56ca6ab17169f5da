"""A revision counts its rounds; and one open process per amendment or revision, held by the database.

viewflow owns the process table, so the partial unique index is created by SQL (PostgreSQL and
SQLite both take it): a second open process for the same artifact is refused by the database
itself, whatever the code above it does.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0003_task_queue_index'),
        ('viewflow', '0015_task_scheduled'),
    ]

    operations = [
        migrations.AddField(
            model_name='revision',
            name='rounds',
            field=models.PositiveSmallIntegerField(default=1, verbose_name='rounds'),
        ),
        migrations.AlterField(
            model_name='revision',
            name='status',
            field=models.CharField(choices=[('assembling', 'Being assembled by the integration working group'), ('policy_council', "At the municipality's policy council"), ('city_council', 'At the city council'), ('governorate', "At the governorate's conformity board"), ('reconsideration', 'Reconsidered by the city council after an objection'), ('dispute', 'Disputed outside the product'), ('confirmed', 'Confirmed, awaiting issuance'), ('issued', 'Issued'), ('rejected', 'Rejected'), ('withdrawn', 'Withdrawn by the integration working group')], default='assembling', max_length=20, verbose_name='status'),
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
