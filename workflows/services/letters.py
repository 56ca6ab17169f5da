"""The issuance letter is made once, in the issuance's transaction: its bytes stored, their SHA-256
in the audit log, so that the letter anyone holds can be checked against what was issued."""

import hashlib

from django.utils.translation import gettext_lazy

from audit import chain
from audit.services import audit_record
from plan.models import IssuanceLetter, IssuedVersion, Revision
from workflows.letters import letter_context, letter_pdf

chain.register_action("plan.version.letter", gettext_lazy("Issuance letter made"))


def letter_issue(*, revision: Revision, version: IssuedVersion, user) -> IssuanceLetter:
    """Render, store and record the letter of a version just issued (in the caller's transaction)."""
    context = letter_context(revision, version)
    pdf = letter_pdf(context)
    digest = hashlib.sha256(pdf).hexdigest()
    letter = IssuanceLetter.objects.create(version=version, number=version.issuance_number, pdf=pdf, sha256=digest)
    head = context["head"]
    audit_record(
        action="plan.version.letter",
        actor=user,
        obj=version,
        data={
            "number": version.issuance_number,
            "version": version.number,
            "sha256": digest,
            "bytes": len(pdf),
            "log_head": head.tree_size if head else 0,
        },
    )
    return letter
