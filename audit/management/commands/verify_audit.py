"""`manage.py verify_audit`: check the audit chain and name the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Check that no audit event was altered, removed or inserted; exits 1 at the first broken link."

    def handle(self, *args, **options):
        verification = audit_chain_verify()
        if not verification.ok:
            raise CommandError(
                f"audit chain BROKEN at event #{verification.broken_event_id}: {verification.reason} "
                f"({verification.events_checked} events read; last intact event "
                f"#{verification.last_verified_event_id})"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain intact: {verification.events_checked} events, "
                f"last event #{verification.last_verified_event_id}"
            )
        )
