"""`manage.py import_plan FILE [--code CODE]`: a plan and its version from an exported JSON file."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plan.services import plan_import


class Command(BaseCommand):
    help = "Import a plan from a JSON export; a malformed or inconsistent file imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", help="store the plan under another code")

    def handle(self, *args, file, code=None, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                document = json.load(handle)
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{file}: not a JSON file ({error})") from None
        try:
            plan = plan_import(document=document, code=code)
        except ValidationError as error:
            raise CommandError(f"{file}: {'; '.join(error.messages)} — nothing was imported") from None
        version = plan.versions.get()
        self.stdout.write(
            self.style.SUCCESS(f"imported {plan.code}: version {version.number}, {version.item_count} items")
        )
