"""`manage.py load_demo`: the demo plan (Ahvaz 1407) and a demo user for every role and committee."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from approvals.demo import demo_users_ensure
from people.services import role_groups_ensure
from plan.demo import ahvaz_1407, shushtar_1407
from plan.models import Plan
from plan.services import plan_import
from rules.services import holidays_add_fixed_solar, holidays_add_lunar
from workflows.demo import demo_rolling_year_ensure, demo_scenario_ensure, demo_second_city_ensure
from workflows.services.letters import letters_make_pending


class Command(BaseCommand):
    help = "Load the embedded demo; safe to run again. The demo password is printed once, when it is set."

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true", help="set and print a new demo password")

    def handle(self, *args, **options):
        # what the demo records (audit entries' names, notifications) is written in the product's
        # language, as a planning office running it would; the console speaks English
        with translation.override(settings.LANGUAGE_CODE):
            self._load(**options)

    def _load(self, *, reset_passwords=False, **options):
        role_groups_ensure()
        demo = ahvaz_1407()
        plan = Plan.objects.filter(code=demo["plan"]["code"]).first()
        if plan is None:
            plan = plan_import(document=demo)
            self.stdout.write(f"Demo plan loaded: {plan.name_en}, {plan.versions.get().item_count} items.")
        added = holidays_add_fixed_solar(first_year=plan.operational_start_year, last_year=plan.operational_end_year)
        if added:
            self.stdout.write(
                f"Official fixed solar holidays {plan.operational_start_year}–{plan.operational_end_year}: {added}."
            )
        lunar = holidays_add_lunar(first_year=plan.operational_start_year, last_year=plan.operational_end_year)
        if lunar:
            self.stdout.write(f"Lunar holidays computed (to be confirmed by an administrator): {lunar}.")
        second = shushtar_1407()
        second_plan = Plan.objects.filter(code=second["plan"]["code"]).first()
        if second_plan is None:
            second_plan = plan_import(document=second)
            self.stdout.write(
                f"Second city: {second_plan.name_en}, {second_plan.versions.get().item_count} items, its own people."
            )
        password, rows = demo_users_ensure(plan=plan, second_plan=second_plan, reset_password=reset_passwords)
        if demo_scenario_ensure(plan):
            self.stdout.write("Demo scenario: amendments and revisions waiting at every step of the approval path.")
        if demo_rolling_year_ensure(plan):
            self.stdout.write(
                "Demo year: figures for 1403 and 1404, the call for 1405, a revision rolling to 1404–1408."
            )
        if demo_second_city_ensure(second_plan):
            self.stdout.write(
                "Second city's work: a draft, an amendment at its chair, a revision at its policy council."
            )
        letters = letters_make_pending()  # made here, not left for a worker: the demo opens complete
        if letters:
            self.stdout.write(f"Issuance letters made: {letters}.")
        if password:
            self.stdout.write(self.style.WARNING(f"Demo users (password for all of them, shown this once): {password}"))
            for username, description in rows:
                self.stdout.write(f"  {username:<14} {description}")
        else:
            self.stdout.write("Demo users exist; `make demo-passwords` sets and prints a new demo password.")
