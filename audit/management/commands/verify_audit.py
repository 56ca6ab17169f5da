"""`manage.py verify_audit [--against HEAD_FILE]`: check the whole audit log and name the first problem."""

import json

from django.core.management.base import BaseCommand, CommandError

from audit.chain import chain_problem
from audit.services import audit_log_verify


class Command(BaseCommand):
    help = (
        "Check every event against its leaf, every node of the Merkle tree, every signed head; with "
        "--against, that the log still extends a head exported earlier. Exits 1 at the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--against", metavar="HEAD_FILE", help="a head exported by `audit_head export`")

    def handle(self, *args, against=None, **options):
        kept = None
        if against:
            try:
                with open(against, encoding="utf-8") as file:
                    kept = json.load(file)
                kept["tree_size"], kept["timestamp_ms"]  # noqa: B018 - a head file names both
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"cannot read the kept head {against}: {error}") from None
        verification = audit_log_verify(kept=kept)
        if not verification.ok:
            raise CommandError(
                f"audit log BROKEN: {verification.reason} ({verification.events_checked} events read; "
                f"last intact event #{verification.last_verified_event_id})"
            )
        if verification.late_events:
            self.stdout.write(
                self.style.WARNING(
                    f"{verification.late_events} events were sealed long after they occurred (an outage, or "
                    f"inserted after the fact): {chain_problem('backdated', event=verification.first_late_event_id)}"
                )
            )
        against_text = f", extends the kept head of {kept['tree_size']} events" if kept else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"audit log intact: {verification.events_checked} events sealed under signed heads{against_text}"
            )
        )
