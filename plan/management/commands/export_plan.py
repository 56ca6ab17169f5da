"""`manage.py export_plan [--plan CODE] [--version N] [--format json|xlsx] [-o FILE]`."""

import sys

from django.core.management.base import BaseCommand, CommandError

from plan import exchange
from plan.models import IssuedVersion, Plan
from plan.selectors import plan_export, version_in_force


class Command(BaseCommand):
    help = "Export an issued version of a plan as JSON (re-importable) or as a spreadsheet."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # our --version names a plan version, replacing Django's --version (the framework's)
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="plan code (default: the only plan)")
        parser.add_argument("--version", type=int, help="version number (default: the version in force)")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", help="file to write (default: standard output, JSON only)")

    def handle(self, *args, plan=None, version=None, format="json", output=None, **options):
        plans = Plan.objects.filter(code=plan) if plan else Plan.objects.all()
        if plans.count() != 1:
            raise CommandError("name the plan with --plan CODE" if plans.exists() else "no such plan")
        chosen = plans.get()
        issued = (
            IssuedVersion.objects.filter(plan=chosen, number=version).first() if version else version_in_force(chosen)
        )
        if issued is None:
            raise CommandError(f"plan {chosen.code} has no version {version}")
        document = plan_export(issued)
        if format == "json":
            data = exchange.dumps(document).encode("utf-8")
        else:
            if not output:
                raise CommandError("a spreadsheet needs -o FILE")
            data = exchange.workbook(document)
        if output:
            with open(output, "wb") as handle:
                handle.write(data)
            self.stderr.write(f"version {issued.number} of {chosen.code} written to {output}")
        else:
            sys.stdout.buffer.write(data)
