"""Times in the hub's time zone with the zone named, numbers grouped as the page's language groups
them (issue 17: the console showed UTC without saying so, in four different formats)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from sanarip_hub.console.formats import moment_text, number_text
from sanarip_hub.storage.models import LedgerEntryRow
from tests.console.conftest import Hub, login

BISHKEK = ZoneInfo("Asia/Bishkek")


def test_a_moment_is_local_time_with_its_zone() -> None:
    moment = datetime(2026, 12, 3, 18, 30, 5, tzinfo=UTC)
    assert moment_text(moment, BISHKEK) == "2026-12-04 00:30 +06"
    assert moment_text(moment.replace(tzinfo=None), BISHKEK, seconds=True) == "2026-12-04 00:30:05 +06"
    assert moment_text(int(moment.timestamp() * 1000), ZoneInfo("UTC")) == "2026-12-03 18:30 UTC"
    assert moment_text(None, BISHKEK) == "—"


@pytest.mark.parametrize(
    ("language", "text"), [("ky", "1\u00a0234\u00a0567"), ("ru", "1\u00a0234\u00a0567"), ("en", "1,234,567")]
)
def test_numbers_are_grouped_as_the_language_groups_them(language: str, text: str) -> None:
    assert number_text(1234567, language) == text
    assert number_text("—", language) == "—"


@pytest.mark.integration
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_exchange_pages_show_the_hubs_local_time(hub: Hub, language: str) -> None:
    client = login(hub, "operator")
    with hub.engine.connect() as connection:
        entry = connection.execute(select(LedgerEntryRow).order_by(LedgerEntryRow.seq).limit(1)).one()
    local = datetime.fromtimestamp(entry.time_ms / 1000, BISHKEK).strftime("%Y-%m-%d %H:%M:%S")
    utc = datetime.fromtimestamp(entry.time_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
    headers = {"accept-language": language}
    detail = client.get(f"/operator/exchanges/{entry.seq}", headers=headers).text
    listed = client.get("/operator/exchanges", params={"message_id": entry.message_id}, headers=headers).text
    for page in (detail, listed):
        assert f"{local} +06" in page
        assert utc not in page
