"""`manage.py diff_plan FROM TO [--plan CODE] [--json]`: what changed between two issued versions."""

import json

from django.core.management.base import BaseCommand, CommandError

from plan import diff as plan_diff
from plan.models import IssuedVersion, Plan
from plan.schema import field_label
from plan.selectors import versions_diff


class Command(BaseCommand):
    help = "Print the diff between two issued versions, with its fingerprint."

    def add_arguments(self, parser):
        parser.add_argument("old", type=int, help="version number")
        parser.add_argument("new", type=int, help="version number")
        parser.add_argument("--plan", help="plan code (default: the only plan)")
        parser.add_argument("--json", action="store_true", help="the diff's data, as approvers' pages receive it")

    def handle(self, *args, old, new, plan=None, json=False, **options):
        plans = Plan.objects.filter(code=plan) if plan else Plan.objects.all()
        if plans.count() != 1:
            raise CommandError("name the plan with --plan CODE" if plans.exists() else "no such plan")
        chosen = plans.get()
        versions = {v.number: v for v in IssuedVersion.objects.filter(plan=chosen, number__in=[old, new])}
        for number in (old, new):
            if number not in versions:
                raise CommandError(f"plan {chosen.code} has no version {number}")
        entries = versions_diff(versions[old], versions[new])
        if json:
            self.stdout.write(_json_dumps({"fingerprint": plan_diff.fingerprint(entries), "entries": entries}))
            return
        counts = plan_diff.summary(entries)
        self.stdout.write(
            f"{chosen.code}: v{old} → v{new}: {counts['added']} added, {counts['retired']} retired, "
            f"{counts['moved']} moved, {counts['changed']} changed; fingerprint {plan_diff.fingerprint(entries)}"
        )
        for entry in entries:
            self.stdout.write(f"{entry['change']:>8} {entry['code']}  {entry['name_fa']}")
            for change in entry["fields"]:
                delta = f"  ({change['delta']:+})" if "delta" in change else ""
                label = field_label(entry["kind"], change["field"])
                self.stdout.write(f"           {label}: {change['old']} → {change['new']}{delta}")


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
