"""The exchange log's part-of-a-name filters read the ledger back in windows of sequence numbers
(PostgreSQL scanned and sorted the whole ledger for them): the pages are exactly those a reading of
every entry, newest first, gives, across window edges, with ``before`` paging and other filters."""

from __future__ import annotations

import pytest

from sanarip_hub.domain.exchange import Channel, Direction, Exchange
from sanarip_hub.ledger.keys import init_keys
from sanarip_hub.storage import console_queries
from sanarip_hub.storage.console_queries import LogFilter, exchange_log
from tests.conftest import HubDb
from tests.ledger.helpers import open_ledger

pytestmark = pytest.mark.integration  # PostgreSQL among the back ends

ENTRIES = 3_000
RARE = {7, 8, 1_499, 1_500, 2_047, 2_048, 2_049, 2_990}  # around the window edges of 64, 128, 256 …


def client_of(n: int) -> str:
    return f"SUBSYSTEM:central-server/GOV/7000000{n % 3}/{'Rare-Body' if n in RARE else 'common'}"


def service_of(n: int) -> str:
    code = "landQueuePosition" if n % 5 == 0 else "householdByPin"
    return f"SERVICE:central-server/GOV/70000050/sanaripaymak-service/{code}/v1"


@pytest.fixture
def log(hub_db: HubDb, monkeypatch: pytest.MonkeyPatch) -> HubDb:
    init_keys(hub_db.settings)
    ledger = open_ledger(hub_db.settings)
    batch = [
        Exchange(
            Direction.IN,
            Channel.SOAP,
            service_id=service_of(n),
            outcome="ok" if n % 7 else "Server.ServerProxy.ServiceFailed",
            message_id=f"m-{n}",
            client_id=client_of(n),
        )
        for n in range(ENTRIES)
    ]
    for start in range(0, ENTRIES, 1000):
        ledger.append_many(batch[start : start + 1000])
    monkeypatch.setattr(console_queries, "PARTIAL_WINDOW", 64)  # many windows in a small ledger
    return hub_db


def newest_first(match: object) -> list[int]:
    return [n for n in reversed(range(ENTRIES)) if match(n)]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("where", "match"),
    [
        (LogFilter(client="rare-bod"), lambda n: n in RARE),
        (LogFilter(client="RARE", outcome="ok"), lambda n: n in RARE and n % 7),
        (LogFilter(service="landqueue"), lambda n: n % 5 == 0),
        (LogFilter(client="70000001/COMMON", service="LANDQUEUE"), lambda n: n % 3 == 1 and n % 5 == 0),
        (LogFilter(client="no-such-body"), lambda n: False),
    ],
)
def test_part_of_a_name_pages_are_those_of_a_full_reading(
    log: HubDb, where: LogFilter, match: object
) -> None:
    expected = newest_first(match)
    keys = open_ledger(log.settings).keys.pin_key
    seen: list[int] = []
    before = None
    for _ in range(ENTRIES):  # page through to the end, as the page's "older" link does
        page = [row["seq"] for row in exchange_log(log.engine, keys, where, before, page=5)]
        seen.extend(page)
        if len(page) < 5:
            break
        before = page[-1]
    assert seen == expected
