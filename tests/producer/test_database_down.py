"""The database goes away under a running producer: clear faults, nothing sent unrecorded, and the
producer serves again when the database is back (PostgreSQL: the schema is renamed away and back)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sanarip_hub.config import load_settings
from sanarip_hub.ledger.keys import ledger_origin, load_keys
from sanarip_hub.ledger.verify import verify_ledger
from sanarip_hub.storage.engine import make_engine
from tests.conftest import PG_URL, drop_schema
from tests.producer.conftest import (
    SF,
    Served,
    envelope,
    fault_code,
    free_port,
    pin_body,
    post,
    prepared_home,
    start_server,
    wait_until_serving,
)

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


def rename(old: str, new: str) -> None:
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text(f'ALTER SCHEMA "{old}" RENAME TO "{new}"'))
    engine.dispose()


def test_a_vanished_database_gives_clear_faults_and_the_producer_recovers(tmp_path: Path) -> None:
    env = prepared_home("postgresql", tmp_path / "home")
    settings = load_settings(environ=env)
    schema = settings.database.schema
    engine = make_engine(settings)
    port = free_port()
    process = start_server(env, port)
    served = Served("postgresql", f"http://127.0.0.1:{port}", env, settings, engine, process)
    try:
        wait_until_serving(served.url, process)
        served.agree("SA-DOWN", SF, ["householdByPin"])
        pin = served.pins()[0]
        request = envelope("householdByPin", pin_body("householdByPin", pin))
        assert fault_code(post(served, request)) is None
        before = served.ledger_size()

        rename(schema, f"{schema}_away")
        try:
            for _ in range(3):
                response = post(served, request)
                assert response.status_code == 200
                # the data could not be read, and the refusal could not be ledgered either:
                # the client is told so, and no household data leaves unrecorded
                assert fault_code(response) == "Server.LoggingFailed"
                assert b"nothing was sent" in response.content
                served.alive()
        finally:
            rename(f"{schema}_away", schema)

        assert fault_code(post(served, request)) is None
        assert served.ledger_size() == before + 1
        result = verify_ledger(engine, load_keys(settings).verifier, ledger_origin(settings))
        assert result.size == before + 1
    finally:
        process.terminate()
        process.wait(timeout=20)
        engine.dispose()
        drop_schema(schema)
