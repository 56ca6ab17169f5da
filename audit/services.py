"""Every write of the audit trail: appending an event, and checking the chain.

Nothing here imports an app above: who is told of a broken chain listens to `chain_broken`."""

import hashlib
import json
import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Model
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import chain
from audit.models import AuditChainHead, AuditEvent, AuditVerification

logger = logging.getLogger(__name__)

# sent inside the verification's transaction when a check finds a break no earlier check reported;
# kwargs: verification, problem (a key of chain.CHAIN_PROBLEMS)
chain_broken = Signal()


class AuditOutsideTransaction(RuntimeError):
    """An audit event must be written in the transaction of the change it records."""


def register_audit_actions() -> None:
    chain.register_action("audit.chain.verify", _("Audit chain verified"))
    chain.register_action("audit.chain.verify_request", _("Audit chain check requested"))
    chain.register_action("audit.admin.add", _("Added in the admin"))
    chain.register_action("audit.admin.change", _("Changed in the admin"))
    chain.register_action("audit.admin.delete", _("Deleted in the admin"))


def audit_record(
    *,
    action: str,
    actor=None,
    obj: Model | None = None,
    data: dict | None = None,
    on_behalf_of=None,
    ip_address: str | None = None,
    scope: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    The chain head row is locked (SELECT ... FOR UPDATE) until the caller commits, so
    concurrent writers append one after another and the chain has no fork.
    """
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit_record({action!r}) called outside a transaction")
    if not chain.is_registered(action):
        raise ValueError(f"unregistered audit action {action!r}")
    # Store exactly what is hashed: JSON text back to Python values.
    stored_data = json.loads(chain.canonical_json(data or {}))
    # get_or_create: the test runner empties tables; a missing head with events left is caught by the check
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    scope = {**chain.scope_of(obj), **(scope or {})}
    fields = {
        "occurred_at": timezone.now(),  # read under the head's lock: ids and times rise together
        "actor_id": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else "",
        "on_behalf_of_id": on_behalf_of.pk if on_behalf_of else None,
        "on_behalf_of_username": on_behalf_of.get_username() if on_behalf_of else "",
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:255] if obj is not None else "",
        "data": stored_data,
        "ip_address": ip_address if ip_address is not None else chain.current_ip.get(),
        **{f"scope_{key}": scope.get(key) for key in chain.SCOPE_KEYS},
    }
    event = AuditEvent(prev_hash=head.last_hash or chain.GENESIS_HASH, **fields)
    event.hash = chain.hash_of_event(event)
    event.save(force_insert=True)
    head.last_event_id = event.pk
    head.last_hash = event.hash
    head.save(update_fields=["last_event_id", "last_hash"])
    return event


SECRET_FIELDS = {"password"}


def fields_snapshot(obj) -> dict:
    """An object's fields as they are audited: each concrete field's value, each many-to-many as
    the sorted names of what it holds; a secret as a short fingerprint (its change is seen, never it)."""
    if obj is None:
        return {}
    values = {}
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        if field.name in SECRET_FIELDS:
            value = "•" + hashlib.sha256(str(value).encode()).hexdigest()[:8] if value else ""
        values[field.name] = value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(str(related) for related in getattr(obj, field.name).all())
    return json.loads(chain.canonical_json(values))


def field_changes(before: dict, after: dict) -> dict:
    """{field: {"before": …, "after": …}} for each field whose value differs."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    events_checked: int
    last_verified_event_id: int | None
    broken_event_id: int | None
    problem: str = ""  # a key of chain.CHAIN_PROBLEMS

    @property
    def reason(self) -> str:
        if not self.problem:
            return ""
        return chain.chain_problem(self.problem, event=self.broken_event_id, last=self.last_verified_event_id)


def audit_chain_check(*, chunk_size: int = 5000) -> ChainCheck:
    """Walk the whole chain in id order; stop at the first broken link and say why."""
    expected_prev = chain.GENESIS_HASH
    last_ok = None
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        checked += 1
        if event.prev_hash != expected_prev:
            return ChainCheck(False, checked, last_ok, event.pk, "unlinked")
        if chain.hash_of_event(event) != event.hash:
            return ChainCheck(False, checked, last_ok, event.pk, "altered")
        expected_prev = event.hash
        last_ok = event.pk
    head = AuditChainHead.objects.filter(pk=1).first() or AuditChainHead(last_event_id=0, last_hash="")
    if (head.last_event_id or None) != last_ok or (head.last_hash or chain.GENESIS_HASH) != expected_prev:
        return ChainCheck(False, checked, last_ok, head.last_event_id, "truncated")
    return ChainCheck(True, checked, last_ok, None)


def audit_chain_verify() -> AuditVerification:
    """Check the chain and keep the outcome, so the interface can say when it was last proven.

    A break no earlier check reported is announced once (`chain_broken`, in the same transaction):
    the notifications app tells every administrator, in the app and by email through the outbox.
    """
    result = audit_chain_check()
    with transaction.atomic():
        previous = AuditVerification.objects.select_for_update().order_by("-checked_at", "-pk").first()
        verification = AuditVerification.objects.create(
            ok=result.ok,
            events_checked=result.events_checked,
            last_verified_event_id=result.last_verified_event_id,
            broken_event_id=result.broken_event_id,
            reason=result.reason,
        )
        already_told = previous is not None and not previous.ok and previous.broken_event_id == result.broken_event_id
        if not result.ok and not already_told:
            chain_broken.send(sender=AuditVerification, verification=verification, problem=result.problem)
    if not result.ok:
        logger.error("audit chain broken: %s", result.reason)
    return verification
