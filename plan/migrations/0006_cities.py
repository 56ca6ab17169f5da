"""Every plan belongs to a municipality: one is made for each city the existing plans name."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def cities_from_plans(apps, schema_editor):
    Plan = apps.get_model("plan", "Plan")
    Municipality = apps.get_model("people", "Municipality")
    for plan in Plan.objects.order_by("pk"):
        found = Municipality.objects.filter(name_fa=plan.city_fa.strip()).first()
        if found is None:
            code = slugify(plan.city_en) or f"city-{Municipality.objects.count() + 1}"
            while Municipality.objects.filter(code=code).exists():
                code = f"{code}-{Municipality.objects.count() + 1}"
            found = Municipality.objects.create(code=code, name_fa=plan.city_fa.strip(), name_en=plan.city_en)
        plan.municipality = found
        plan.save(update_fields=["municipality"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_cities"),
        ("plan", "0005_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="people.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.RunPython(cities_from_plans, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="plan",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="people.municipality",
                verbose_name="municipality",
            ),
        ),
    ]
