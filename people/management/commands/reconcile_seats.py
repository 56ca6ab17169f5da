"""`manage.py reconcile_seats`: report (and with --repair, fix) drift between seats and rights."""

from django.core.management.base import BaseCommand

from people.services import seat_rights_reconcile


class Command(BaseCommand):
    help = "Compare committee object permissions with the seats that grant them; --repair fixes the drift."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="remove rights no seat grants, add missing ones")

    def handle(self, *args, repair=False, **options):
        drift = seat_rights_reconcile(repair=repair)
        for user_id, committee_id, codename in drift["removed"]:
            self.stdout.write(f"  no seat grants: user {user_id}, committee {committee_id}, {codename}")
        for user_id, committee_id, codename in drift["added"]:
            self.stdout.write(f"  seat without its right: user {user_id}, committee {committee_id}, {codename}")
        total = len(drift["removed"]) + len(drift["added"])
        verb = "repaired" if repair else "found"
        self.stdout.write(self.style.SUCCESS(f"{total} drifted rights {verb}."))
