"""`manage.py import_plan FILE [--code CODE]`: a plan and its version from an exported JSON file or
XLSX workbook."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plan.services import plan_import_file


class Command(BaseCommand):
    help = "Import a plan from a JSON or XLSX export; a malformed or inconsistent file imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", help="store the plan under another code")

    def handle(self, *args, file, code=None, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        try:
            plan = plan_import_file(data=data, code=code)
        except ValidationError as error:  # BaznegarError is one
            raise CommandError(f"{file}: {'; '.join(error.messages)} — nothing was imported") from None
        version = plan.versions.get()
        self.stdout.write(
            self.style.SUCCESS(f"imported {plan.code}: version {version.number}, {version.item_count} items")
        )
