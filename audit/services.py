"""Every write of the audit log: appending an event, sealing events into the Merkle tree under a
signed tree head (the sequencer), and checking the whole log.

Nothing here imports an app above: who is told of a broken log listens to `chain_broken`."""

import base64
import contextlib
import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import chain, merkle, signing, tasks  # tasks import this module too: each reads the other at call time
from audit.models import AuditEvent, AuditLeaf, AuditNode, AuditTreeHead, AuditVerification
from audit.selectors import hashes_of, root_of

logger = logging.getLogger(__name__)

# sent inside the verification's transaction when a check finds a break no earlier check reported;
# kwargs: verification, problem (a key of chain.CHAIN_PROBLEMS)
chain_broken = Signal()


class AuditOutsideTransaction(RuntimeError):
    """An audit event must be written in the transaction of the change it records."""


def register_audit_actions() -> None:
    chain.register_action("audit.chain.verify", _("Audit log verified"))
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
    """Append one event, in the caller's transaction, sharing no lock with any other writer: the
    sequencer gives it its leaf in the Merkle tree once it is committed."""
    if not connection.in_atomic_block:
        raise AuditOutsideTransaction(f"audit_record({action!r}) called outside a transaction")
    if not chain.is_registered(action):
        raise ValueError(f"unregistered audit action {action!r}")
    # Store exactly what is hashed: JSON text back to Python values.
    via_token = chain.current_token.get()
    if via_token:
        data = {**(data or {}), "via_token": via_token}
    stored_data = json.loads(chain.canonical_json(data or {}))
    scope = {**chain.scope_of(obj), **(scope or {})}
    fields = {
        "occurred_at": timezone.now(),
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
    event = AuditEvent(**fields)
    event.hash = chain.content_hash(event)
    event.save(force_insert=True)
    transaction.on_commit(tasks.sequence_soon)  # sealed within seconds; beat sweeps what this misses
    return event


SECRET_FIELDS = {"password"}


def fields_snapshot(obj) -> dict:
    """An object's fields as they are audited: each concrete field's value, each many-to-many as
    the sorted names of what it holds; a secret as a short fingerprint (its change is seen, never it)."""
    if obj is None:
        return {}
    values = {}
    for model_field in obj._meta.concrete_fields:
        value = model_field.value_from_object(obj)
        if model_field.name in SECRET_FIELDS:
            value = "•" + hashlib.sha256(str(value).encode()).hexdigest()[:8] if value else ""
        values[model_field.name] = value
    if obj.pk is not None:
        for model_field in obj._meta.many_to_many:
            values[model_field.name] = sorted(str(related) for related in getattr(obj, model_field.name).all())
    return json.loads(chain.canonical_json(values))


def field_changes(before: dict, after: dict) -> dict:
    """{field: {"before": …, "after": …}} for each field whose value differs."""
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


# ---------------------------------------------------------------------------------------------
# The sequencer: committed events become leaves of the Merkle tree, under a signed tree head

SEQUENCER_LOCK = 0x42A2_0001  # the PostgreSQL advisory lock one sequencer holds at a time
RECENT_WINDOW = 100_000  # ids behind the newest leaf scanned for late commits; the hourly sweep scans all


def audit_sequence(*, batch: int = 5000, full: bool = False) -> AuditTreeHead | None:
    """Seal committed, unsequenced events into the tree, in id order, and sign the new head.

    One sequencer works at a time: it holds an advisory lock to the end of its transaction, and a
    second one waits for it, then finds what is left. Killed mid-batch, the transaction rolls back:
    nothing is lost, no event gets two leaves (a unique key), and the next run continues. Returns the
    new signed head, or None when there was nothing to seal."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCER_LOCK])
                if not cursor.fetchone()[0]:
                    return None  # another sequencer is at work: it seals what is committed
        newest_head = AuditTreeHead.objects.order_by("-tree_size").first()
        newest = AuditLeaf.objects.order_by("-index").values_list("index", "event_id").first()
        size = newest[0] + 1 if newest else 0
        pending = AuditEvent.objects.filter(leaf__isnull=True)
        if newest and not full:
            pending = pending.filter(id__gt=newest[1] - RECENT_WINDOW)
        events = list(pending.order_by("id")[:batch])
        if not events:
            return None
        known = hashes_of(merkle.range_nodes(0, size))  # the right frontier: left siblings to come
        if newest_head is not None and not _extends(newest_head, size, known):
            logger.error("audit log: the stored tree no longer matches its newest signed head; not sealing")
            raise LogNotExtended(_("the stored tree no longer matches its newest signed head; run verify_audit"))
        leaves, nodes = [], []
        now = timezone.now()
        for offset, event in enumerate(events):
            index = size + offset
            value = merkle.leaf_hash(chain.leaf_data(event))
            leaves.append(AuditLeaf(index=index, event_id=event.pk, hash=value, sequenced_at=now))
            known[(0, index)] = value
            level, position = 0, index
            while position % 2 == 1:  # a right child completes its parent
                parent = merkle.node_hash(known[(level, position - 1)], known[(level, position)])
                level, position = level + 1, position // 2
                known[(level, position)] = parent
                nodes.append(AuditNode(level=level, index=position, hash=parent))
        AuditLeaf.objects.bulk_create(leaves)
        AuditNode.objects.bulk_create(nodes)
        new_size = size + len(events)
        root = root_of(new_size, known)
        stamp_ms = int(now.timestamp() * 1000)
        return AuditTreeHead.objects.create(
            tree_size=new_size,
            root_hash=root,
            timestamp=dt.datetime.fromtimestamp(stamp_ms / 1000, tz=dt.UTC),
            key_id=signing.key_id(signing.public_key_bytes()),
            signature=signing.sign_head(new_size, stamp_ms, root),
        )


class LogNotExtended(RuntimeError):
    """The sequencer refuses to sign a tree that does not extend the newest signed head."""


def _extends(head: AuditTreeHead, size: int, known: dict) -> bool:
    """Whether the stored tree still holds the newest signed head: its size, root and signature."""
    if head.tree_size > size:
        return False
    root = root_of(head.tree_size, known)
    return root == bytes(head.root_hash) and signing.head_verifies(
        signing.public_key_bytes(), head.tree_size, head_milliseconds(head), root, bytes(head.signature)
    )


def audit_sequence_all(*, batch: int = 5000, full: bool = False) -> int:
    """Sequence until nothing committed is left; returns how many events were sealed."""
    start = end = _leaf_count()
    while (head := audit_sequence(batch=batch, full=full)) is not None:
        end = head.tree_size
    return end - start


def _leaf_count() -> int:
    newest = AuditLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    return newest + 1 if newest is not None else 0


def head_milliseconds(head: AuditTreeHead) -> int:
    return round(head.timestamp.timestamp() * 1000)


# ---------------------------------------------------------------------------------------------
# Checking the whole log: every event against its leaf, every node against its children, every
# signed head against the tree and the key, and the tree against a head kept outside


@dataclass(frozen=True)
class LogCheck:
    ok: bool
    events_checked: int
    tree_size: int
    last_verified_event_id: int | None
    broken_event_id: int | None = None
    problem: str = ""  # a key of chain.CHAIN_PROBLEMS
    params: dict = field(default_factory=dict)
    late: list = field(default_factory=list)  # events sealed long after they occurred (not a break)

    @property
    def reason(self) -> str:
        return chain.chain_problem(self.problem, **self.params) if self.problem else ""


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "AUDIT_SEALING_GRACE_SECONDS", 600))


def _check_leaves(chunk: int, late: list):
    """Walk the leaves in order with their events; returns (size, last event, problem). Events
    sealed long after they occurred are collected in `late`: named, but the check goes on (an
    outage of the broker seals late too, and a leaf can never be corrected)."""
    expected, last_event = 0, None
    grace = _grace()
    start = 0
    while True:
        leaves = list(AuditLeaf.objects.filter(index__gte=start).order_by("index")[:chunk])
        if not leaves:
            return expected, last_event, None
        events = AuditEvent.objects.in_bulk([leaf.event_id for leaf in leaves])
        for leaf in leaves:
            if leaf.index != expected:
                return expected, last_event, ("gap", leaf.event_id, {"last": expected - 1, "leaf": leaf.index})
            event = events.get(leaf.event_id)
            if event is None:
                return expected, last_event, ("missing", leaf.event_id, {"event": leaf.event_id, "leaf": leaf.index})
            if chain.content_hash(event) != event.hash:
                return expected, last_event, ("altered", event.pk, {"event": event.pk})
            if merkle.leaf_hash(chain.leaf_data(event)) != bytes(leaf.hash):
                return expected, last_event, ("leaf", event.pk, {"event": event.pk, "leaf": leaf.index})
            if event.occurred_at < leaf.sequenced_at - grace:
                late.append(event.pk)  # sealed late: an outage, or an insertion after the fact
            expected, last_event = expected + 1, event.pk
        start = leaves[-1].index + 1


def _level_stream(level: int, chunk: int):
    model = AuditLeaf if level == 0 else AuditNode
    rows = model.objects.order_by("index")
    if level:
        rows = rows.filter(level=level)
    start = 0
    while True:
        page = list(rows.filter(index__gte=start).values_list("index", "hash")[:chunk])
        if not page:
            return
        for index, value in page:
            yield index, bytes(value)
        start = page[-1][0] + 1


def _check_nodes(size: int, chunk: int):
    """Every stored node equals the hash of its two children, level by level; none is missing."""
    level = 1
    while (size >> level) > 0:
        children = _level_stream(level - 1, chunk)
        stored = _level_stream(level, chunk)
        for position in range(size >> level):
            left, right = next(children, None), next(children, None)
            node = next(stored, None)
            if node is None or node[0] != position:
                return ("node", None, {"level": level, "index": position})
            if left is None or right is None or node[1] != merkle.node_hash(left[1], right[1]):
                return ("node", None, {"level": level, "index": position})
        level += 1
    return None


def _check_heads(size: int, public: bytes, oldest_unsealed):
    heads = list(AuditTreeHead.objects.order_by("tree_size"))
    # the sequencer may have sealed more since the leaves were read: a head and its leaves commit
    # together, so a head is checked against its tree only up to what was read, and beyond that
    # only that its leaves exist (a head past every leaf means the newest leaves were removed)
    now_size = _leaf_count() if heads and heads[-1].tree_size > size else size
    for head in heads:
        if head.tree_size > now_size:
            return ("head_root", None, {"size": head.tree_size})
        if head.tree_size <= size and root_of(head.tree_size) != bytes(head.root_hash):
            return ("head_root", None, {"size": head.tree_size})
        if not signing.head_verifies(
            public, head.tree_size, head_milliseconds(head), bytes(head.root_hash), bytes(head.signature)
        ):
            return ("head_signature", None, {"size": head.tree_size})
    covered = heads[-1].tree_size if heads else 0
    if size > covered and oldest_unsealed is not None and oldest_unsealed < timezone.now() - _grace():
        return ("no_head", None, {"size": size})
    return None


def _check_kept(size: int, kept: dict, log_key: str | None):
    public = base64.b64decode(kept["public_key"])
    root = bytes.fromhex(kept["root_hash"])
    if not signing.head_verifies(
        public, kept["tree_size"], kept["timestamp_ms"], root, base64.b64decode(kept["signature"])
    ):
        return ("kept_signature", None, {"kept": kept["tree_size"]})
    if log_key is not None and log_key != signing.key_id(public):
        return ("kept_key", None, {})
    if size < kept["tree_size"]:
        return ("kept_short", None, {"size": size, "kept": kept["tree_size"]})
    if root_of(kept["tree_size"]) != root:
        return ("kept_root", None, {"kept": kept["tree_size"]})
    return None


def audit_log_check(*, kept: dict | None = None, chunk: int = 5000) -> LogCheck:
    """Check the whole log and stop at the first problem, naming what and where. With `kept` (a
    head exported earlier, `audit_head export`), also that the log still extends it, signed by the
    same key: a rewrite by whoever owns the tables is caught against any head kept before it."""
    late: list[int] = []
    size, last_event, problem = _check_leaves(chunk, late)
    if problem is None:
        problem = _check_nodes(size, chunk)
    if problem is None:
        public = base64.b64decode(kept["public_key"]) if kept else signing.public_key_bytes()
        unsealed = AuditLeaf.objects.filter(index__gte=_latest_size()).order_by("index")
        problem = _check_heads(size, public, unsealed.values_list("sequenced_at", flat=True).first())
    if problem is None:
        stale = AuditEvent.objects.filter(leaf__isnull=True, occurred_at__lt=timezone.now() - _grace())
        found = stale.order_by("id").values_list("id", flat=True).first()
        if found is not None:
            problem = ("unsequenced", found, {"event": found})
    if problem is None and kept is not None:
        keys = set(AuditTreeHead.objects.values_list("key_id", flat=True).distinct()[:2])
        problem = _check_kept(size, kept, next(iter(keys)) if len(keys) == 1 else None)
    if problem is None:
        return LogCheck(True, size, size, last_event, late=late)
    code, event_id, params = problem
    return LogCheck(False, size, size, last_event, event_id, code, params, late=late)


def _latest_size() -> int:
    return AuditTreeHead.objects.order_by("-tree_size").values_list("tree_size", flat=True).first() or 0


def audit_log_verify(*, kept: dict | None = None) -> AuditVerification:
    """Check the log and keep the outcome, so the interface can say when it was last proven.

    A break no earlier check reported is announced once (`chain_broken`, in the same transaction):
    the notifications app tells every administrator, in the app and by email through the outbox.
    """
    with contextlib.suppress(LogNotExtended):  # a changed tree is not signed over; the check names it
        audit_sequence_all(full=True)  # seal everything committed first, late commits too
    result = audit_log_check(kept=kept)
    with transaction.atomic():
        previous = AuditVerification.objects.select_for_update().order_by("-checked_at", "-pk").first()
        verification = AuditVerification.objects.create(
            ok=result.ok,
            events_checked=result.events_checked,
            tree_size=result.tree_size,
            last_verified_event_id=result.last_verified_event_id,
            broken_event_id=result.broken_event_id,
            reason=result.reason,
            late_events=len(result.late),
            first_late_event_id=result.late[0] if result.late else None,
        )
        already_told = previous is not None and not previous.ok and previous.reason == verification.reason
        if not result.ok and not already_told:
            chain_broken.send(
                sender=AuditVerification, verification=verification, problem=result.problem, params=result.params
            )
    if not result.ok:
        logger.error("audit log broken: %s", result.reason)
    if result.late:
        logger.warning(
            "audit log: %s events sealed long after they occurred (first %s)", len(result.late), result.late[0]
        )
    return verification


def audit_chain_verify_request(*, requested_by) -> None:
    """Start a check of the log now, on a worker (a million events take longer than a page may),
    and record who asked. A broker that is down raises here, before anything is recorded."""
    tasks.verify_audit_chain.apply_async(retry=False)
    with transaction.atomic():
        audit_record(action="audit.chain.verify_request", actor=requested_by)


def head_export(head: AuditTreeHead | None = None) -> dict:
    """A signed tree head as a small file an auditor, the governorate or the city council keeps."""
    head = head or AuditTreeHead.objects.order_by("-tree_size").first()
    if head is None:
        raise LookupError("the log has no signed head yet")
    public = signing.public_key_bytes()
    if head.key_id != signing.key_id(public):
        raise LookupError("this head was signed with an earlier key; export a head signed with the current one")
    return {
        "log": "baznegar audit log",
        "tree_size": head.tree_size,
        "root_hash": bytes(head.root_hash).hex(),
        "timestamp_ms": head_milliseconds(head),
        "timestamp": head.timestamp.isoformat(),
        "signature": base64.b64encode(bytes(head.signature)).decode(),
        "public_key": base64.b64encode(public).decode(),
        "key_id": signing.key_id(public),
    }
