"""Reconciliation runs and the actualization queue (regulation clause 22).

A :class:`Mismatch` is one field of one person that a registry reports differently from the hub:
both values, the source, the X-Road message id of the registry's answer and when it was seen.  At
most one *open* flag (open or in review) exists per person, field and source — a partial unique
index enforces it, so a re-run can never duplicate a flag.  Every status change is a
:class:`MismatchEvent` (who, when, why); an actualization writes the old value to
:class:`PersonFieldHistory`.  :class:`SyncRun` is the run record (counts, duration) and its
checkpoint, from which an interrupted run resumes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from sanarip_hub.domain.codes import MismatchStatus, SyncRunStatus, SyncSource
from sanarip_hub.storage.base import Base, IdType, UTCDateTime, code_list, id_column

OPEN_STATUSES = "status IN ('open', 'in_review')"


class SyncRun(Base):
    __tablename__ = "sync_run"

    id: Mapped[int] = id_column()
    source: Mapped[SyncSource] = mapped_column(code_list(SyncSource, "sync_source"))
    lsg_id: Mapped[int | None] = mapped_column(ForeignKey("lsg_body.id"))
    person_limit: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[SyncRunStatus] = mapped_column(code_list(SyncRunStatus, "sync_run_status"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkpoint_person_id: Mapped[int] = mapped_column(IdType, server_default="0")  # last person done
    checked: Mapped[int] = mapped_column(Integer, server_default="0")
    matched: Mapped[int] = mapped_column(Integer, server_default="0")
    mismatched: Mapped[int] = mapped_column(Integer, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, server_default="0")
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)


class SyncChunk(Base):
    """People ``after_id < id <= up_to_id`` of a run (the last chunk of a run without a limit is
    open-ended): claimed by one process at a time, done once (:mod:`sanarip_hub.storage.sync_runs`)."""

    __tablename__ = "sync_chunk"

    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.id"), primary_key=True)
    chunk_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    after_id: Mapped[int] = mapped_column(IdType)
    up_to_id: Mapped[int | None] = mapped_column(IdType)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # host:pid
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    people: Mapped[int] = mapped_column(Integer, server_default="0")


class Mismatch(Base):
    __tablename__ = "mismatch"
    __table_args__ = (
        Index(
            "uq_mismatch_open",
            "person_id",
            "field",
            "source",
            unique=True,
            sqlite_where=text(OPEN_STATUSES),
            postgresql_where=text(OPEN_STATUSES),
        ),
        Index("ix_mismatch_status", "status", "detected_at"),
    )

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    source: Mapped[SyncSource] = mapped_column(code_list(SyncSource, "mismatch_source"))
    hub_value: Mapped[str | None] = mapped_column(Text)
    registry_value: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id"))
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[MismatchStatus] = mapped_column(code_list(MismatchStatus, "mismatch_status"))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # moves and re-flags add one: a decision names the version it was made on (a stale page is refused)
    version: Mapped[int] = mapped_column(Integer, server_default="1")


class MismatchEvent(Base):
    """Who moved a mismatch from which status to which, when and why."""

    __tablename__ = "mismatch_event"

    id: Mapped[int] = id_column()
    mismatch_id: Mapped[int] = mapped_column(ForeignKey("mismatch.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_status: Mapped[MismatchStatus | None] = mapped_column(
        code_list(MismatchStatus, "from_mismatch_status")
    )
    to_status: Mapped[MismatchStatus] = mapped_column(code_list(MismatchStatus, "to_mismatch_status"))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(500))


class PersonFieldHistory(Base):
    """A person's field before an actualization changed it (personal data is never overwritten
    without a trace)."""

    __tablename__ = "person_field_history"

    id: Mapped[int] = id_column()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(100))
    mismatch_id: Mapped[int | None] = mapped_column(ForeignKey("mismatch.id"))
