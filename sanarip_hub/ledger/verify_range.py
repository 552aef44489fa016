"""Verification spread over processes: each checks a stretch of entries, the parent stitches.

A worker reads entries ``[start, end)`` with its own connection and checks each one exactly as
the sequential walk does (hash, hashed bytes against the columns, sequence, chain link, subject
index).  What it hands back is small: the stretch's first ``prev`` and last hash (the parent checks
that consecutive stretches link), and the stretch's leaves folded into aligned perfect subtrees
(a *compact range*), also for every checkpoint size inside the stretch.  The parent appends those
subtrees to the Merkle frontier it carries, so the tree root at every checkpoint is computed as
exactly as by the walk, without the parent touching a single entry.

Stretches start at multiples of ``STRETCH`` (2^16), so every subtree a worker folds is aligned
in the whole tree as well as in its own leaves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sanarip_hub.ledger.merkle import MerkleTree, root

if TYPE_CHECKING:  # handed to storage
    from sqlalchemy import Engine

STRETCH = 1 << 16
CHUNK = 20_000


@dataclass
class Stretch:
    start: int
    end: int  # one past the last entry read
    first_prev: bytes | None
    last_hash: bytes | None
    blocks: list[tuple[int, bytes]]  # (level, root) covering [start, end), left to right
    at_sizes: dict[int, list[tuple[int, bytes]]]  # checkpoint size -> blocks covering [start, size)
    error: tuple[int, str, str] | None = None


def blocks(start: int, end: int, leaves: list[bytes], tree: MerkleTree | None) -> list[tuple[int, bytes]]:
    """``[start, end)`` as maximal aligned perfect subtrees (``leaves[0]`` is leaf ``start``)."""
    found = []
    position = start
    while position < end:
        level = (position & -position).bit_length() - 1 if position else 62
        while position + (1 << level) > end:
            level -= 1
        width = 1 << level
        offset = position - start
        if tree is not None:
            found.append((level, tree.levels[level][offset >> level]))
        else:
            found.append((level, root(leaves[offset : offset + width])))
        position += width
    return found


class StretchCheck(Protocol):
    """Checks one stretch in a worker process, opening its own connection there; picklable (the
    composition root's ``functools.partial`` of a module-level function)."""

    def __call__(self, start: int, end: int, sizes: list[int], stretch: int) -> Stretch: ...


@dataclass(frozen=True)
class Parallel:
    """How to spread a verification: the stretch check each worker runs, and how many workers."""

    check: StretchCheck | Callable[[int, int, list[int], int], Stretch]
    workers: int


def check_stretch(engine: Engine, start: int, end: int, sizes: list[int], stretch: int = STRETCH) -> Stretch:
    """Check entries ``start .. end-1`` with ``engine`` (in a worker process); errors come back,
    not raised.  The caller disposes of the engine."""
    from sanarip_hub.errors import LedgerIntegrityError
    from sanarip_hub.ledger.verify import check_rows
    from sanarip_hub.storage.ledger_rows import LedgerRows

    leaves: list[bytes] = []
    first_prev: bytes | None = None
    prev = b""
    expected = start
    try:
        with LedgerRows(engine).scan() as scan:
            for window in range(start, end, CHUNK):
                rows: Any = scan.entries(window, min(window + CHUNK, end))
                if not rows:
                    continue
                subjects = scan.subjects(rows[0][0], rows[-1][0])
                if first_prev is None:
                    if rows[0][0] != expected:
                        raise LedgerIntegrityError(
                            expected,
                            "missing",
                            f"entry {expected} is missing (the next stored entry is {rows[0][0]})",
                        )
                    first_prev = prev = bytes(rows[0][1])
                prev, expected = check_rows(rows, subjects, prev, expected, leaves)
    except LedgerIntegrityError as problem:
        return Stretch(start, expected, first_prev, None, [], {}, (problem.seq, problem.kind, problem.detail))
    tree = MerkleTree(leaves) if start % stretch == 0 else None
    at_sizes = {size: blocks(start, size, leaves, tree) for size in sizes if start < size <= expected}
    return Stretch(start, expected, first_prev, prev or None, blocks(start, expected, leaves, tree), at_sizes)
