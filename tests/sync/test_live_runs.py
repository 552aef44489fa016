"""Which unfinished runs a standby scheduler joins: one started or progressing lately, not one left
behind (by a registry that went down) long ago — joining that would only call the dead registry
again every ``join_every`` seconds.  Both back ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.storage.models import SyncChunk
from sanarip_hub.storage.sync_runs import SyncRunTable
from tests.conftest import HubDb

pytestmark = pytest.mark.integration  # PostgreSQL among the back ends


def test_only_runs_started_or_progressing_lately_are_live(hub_db: HubDb) -> None:
    runs = SyncRunTable(hub_db.engine)
    now = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
    civil, _ = runs.start(SyncSource.CIVIL_REGISTRY, None, None, now - timedelta(hours=3))
    tax, _ = runs.start(SyncSource.TAX, None, None, now - timedelta(seconds=30), low_income_only=True)
    assert runs.live(now) == [(SyncSource.TAX, None)]  # the civil run was left three hours ago
    with hub_db.engine.begin() as connection:  # someone finished a chunk of it a minute ago
        connection.execute(
            update(SyncChunk)
            .where(SyncChunk.run_id == civil.id, SyncChunk.chunk_no == 0)
            .values(done_at=now - timedelta(minutes=1))
        )
    assert runs.live(now) == [(SyncSource.CIVIL_REGISTRY, None), (SyncSource.TAX, None)]
    assert runs.live(now + timedelta(minutes=5)) == []  # quiet for five minutes: neither is live
    assert tax.id != civil.id
