"""The issuance letter is made once for each version a revision issues, just after the issuance
commits: its bytes stored, their SHA-256 in the audit log, so that the letter anyone holds can be
checked against what was issued.

Made after the commit, not in the issuance's transaction, for two reasons. The letter prints the
signed head of the audit log that includes the issuance itself, and an event is sealed into the log
only once it is committed. And rendering a PDF takes about half a second, which the issuance would
otherwise spend holding its plan's lock. The issuance asks a worker for the letter after commit;
beat makes any letter still missing (a broker that was down, a worker killed mid-render), and two
makers at once write one letter (the version's row is locked, and a version has one letter)."""

import hashlib
import logging

from django.db import transaction
from django.utils.translation import gettext_lazy

from audit import chain
from audit.models import AuditEvent, AuditLeaf, AuditTreeHead
from audit.services import audit_record, audit_sequence_all
from plan.models import IssuanceLetter, IssuedVersion
from workflows import tasks
from workflows.letters import letter_context, letter_pdf

chain.register_action("plan.version.letter", gettext_lazy("Issuance letter made"))
logger = logging.getLogger(__name__)


class LetterNotReady(RuntimeError):
    """The issuance is not sealed into the audit log yet (another sequencer is at work): try again."""


class LetterFailed(RuntimeError):
    """Some letters could not be made (each logged); the others were."""


def letter_due(version: IssuedVersion) -> None:
    """In the issuance's transaction: ask for its letter once the issuance has committed."""
    transaction.on_commit(lambda: tasks.letter_request(version.pk))


def letters_pending():
    """Versions issued by a revision that have no letter yet (normally for a few seconds)."""
    return IssuedVersion.objects.filter(revision__isnull=False, letter__isnull=True).order_by("pk")


def _sealing_head(version: IssuedVersion) -> AuditTreeHead | None:
    """The first signed head that seals the issuance's own audit event, or None while it is unsealed."""
    issued = (
        AuditEvent.objects.filter(
            action="plan.version.issue", object_type="plan.issuedversion", object_id=str(version.pk)
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if issued is None:
        raise LetterNotReady(f"version {version.pk} has no issuance event")
    leaf = AuditLeaf.objects.filter(event_id=issued).values_list("index", flat=True).first()
    if leaf is None:
        return None
    return AuditTreeHead.objects.filter(tree_size__gt=leaf).order_by("tree_size").first()


def letter_make(version_id: int) -> IssuanceLetter:
    """Render, store and record the letter of an issued version, once; calling it again returns the
    letter already made. Seals the log first, so the letter can name the head that holds its issuance."""
    made = IssuanceLetter.objects.filter(version_id=version_id).first()
    if made is not None:
        return made
    version = IssuedVersion.objects.select_related("plan", "revision", "issued_by").get(pk=version_id)
    head = _sealing_head(version)
    if head is None:
        audit_sequence_all()  # outside any transaction: the sequencer commits what it seals
        head = _sealing_head(version)
        if head is None:
            raise LetterNotReady(f"the issuance of version {version_id} is not sealed yet")
    with transaction.atomic():
        IssuedVersion.objects.select_for_update(no_key=True).filter(pk=version_id).get()  # one maker at a time
        made = IssuanceLetter.objects.filter(version_id=version_id).first()
        if made is not None:
            return made
        pdf = letter_pdf(letter_context(version.revision, version, head=head))
        digest = hashlib.sha256(pdf).hexdigest()
        letter = IssuanceLetter.objects.create(version=version, number=version.issuance_number, pdf=pdf, sha256=digest)
        audit_record(
            action="plan.version.letter",
            actor=version.issued_by,
            obj=version,
            data={
                "number": version.issuance_number,
                "version": version.number,
                "sha256": digest,
                "bytes": len(pdf),
                "log_head": head.tree_size,
            },
        )
    return letter


def letters_make_pending() -> int:
    """Make every letter still missing (beat, and the demo after its issuances); returns how many."""
    made, failed = 0, []
    for version_id in letters_pending().values_list("pk", flat=True):
        try:
            letter_make(version_id)
        except LetterNotReady:
            logger.info("letter of version %s waits for its issuance to be sealed", version_id)
            continue
        except Exception:  # one letter that cannot be made holds up no other city's
            logger.exception("the letter of version %s could not be made", version_id)
            failed.append(version_id)
            continue
        made += 1
    if failed:
        raise LetterFailed(f"letters of versions {failed} could not be made ({made} others were)")
    return made
