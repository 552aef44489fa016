"""Shared fixtures: a fresh hub database on SQLite and on PostgreSQL for every storage test.

PostgreSQL isolation: each test gets its own schema (``t_<random>``) in the ``test`` database,
dropped afterwards, so parallel workers and repeated runs never see each other's rows.  The suite
does not skip PostgreSQL when it is missing: CI must prove both back ends, so an unreachable server
is an error (``.ci/run`` starts it).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text

from sanarip_hub.config import Settings, load_settings
from sanarip_hub.storage import migrate
from sanarip_hub.storage.engine import make_engine

XROAD_DATA = Path(__file__).resolve().parent / "data" / "xroad"  # the X-Road corpus, copied (data/README.md)
PG_URL = os.environ.get("SANARIP_HUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


@dataclass
class HubDb:
    """One isolated hub database: its settings, an engine, and the environment a CLI run needs."""

    backend: str
    settings: Settings
    engine: Engine
    env: dict[str, str]


def hub_environment(backend: str, home: Path) -> dict[str, str]:
    """Environment variables that point the hub at a fresh database of ``backend``."""
    env = {"SANARIP_HUB_HOME": str(home)}
    if backend == "postgresql":
        env["SANARIP_HUB_DATABASE_URL"] = PG_URL
        env["SANARIP_HUB_DATABASE_SCHEMA"] = f"t_{secrets.token_hex(6)}"
    return env


def drop_schema(schema: str) -> None:
    """Drop a test's schema; a process of the test still holding a lock in it makes this an error
    after 60 s (lock_timeout) instead of a teardown that waits for ever."""
    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL lock_timeout = '60s'"))
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db(backend: str, tmp_path: Path) -> Iterator[HubDb]:
    """A reachable database with no hub tables."""
    env = hub_environment(backend, tmp_path / "home")
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    try:
        yield HubDb(backend, settings, engine, env)
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop_schema(settings.database.schema)


def publish_crosswalk(db: HubDb) -> Path:
    """Write the simulated address bureau's crosswalk where the hub reads it by default, as
    ``simulate --crosswalk`` does for the loopback tests."""
    from mappings.address_codes import write_crosswalk
    from sanarip_hub.entrypoints.jobs import DEFAULT_CROSSWALK
    from sanarip_hub.simulator.records import bureau_crosswalk
    from sanarip_hub.storage.people import PeopleRegister

    path = db.settings.hub.home / DEFAULT_CROSSWALK
    write_crosswalk(path, bureau_crosswalk(PeopleRegister(db.engine).settlements()))
    return path


def forget_pins(db: HubDb, every: int) -> int:
    """Take the PIN from every ``every``-th person (by id), as a book holds people registered
    before they had one: the seed leaves only 0.2 % without, too few for a small test country.
    Returns how many."""
    from sqlalchemy import update

    from sanarip_hub.storage.models import Person, PersonPinAlias

    with db.engine.begin() as connection:
        chosen = Person.id % every == 0
        connection.execute(
            PersonPinAlias.__table__.delete().where(  # type: ignore[attr-defined]
                PersonPinAlias.person_id.in_(select(Person.id).where(chosen))
            )
        )
        return int(
            connection.execute(update(Person).where(chosen).values(pin=None, pin_status="none")).rowcount
        )


@contextmanager
def seeded_sqlite(home: Path, households: int, lsg: int, seed: int, keys: bool = False) -> Iterator[HubDb]:
    """A small seeded country on embedded SQLite in ``home`` (with ledger keys if asked)."""
    from sanarip_hub.ledger.keys import init_keys
    from sanarip_hub.synthetic.seed import seed_country

    env = {"SANARIP_HUB_HOME": str(home)}
    settings = load_settings(environ=env)
    engine = make_engine(settings)
    migrate.upgrade(engine)
    seed_country(engine, households, lsg, seed, append=False)
    if keys:
        init_keys(settings)
    try:
        yield HubDb("sqlite", settings, engine, env)
    finally:
        engine.dispose()


@pytest.fixture
def hub_db(empty_db: HubDb) -> HubDb:
    """A database migrated to the newest schema, with no rows."""
    migrate.upgrade(empty_db.engine)
    return empty_db


@pytest.fixture
def cli_env(backend: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment variables for a CLI subprocess on a fresh database of ``backend``."""
    env = hub_environment(backend, tmp_path / "home")
    yield env
    if backend == "postgresql":
        drop_schema(env["SANARIP_HUB_DATABASE_SCHEMA"])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``integration``: a test that needs the PostgreSQL server, or is marked so by its module
    (servers, processes or a browser on loopback).  ``make check`` runs the rest."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in [str(v) for v in callspec.params.values()]:
            item.add_marker(pytest.mark.integration)
