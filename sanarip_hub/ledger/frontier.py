"""The Merkle frontier ("compact range"): the roots of the maximal perfect subtrees of a growing tree.

It is all an append needs to know to keep the RFC 9162 root current in O(log n) space and time:
appending merges equal-size subtrees (like a binary counter carrying), and the root is the right-to-
left fold of the frontier.  The ledger head row stores it, so checkpoints never re-read entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanarip_hub.ledger.merkle import EMPTY_ROOT, HASH_SIZE, node_hash


@dataclass
class Frontier:
    """Perfect-subtree roots of a tree of ``size`` leaves, largest (leftmost) first."""

    size: int = 0
    roots: list[bytes] = field(default_factory=list)

    @classmethod
    def decode(cls, size: int, data: bytes) -> Frontier:
        roots = [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]
        if len(roots) != size.bit_count():
            raise ValueError(f"frontier of {len(roots)} roots does not fit a tree of size {size}")
        return cls(size, roots)

    def encode(self) -> bytes:
        return b"".join(self.roots)

    def append(self, leaf: bytes) -> None:
        current = leaf
        carry = self.size
        while carry & 1:  # each trailing 1 bit is a subtree of the same size: merge
            current = node_hash(self.roots.pop(), current)
            carry >>= 1
        self.roots.append(current)
        self.size += 1

    def append_subtree(self, level: int, digest: bytes) -> None:
        """Append a whole perfect subtree of ``2**level`` leaves (the tree's size must be a multiple
        of it): how stretches verified in other processes are stitched into one tree."""
        width = 1 << level
        if self.size % width:
            raise ValueError(f"a subtree of {width} leaves cannot start at {self.size}")
        current = digest
        carry = self.size >> level
        while carry & 1:
            current = node_hash(self.roots.pop(), current)
            carry >>= 1
        self.roots.append(current)
        self.size += width

    def copy(self) -> Frontier:
        return Frontier(self.size, list(self.roots))

    def root(self) -> bytes:
        if not self.roots:
            return EMPTY_ROOT
        current = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            current = node_hash(left, current)
        return current
