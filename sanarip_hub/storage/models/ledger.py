"""The exchange and access ledger's tables (see :mod:`sanarip_hub.ledger`).

``ledger_entry`` keeps, for each entry, the exact canonical bytes that were hashed (``body``) beside
the queryable columns: verification compares the two, so editing a column, the body or the hash is
each caught and named.  ``ledger_head`` is one row holding the size, the last hash and the Merkle
frontier; every append locks it, which is what serialises writers on both back ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.storage.base import Base, UTCDateTime, id_column

SeqType = BigInteger().with_variant(Integer(), "sqlite")


class LedgerEntryRow(Base):
    """One ledger entry."""

    __tablename__ = "ledger_entry"
    __table_args__ = (
        Index("ix_ledger_entry_time", "time_ms"),
        # (column, seq): "this client's (service's, outcome's, agreement's) entries, newest first" is
        # one backward index range scan, however many millions of entries the ledger holds
        Index("ix_ledger_entry_client", "client_id", "seq"),
        Index("ix_ledger_entry_agreement", "agreement_id", "seq"),
        Index("ix_ledger_entry_outcome", "outcome", "seq"),
        Index("ix_ledger_entry_service", "service_id", "seq"),
        Index("ix_ledger_entry_message", "message_id"),
    )

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    time_ms: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    service_id: Mapped[str] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))
    client_id: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[str | None] = mapped_column(String(200))
    issue: Mapped[str | None] = mapped_column(String(300))
    represented_party: Mapped[str | None] = mapped_column(String(300))
    agreement_id: Mapped[str | None] = mapped_column(String(100))
    subjects_sealed: Mapped[str | None] = mapped_column(Text)
    request_digest: Mapped[str | None] = mapped_column(String(64))  # keyed (HMAC-SHA-256) from schema 2
    request_bytes: Mapped[int | None] = mapped_column(BigInteger)
    response_digest: Mapped[str | None] = mapped_column(String(64))
    response_bytes: Mapped[int | None] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    entry_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    body: Mapped[bytes] = mapped_column(LargeBinary)


class LedgerSubject(Base):
    """Which entries concern which data subject, by keyed PIN hash (the search index by PIN)."""

    __tablename__ = "ledger_subject"

    pin_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # no foreign key: written only with its entries, checked by verification (migration 0019)
    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)


class LedgerHead(Base):
    """The single row every append locks: size, last entry hash, Merkle frontier."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    frontier: Mapped[bytes] = mapped_column(LargeBinary)  # roots of the maximal perfect subtrees
    last_checkpoint_ms: Mapped[int] = mapped_column(BigInteger)


class LedgerCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint as a signed note) of the tree at ``size``."""

    __tablename__ = "ledger_checkpoint"

    size: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    time_ms: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)


class LedgerArchive(Base):
    """A signed, hash-linked archive segment holding entries ``first_seq .. end_seq - 1``."""

    __tablename__ = "ledger_archive"

    segment: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_seq: Mapped[int] = mapped_column(BigInteger)
    end_seq: Mapped[int] = mapped_column(BigInteger)
    file: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text)


class LedgerVerification(Base):
    """The result of each full verification of the ledger (the console's "verify now" and the CLI)."""

    __tablename__ = "ledger_verification"

    id: Mapped[int] = id_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    ok: Mapped[bool] = mapped_column(Boolean)
    size: Mapped[int] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(String(1000))


class LedgerTile(Base):
    """The root of a complete 256-leaf tile (leaves ``idx*256 .. idx*256+255``): a cache for proofs
    (``ledger.tree``), recomputable from the entries and archive segments, never evidence itself."""

    __tablename__ = "ledger_tile"

    idx: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerCosignature(Base):
    """A witness's cosignature line on a signed checkpoint (also kept in the checkpoint log)."""

    __tablename__ = "ledger_cosignature"

    size: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    witness: Mapped[str] = mapped_column(String(200), primary_key=True)
    signed_at: Mapped[int] = mapped_column(BigInteger)  # the cosignature's own timestamp (s)
    line: Mapped[str] = mapped_column(Text)
