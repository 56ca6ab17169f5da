"""Reads of the audit log's Merkle tree: roots, inclusion and consistency proofs, signed heads, and
whether an event is sealed yet. Each root or proof reads O(log n) stored subtree hashes in two
indexed queries, whatever the size of the log."""

from dataclasses import dataclass

from django.db.models import Q

from audit import merkle
from audit.models import AuditLeaf, AuditNode, AuditTreeHead


def hashes_of(keys: list[tuple[int, int]], known: dict | None = None) -> dict[tuple[int, int], bytes]:
    """The stored hashes of complete subtrees, by (level, index): leaves at level 0, nodes above."""
    found = dict(known or {})
    wanted = [key for key in set(keys) if key not in found]
    leaves = [index for level, index in wanted if level == 0]
    nodes = [(level, index) for level, index in wanted if level > 0]
    if leaves:
        for index, value in AuditLeaf.objects.filter(index__in=leaves).values_list("index", "hash"):
            found[(0, index)] = bytes(value)
    if nodes:
        condition = Q()
        for level, index in nodes:
            condition |= Q(level=level, index=index)
        for level, index, value in AuditNode.objects.filter(condition).values_list("level", "index", "hash"):
            found[(level, index)] = bytes(value)
    return found


def _range_hashes(ranges: list[tuple[int, int]], known: dict | None = None) -> list[bytes]:
    keys = {(start, end): merkle.range_nodes(start, end) for start, end in ranges}
    found = hashes_of([k for parts in keys.values() for k in parts], known)
    missing = [k for parts in keys.values() for k in parts if k not in found]
    if missing:
        raise LookupError(f"the log has no subtree {missing[0]}")
    return [merkle.fold([found[k] for k in keys[r]]) for r in ranges]


def root_of(size: int, known: dict | None = None) -> bytes:
    """The root of the tree of the first `size` leaves (RFC 6962's MTH)."""
    if size == 0:
        return merkle.EMPTY_ROOT
    return _range_hashes([(0, size)], known)[0]


def latest_head() -> AuditTreeHead | None:
    return AuditTreeHead.objects.order_by("-tree_size").first()


@dataclass(frozen=True)
class InclusionProof:
    event_id: int
    leaf_index: int
    leaf_hash: bytes
    tree_size: int
    root_hash: bytes
    path: list[bytes]
    head: AuditTreeHead


def inclusion_proof(event_id: int, *, head: AuditTreeHead | None = None) -> InclusionProof | None:
    """The proof that an event is in the tree of a signed head (the newest by default); None while
    the event is not yet sealed under that head."""
    head = head or latest_head()
    leaf = AuditLeaf.objects.filter(event_id=event_id).first()
    if head is None or leaf is None or leaf.index >= head.tree_size:
        return None
    path = _range_hashes(merkle.inclusion_ranges(leaf.index, head.tree_size))
    return InclusionProof(event_id, leaf.index, bytes(leaf.hash), head.tree_size, bytes(head.root_hash), path, head)


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of `new_size` leaves extends the tree of `old_size` leaves."""
    return _range_hashes(merkle.consistency_ranges(old_size, new_size))


@dataclass(frozen=True)
class Seal:
    leaf_index: int
    head: AuditTreeHead | None  # the first signed head covering the leaf; None: sequenced, head to come


def seals_of(event_ids: list[int]) -> dict[int, Seal]:
    """For each sealed event: its leaf and the first signed head covering it. An event absent from
    the answer is recorded and still sealing."""
    leaves = dict(AuditLeaf.objects.filter(event_id__in=event_ids).values_list("event_id", "index"))
    if not leaves:
        return {}
    heads = list(AuditTreeHead.objects.filter(tree_size__gt=min(leaves.values())).order_by("tree_size")[:50])
    seals = {}
    for event_id, index in leaves.items():
        head = next((h for h in heads if h.tree_size > index), None)
        if head is None:
            head = AuditTreeHead.objects.filter(tree_size__gt=index).order_by("tree_size").first()
        seals[event_id] = Seal(index, head)
    return seals
