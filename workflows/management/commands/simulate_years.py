"""`manage.py simulate_years`: five years of annual and mid-year revisions of the demo plan,
through the same services as people's decisions (run `load_demo` first)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from plan.demo import ahvaz_1407
from plan.models import Plan
from workflows.services.letters import letters_make_pending
from workflows.simulation import Simulation


class Command(BaseCommand):
    help = "Drive the demo plan through five years of revisions (every exit of every state); run load_demo first."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=5, choices=range(1, 6), help="how many years (1 to 5)")

    def handle(self, *args, years=5, **options):
        translation.activate("en")
        plan = Plan.objects.filter(code=ahvaz_1407()["plan"]["code"]).first()
        if plan is None:
            raise CommandError("the demo plan is not loaded: run `manage.py load_demo` first")
        before = plan.versions.count()
        with transaction.atomic():  # all the years or none
            log = Simulation(plan).run(years=years)
        letters_make_pending()  # the letters of what issued, now that it is committed
        for line in log:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(f"{years} years simulated: versions {before} → {plan.versions.count()}."))
