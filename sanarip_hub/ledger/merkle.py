"""The RFC 9162 (Certificate Transparency 2.0, same tree as RFC 6962) Merkle tree.

Leaves are hashed ``H(0x00 || data)`` and interior nodes ``H(0x01 || left || right)``: the one-byte
domain separation is what stops an interior node being passed off as a leaf (second preimages).
The tree over n leaves splits at k, the largest power of two strictly less than n, so its left part
is always perfect and a lone last node is promoted, never duplicated (the CVE-2012-2459 trap).

Indices are 0-based, sizes are counts.  Verifiers check every hash is exactly 32 bytes and reject
proofs that are too short or too long before comparing roots, as the RFC's step-by-step procedures
(§2.1.3.2, §2.1.4.2) and transparency-dev's test probes require.  Reference and vectors:
``shared/reference/ledger/VERIFIABLE-LOGS.md`` (copied to ``tests/ledger/vectors``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sanarip_hub.errors import ProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF = b"\x00"
_NODE = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """``H(0x00 || data)``: the hash of one leaf's bytes."""
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``H(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(_NODE + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of a list of leaf hashes, in one pass and O(log n) memory.

    Equal-size perfect subtrees are merged as leaves arrive; what remains are the maximal perfect
    subtrees (one per set bit of n), folded right to left: exactly the RFC's recursive split.
    """
    if not hashes:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []
    for value in hashes:
        size, current = 1, value
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            current = node_hash(left, current)
            size *= 2
        stack.append((size, current))
    current = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        current = node_hash(left, current)
    return current


class Proofs:
    """RFC 9162 proofs over any tree that can give the root of a range of its leaves: the
    in-memory :class:`MerkleTree` and the ledger's own (``ledger.tree``), which reads tiles."""

    size: int

    def subtree_root(self, start: int, end: int) -> bytes:
        raise NotImplementedError

    def root(self, size: int | None = None) -> bytes:
        return self.subtree_root(0, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` in the tree of the first ``size`` leaves (RFC 9162 §2.1.3.1)."""
        n = self.size if size is None else size
        if not 0 <= index < n <= self.size:
            raise ProofError(f"leaf index {index} is outside a tree of size {n}")
        path: list[bytes] = []
        start, end = 0, n
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self.subtree_root(start + k, end))
                end = start + k
            else:
                path.append(self.subtree_root(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """The proof that the first ``old_size`` leaves' tree is a prefix of the first ``size``
        leaves' tree (RFC 9162 §2.1.4.1); empty when the sizes are equal."""
        n = self.size if size is None else size
        if not 0 < old_size <= n <= self.size:
            raise ProofError(f"no consistency proof from size {old_size} to size {n}")
        path: list[bytes] = []
        start, end, m, complete = 0, n, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                path.append(self.subtree_root(start + k, end))
                end = start + k
            else:
                path.append(self.subtree_root(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            path.append(self.subtree_root(start, end))
        path.reverse()
        return path


class MerkleTree(Proofs):
    """A tree over fixed leaf hashes that answers many proofs quickly.

    Every complete pair is hashed once into levels (``levels[l][i]`` is the root of the perfect
    subtree over leaves ``i*2^l .. (i+1)*2^l - 1``), so any subtree root the RFC's recursive proof
    definitions ask for costs O(log n) lookups and each proof O(log² n), not a rescan of n leaves.
    """

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.size = len(hashes)
        self.levels: list[list[bytes]] = [list(hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])

    def subtree_root(self, start: int, end: int) -> bytes:
        """MTH of leaves ``start .. end-1``."""
        width = end - start
        if width <= 0:
            return EMPTY_ROOT
        if width & (width - 1) == 0 and start % width == 0:
            return self.levels[width.bit_length() - 1][start // width]
        k = _split(width)
        return node_hash(self.subtree_root(start, start + k), self.subtree_root(start + k, end))


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``hashes`` (RFC 9162 §2.1.3.1), bottom up."""
    return MerkleTree(hashes).inclusion_proof(index)


def consistency_proof(old_size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """The proof that the tree of the first ``old_size`` leaves is a prefix of the tree of ``hashes``
    (RFC 9162 §2.1.4.1); empty when the sizes are equal."""
    return MerkleTree(hashes).consistency_proof(old_size)


def _skip_promoted(fn: int, sn: int) -> tuple[int, int]:
    """Climb past levels where the node is a promoted right-edge node (RFC 9162 §2.1.3.2 step 3.2)."""
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is at ``index`` in the tree of ``size`` with ``expected_root``.

    Raises :class:`ProofError` naming the first problem; returns None when the proof holds.
    """
    if index < 0 or size <= 0 or index >= size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    _check_hash(leaf, "leaf hash")
    _check_hash(expected_root, "root")
    for node in proof:
        _check_hash(node, "proof node")
    fn, sn, current = index, size - 1, leaf
    for node in proof:
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            current = node_hash(node, current)
            fn, sn = _skip_promoted(fn, sn)
        else:
            current = node_hash(current, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    if current != expected_root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``old_size`` leaves with ``old_root`` is a prefix of the tree of
    ``new_size`` leaves with ``new_root``.  Raises :class:`ProofError` on the first problem."""
    if old_size <= 0:
        raise ProofError("consistency from an empty tree is meaningless (every tree extends it)")
    if old_size > new_size:
        raise ProofError(f"old size {old_size} is larger than new size {new_size}")
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    for node in proof:
        _check_hash(node, "proof node")
    if old_size == new_size:
        if proof:
            raise ProofError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise ProofError("equal sizes but different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            first = node_hash(node, first)
            second = node_hash(node, second)
            fn, sn = _skip_promoted(fn, sn)
        else:
            second = node_hash(second, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if first != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if second != new_root:
        raise ProofError("consistency proof does not lead to the new root")
