"""`manage.py audit_head export [-o FILE]` writes the newest signed tree head as a small JSON file to
keep outside the database (an auditor, the governorate, the city council); `audit_head show` prints it;
`audit_head proof EVENT_ID` prints the event's inclusion proof under the newest head."""

import base64
import json

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import inclusion_proof
from audit.services import audit_sequence_all, head_export


class Command(BaseCommand):
    help = "Export or show the audit log's newest signed tree head, or print an event's inclusion proof."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "show", "proof"])
        parser.add_argument("event", nargs="?", type=int, help="the event id (proof)")
        parser.add_argument("-o", "--output", help="file to write (export; default: standard output)")

    def handle(self, *args, action, event=None, output=None, **options):
        audit_sequence_all()  # what is committed is sealed first
        if action == "proof":
            if event is None:
                raise CommandError("name the event: audit_head proof EVENT_ID")
            proof = inclusion_proof(event)
            if proof is None:
                raise CommandError(f"event #{event} is not sealed under a signed head")
            document = {
                "event": event,
                "leaf_index": proof.leaf_index,
                "leaf_hash": proof.leaf_hash.hex(),
                "tree_size": proof.tree_size,
                "root_hash": proof.root_hash.hex(),
                "path": [base64.b16encode(p).decode().lower() for p in proof.path],
            }
        else:
            try:
                document = head_export()
            except LookupError as error:
                raise CommandError(str(error)) from None
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if output and action == "export":
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
            self.stdout.write(f"head of {document['tree_size']} events written to {output}")
        else:
            self.stdout.write(text)
