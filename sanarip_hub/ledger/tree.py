"""The whole ledger's Merkle tree, live and archived, for proofs (witnesses, evidence bundles).

Proofs need the roots of ranges of leaves.  Reading every leaf hash for each proof would cost a
scan of the ledger; instead the roots of complete 256-leaf tiles are kept in ``ledger_tile`` (the
C2SP tlog-tiles idea, one level of it), filled on first need from the entries or, for archived
ranges, from the archive segments.  A range made of whole tiles costs tile lookups; only the
ragged ends of a proof read leaves (at most one partial tile each).

The tile table is a cache, not evidence: a wrong tile makes a proof that does not verify against
the signed checkpoint, so it can stop a proof, never forge one.
"""

from __future__ import annotations

import json
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sanarip_hub.ledger.merkle import EMPTY_ROOT, MerkleTree, Proofs, _split, leaf_hash, node_hash, root
from sanarip_hub.storage.ledger_rows import LedgerRows

if TYPE_CHECKING:  # handed to storage
    from sqlalchemy import Engine

TILE = 256


class LedgerTree(Proofs):
    """Subtree roots and RFC 9162 proofs of the first ``size`` leaves of the stored ledger."""

    def __init__(self, engine: Engine, archive_dir: Path | None, size: int | None = None) -> None:
        self.engine = engine
        self.archive_dir = archive_dir
        self.rows = LedgerRows(engine)
        head_size = self.rows.head_size()
        self.segments = [(row.first_seq, row.end_seq, row.file) for row in self.rows.segments()]
        self.size = head_size if size is None else size
        self._tiles = MerkleTree(self._tile_roots(self.size // TILE))

    # -- leaves --------------------------------------------------------------------------------------

    def leaves(self, start: int, end: int) -> list[bytes]:
        """Leaf hashes ``start .. end-1``: archived ones from their segments, the rest from rows."""
        found: list[bytes] = []
        for first, stop, name in self.segments:
            if first < end and start < stop:
                hashes = self._segment_leaves(name)
                found += hashes[max(start, first) - first : min(end, stop) - first]
        live_from = start + len(found)
        if live_from < end:
            found += self.rows.entry_hashes(live_from, end)
        if len(found) != end - start:
            raise LookupError(f"leaves {start}..{end - 1} are not all stored (found {len(found)})")
        return found

    @lru_cache(maxsize=4)  # noqa: B019 - a tree lives for one export or one submission
    def _segment_leaves(self, name: str) -> list[bytes]:
        if self.archive_dir is None:
            raise LookupError("archived leaves need the archive directory")
        with zipfile.ZipFile(self.archive_dir / name) as archive:
            return [leaf_hash(line) for line in archive.read("entries.jsonl").splitlines()]

    # -- tiles ---------------------------------------------------------------------------------------

    def _tile_roots(self, count: int) -> list[bytes]:
        """Roots of tiles ``0 .. count-1``, computing and storing the missing ones."""
        stored = self.rows.tiles(count)
        fresh = {i: root(self.leaves(i * TILE, (i + 1) * TILE)) for i in range(count) if i not in stored}
        if fresh:
            self.rows.add_tiles(fresh)
            stored.update(fresh)
        return [stored[i] for i in range(count)]

    # -- roots -----------------------------------------------------------------------------------------

    def subtree_root(self, start: int, end: int) -> bytes:
        width = end - start
        if width <= 0:
            return EMPTY_ROOT
        if width >= TILE and width & (width - 1) == 0 and start % width == 0:
            return self._tiles.subtree_root(start // TILE, end // TILE)
        if width <= TILE and start // TILE == (end - 1) // TILE:  # within one tile: its leaves
            return root(self.leaves(start, end))
        k = _split(width)
        return node_hash(self.subtree_root(start, start + k), self.subtree_root(start + k, end))


def bodies(engine: Engine, archive_dir: Path | None, seqs: list[int]) -> dict[int, bytes]:
    """The hashed bytes of entries ``seqs``, from rows or archive segments."""
    wanted = set(seqs)
    rows = LedgerRows(engine)
    found = rows.bodies(wanted)
    segments = rows.segments()
    for segment in segments:
        if archive_dir is None or not any(
            segment.first_seq <= s < segment.end_seq for s in wanted - set(found)
        ):
            continue
        with zipfile.ZipFile(archive_dir / segment.file) as archive:
            for line in archive.read("entries.jsonl").splitlines():
                seq = json.loads(line)["seq"]
                if seq in wanted:
                    found[seq] = line
    return found
