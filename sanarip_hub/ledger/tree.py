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

from sqlalchemy import Engine, insert, select

from sanarip_hub.ledger.merkle import EMPTY_ROOT, MerkleTree, Proofs, _split, leaf_hash, node_hash, root
from sanarip_hub.storage.models import LedgerArchive, LedgerEntryRow, LedgerHead, LedgerTile

TILE = 256


class LedgerTree(Proofs):
    """Subtree roots and RFC 9162 proofs of the first ``size`` leaves of the stored ledger."""

    def __init__(self, engine: Engine, archive_dir: Path | None, size: int | None = None) -> None:
        self.engine = engine
        self.archive_dir = archive_dir
        with engine.connect() as connection:
            head_size = connection.execute(select(LedgerHead.size).where(LedgerHead.id == 1)).scalar_one()
            self.segments = [
                (row.first_seq, row.end_seq, row.file)
                for row in connection.execute(select(LedgerArchive).order_by(LedgerArchive.segment))
            ]
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
            with self.engine.connect() as connection:
                found += [
                    bytes(h)
                    for h in connection.execute(
                        select(LedgerEntryRow.entry_hash)
                        .where(LedgerEntryRow.seq >= live_from, LedgerEntryRow.seq < end)
                        .order_by(LedgerEntryRow.seq)
                    ).scalars()
                ]
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
        with self.engine.connect() as connection:
            stored = dict(
                connection.execute(
                    select(LedgerTile.idx, LedgerTile.hash).where(LedgerTile.idx < count)
                ).all()
            )
        missing = [i for i in range(count) if i not in stored]
        if missing:
            fresh = []
            for index in missing:
                tile = root(self.leaves(index * TILE, (index + 1) * TILE))
                stored[index] = tile
                fresh.append({"idx": index, "hash": tile})
            with self.engine.begin() as connection:
                statement = insert(LedgerTile)
                if connection.dialect.name == "sqlite":
                    statement = statement.prefix_with("OR IGNORE")
                else:
                    from sqlalchemy.dialects.postgresql import insert as pg_insert

                    statement = pg_insert(LedgerTile).on_conflict_do_nothing()
                for offset in range(0, len(fresh), 5000):
                    connection.execute(statement, fresh[offset : offset + 5000])
        return [bytes(stored[i]) for i in range(count)]

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
    found: dict[int, bytes] = {}
    with engine.connect() as connection:
        for seq, body in connection.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.body).where(LedgerEntryRow.seq.in_(sorted(wanted)))
        ) if len(wanted) < 30_000 else connection.execute(
            select(LedgerEntryRow.seq, LedgerEntryRow.body).where(
                LedgerEntryRow.seq >= min(wanted), LedgerEntryRow.seq <= max(wanted)
            )
        ):  # fmt: skip
            if seq in wanted:
                found[seq] = bytes(body)
        segments = list(connection.execute(select(LedgerArchive).order_by(LedgerArchive.segment)))
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
