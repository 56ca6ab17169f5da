"""`manage.py load_demo`: the demo users (and, as apps provide them, the demo plan and scenario)."""

from django.core.management.base import BaseCommand
from django.utils import translation

from approvals.demo import demo_users_ensure
from approvals.services import role_groups_ensure
from plan.demo import ahvaz_1407
from plan.models import Plan
from plan.services import plan_import


class Command(BaseCommand):
    help = "Load the embedded demo; safe to run again. Passwords are printed once, when they are set."

    def add_arguments(self, parser):
        parser.add_argument("--reset-passwords", action="store_true", help="set and print new demo passwords")

    def handle(self, *args, reset_passwords=False, **options):
        translation.activate("en")
        role_groups_ensure()
        demo = ahvaz_1407()
        if not Plan.objects.filter(code=demo["plan"]["code"]).exists():
            plan = plan_import(document=demo)
            self.stdout.write(f"Demo plan loaded: {plan.name_en}, {plan.versions.get().item_count} items.")
        issued = demo_users_ensure(reset_passwords=reset_passwords)
        if issued:
            self.stdout.write(self.style.WARNING("Demo users (passwords are shown this once):"))
            for username, password, role in issued:
                self.stdout.write(f"  {username:<14} {password:<16} {role}")
        else:
            self.stdout.write("Demo users exist; `make demo-passwords` sets and prints new passwords.")
