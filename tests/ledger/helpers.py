"""Ledger test helpers, importable by spawned worker processes."""

from __future__ import annotations

import os
import sys

from sanarip_hub.config import Settings, load_settings
from sanarip_hub.domain.exchange import Channel, Direction, Exchange
from sanarip_hub.ledger.keys import ledger_origin, load_keys
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.turn import host_turn
from sanarip_hub.storage.engine import make_engine

SF = "SUBSYSTEM:central-server/GOV/70000003/sf-personal-data"


def exchange(n: int, pins: tuple[str, ...] = ("21705198091234",), outcome: str = "ok") -> Exchange:
    return Exchange(
        direction=Direction.IN,
        channel=Channel.SOAP,
        service_id="SERVICE:central-server/GOV/70000050/sanaripaymak-service/householdByPin/v1",
        outcome=outcome,
        message_id=f"msg-{n}",
        client_id=SF,
        user_id="EE12345",
        issue=f"case-{n}",
        agreement_id="SA-2026-001",
        subjects=pins,
        request_digest="ab" * 32,
        request_bytes=1200 + n,
        response_digest="cd" * 32,
        response_bytes=5400,
        duration_ms=12,
    )


def open_ledger(settings: Settings, interval: int = 3600, turn: bool = False) -> Ledger:
    """A ledger writer on ``settings``' database; with ``turn``, it takes turns with the other
    writers of the same data directory as ``serve``'s workers do."""
    return Ledger(
        make_engine(settings),
        load_keys(settings),
        ledger_origin(settings),
        interval,
        turn=host_turn(settings) if turn else None,
    )


def append_worker(env: dict[str, str], worker: int, count: int, batch: int) -> None:
    """Append ``count`` entries in batches (run in a separate process)."""
    ledger = open_ledger(load_settings(environ=env), interval=0)
    done = 0
    while done < count:
        size = min(batch, count - done)
        ledger.append_many([exchange(worker * 1_000_000 + done + i) for i in range(size)])
        done += size
    ledger.engine.dispose()


if __name__ == "__main__":  # python -m tests.ledger.helpers WORKER COUNT BATCH: append forever-ish
    append_worker(dict(os.environ), int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
