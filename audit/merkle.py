"""The Merkle tree of the audit log, as RFC 6962 / RFC 9162 define it (Certificate Transparency).

Pure functions, no database: leaf and node hashing with domain separation (0x00 for a leaf, 0x01 for
a node, so a leaf can never pass for a node), the ranges whose tree hashes make up an inclusion or
a consistency proof, and the verifiers an outsider runs with nothing but the proof, the sizes and
the roots.

The log stores the hash of every *complete* subtree (a power of two of leaves, aligned): leaves at
level 0, their pairs at level 1, and so on. The tree hash of any range the proofs need is made of
O(log n) of them (`range_nodes`), so a root or a proof reads a handful of rows at any size.
"""

import hashlib

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) in RFC 6962


def split_point(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 6962 splits a tree of n leaves."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def range_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The complete subtrees, as (level, index), whose hashes make up the tree hash of leaves
    [start, end), left to right; `start` is aligned as RFC 6962's recursion leaves it."""
    size = end - start
    if size <= 0:
        return []
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return [(level, start >> level)]
    k = split_point(size)
    return range_nodes(start, start + k) + range_nodes(start + k, end)


def fold(hashes: list[bytes]) -> bytes:
    """The tree hash of a range from its complete subtrees (range_nodes' order): each left subtree
    is complete, so the range's hash is H(c1, H(c2, H(c3, ...)))."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) of RFC 6962 section 2.1.1: the ranges whose tree hashes prove leaf `index`
    is in the tree of `size` leaves, nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")

    def path(m, start, end):
        n = end - start
        if n == 1:
            return []
        k = split_point(n)
        if m - start < k:
            return path(m, start, start + k) + [(start + k, end)]
        return path(m, start + k, end) + [(start, start + k)]

    return path(index, 0, size)


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """PROOF(m, D[n]) of RFC 6962 section 2.1.2: the ranges proving the tree of `new_size` leaves
    extends the tree of `old_size` leaves (it kept every one of them, in order)."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from {old_size} to {new_size}")

    def subproof(m, start, end, whole):
        n = end - start
        if m == n:
            return [] if whole else [(start, end)]
        k = split_point(n)
        if m <= k:
            return subproof(m, start, start + k, whole) + [(start + k, end)]
        return subproof(m - k, start + k, end, False) + [(start, start + k)]

    return subproof(old_size, 0, new_size, True)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: does `proof` show the leaf hash at `index` in the tree `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, result = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            result = node_hash(p, result)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2: does `proof` show the tree `new_root` extends `old_root`?"""
    if old_size == new_size:
        return old_root == new_root and not proof
    if not 0 < old_size < new_size or not proof:
        return False
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the proof's first node
        proof = [old_root, *proof]
    fn, sn = old_size - 1, new_size - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
