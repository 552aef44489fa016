"""Reconciliation without sockets: the real consumers, over an in-process transport, call the
registry simulator's own ASGI application (as httpx's ``ASGITransport`` would), and the run
flags what the simulator says it injected.  The same rules the loopback tests check end to end,
in a fraction of the time; faults come from the simulator too, and the breaker's pauses pass on
a clock the test moves instead of sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from adapters.xroad.transport import AsgiTransport
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.entrypoints.jobs import checker_for
from sanarip_hub.errors import ConsumerError, RegistryUnavailable
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.simulator.app import build_simulator, parse_faults
from sanarip_hub.simulator.records import RegistryData
from sanarip_hub.storage.models import Address, Household, HouseholdMember, LedgerEntryRow, Mismatch, Person
from sanarip_hub.storage.people import PeopleRegister
from sanarip_hub.storage.sync_runs import SyncRunTable
from sync_jobs.reconcile import run_sync
from tests.clock import ManualClock
from tests.conftest import HubDb, publish_crosswalk, seeded_sqlite
from tests.sync.conftest import flag_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubDb]:
    """A small seeded country on embedded SQLite, with ledger keys."""
    with seeded_sqlite(tmp_path_factory.mktemp("in-process"), 80, 1, 17, keys=True) as db:
        publish_crosswalk(db)
        yield db


def flagged(db: HubDb) -> set[tuple[str | None, str]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(Person.pin, Mismatch.field, Mismatch.registry_value).join(
                Person, Person.id == Mismatch.person_id
            )
        )
        return {flag_key(*row) for row in rows}


def test_the_run_flags_exactly_what_the_simulator_injected(country: HubDb, tmp_path: Path) -> None:
    data = RegistryData(PeopleRegister(country.engine), 0.3, 5)
    data.preload()
    truth = {(d.pin, d.hub_field) for d in data.truth() if d.flagged and d.hub_field != "business"}
    refusals = sum(1 for d in data.truth() if d.kind == "registry_refusal")
    assert len(truth) >= 10
    transport = AsgiTransport(
        build_simulator(data, parse_faults("fault=Server.ServerProxy.ServiceFailed@0.05"), 5)
    )
    checker = checker_for(country.settings, SyncSource.CIVIL_REGISTRY, transport)
    ledger = Ledger.for_settings(country.engine, country.settings)
    with country.engine.connect() as connection:
        before = len(connection.execute(select(LedgerEntryRow.seq)).all())
    report = run_sync(SyncRunTable(country.engine), ledger, checker, concurrency=4, chunk=25)
    assert report.failed == refusals  # every injected fault was retried away; refusals are answers
    assert flagged(country) == truth
    with country.engine.connect() as connection:
        entries = len(connection.execute(select(LedgerEntryRow.seq)).all()) - before
    assert entries >= report.checked  # every registry call, retried ones too, is a ledger entry
    again = run_sync(
        SyncRunTable(country.engine),
        ledger,
        checker_for(country.settings, SyncSource.CIVIL_REGISTRY, transport),
    )
    assert again.new_flags == 0
    assert flagged(country) == truth


def test_a_dead_registry_opens_the_breaker_on_a_moved_clock(country: HubDb) -> None:
    """Every call fails: the breaker opens, waits out its pause (the test's clock jumps, nobody
    sleeps) and reopens until the consumer gives the registry up as unavailable."""
    clock = ManualClock()
    data = RegistryData(PeopleRegister(country.engine), 0.0, 1)
    app = build_simulator(data, parse_faults("http500@1"), 1)
    consumer = checker_for(country.settings, SyncSource.TAX, AsgiTransport(app), clock).consumers["tax"]
    data.preload()
    pin = next(label.pin for label in RegistryData(PeopleRegister(country.engine), 1.0, 1).truth())

    codes: set[str] = set()

    async def call() -> None:
        await consumer.open()
        try:
            for _ in range(100):  # person after person, as a run would, until the registry is given up
                try:
                    await consumer.call(user_id="u", issue="i", inn=pin)
                except RegistryUnavailable:
                    raise
                except ConsumerError as failed:  # this person's call failed; the run goes on
                    codes.add(failed.fault_code)
        finally:
            await consumer.close()

    with pytest.raises(RegistryUnavailable, match="keeps failing"):
        asyncio.run(call())
    assert codes == {"Server.Http500"}  # retries exhausted while the circuit was still closed
    assert clock.monotonic() > 1000 + country.settings.consumers.breaker_pause  # the pauses were waited out


def test_the_tax_service_is_asked_by_inn(country: HubDb) -> None:
    """FACTS §2.3: ``tpDataByINNforBusinessActivity``'s request element is ``inn`` (the answer's is
    ``TIN``).  Our model said ``TIN`` in both; a real gns-service would not have known the request.
    The model, the request the consumer sends, and the simulator (which refuses a request without
    ``inn``, as a provider validating its schema would) all say ``inn`` now."""
    wsdl = (ROOT / "wsdl" / "gns-service.wsdl").read_text(encoding="utf-8")
    request = wsdl.split('<xs:element name="tpDataByINNforBusinessActivity">')[1].split("</xs:element>")[0]
    assert '<xs:element name="inn" type="xs:string" minOccurs="1"/>' in request
    data = RegistryData(PeopleRegister(country.engine), 1.0, 3)
    data.preload()
    business = next(d.pin for d in data.truth() if d.kind == "business_registered")
    consumer = checker_for(
        country.settings, SyncSource.TAX, AsgiTransport(build_simulator(data, (), 3))
    ).consumers["tax"]

    async def call(**params: str) -> Any:
        await consumer.open()
        try:
            return await consumer.call(user_id="u", issue="i", **params)
        finally:
            await consumer.close()

    answer = asyncio.run(call(inn=business))
    assert answer.body["TIN"] == business
    assert answer.trace is not None
    assert b":inn>" + business.encode() in answer.trace.request
    with pytest.raises(TypeError, match="TIN"):  # our consumer no longer knows the old name
        asyncio.run(call(TIN=business))
    old = answer.trace.request.replace(b":inn>", b":TIN>")  # the request as the old model sent it
    status, refused = asyncio.run(AsgiTransport(build_simulator(data, (), 3)).post(old))
    assert status == 200
    assert b"Client.InvalidRequest" in refused
    assert b"the request has no inn element" in refused


def test_a_refusal_in_the_civil_registrys_body_is_its_answer_not_an_unknown_pin(tmp_path: Path) -> None:
    """FACTS §2.3/§9.2: ``zagsDataByPin`` answers business errors with ``faultcode``/``faultstring``
    among its fields.  Such an answer has no ``pin``, and was read as "the registry does not know
    this PIN": a ``pin`` flag for the clerk on a person the registry knows but would not describe.
    Now it is the registry's answer: no flag, the person counted as not checked, the call's ledger
    entry carrying the registry's code."""
    with seeded_sqlite(tmp_path, 60, 1, 23, keys=True) as db:
        publish_crosswalk(db)
        data = RegistryData(PeopleRegister(db.engine), 0.6, 11)
        data.preload()
        labels = list(data.truth())
        refused = {d.pin: d.registry_value for d in labels if d.kind == "registry_refusal"}
        assert refused
        checker = checker_for(db.settings, SyncSource.CIVIL_REGISTRY, AsgiTransport(build_simulator(data)))
        with db.engine.connect() as connection:
            before = set(connection.scalars(select(LedgerEntryRow.seq)))
        report = run_sync(SyncRunTable(db.engine), Ledger.for_settings(db.engine, db.settings), checker)
        assert flagged(db) == {
            (d.pin, d.hub_field) for d in labels if d.flagged and d.hub_field != "business"
        }
        assert not {pin for pin, _field in flagged(db)} & set(refused)
        assert report.failed == len(refused)
        with db.engine.connect() as connection:
            outcomes = [
                row.outcome
                for row in connection.execute(select(LedgerEntryRow.seq, LedgerEntryRow.outcome))
                if row.seq not in before
            ]
        assert sorted(o for o in outcomes if o.startswith("ZAGS-")) == sorted(refused.values())


def test_the_registered_address_is_compared_with_the_registration_through_the_crosswalk(
    tmp_path: Path,
) -> None:
    """The address bureau answers the registration (прописка), in its own codes.  It used to be
    compared, code as СОАТЕ, with the household the person lives in: every student or migrant
    registered at home was a mismatch.  Without the bureau's crosswalk the bureau is not asked
    (its answer could not be compared, and personal data is not fetched for nothing); with it, only
    a registration that differs from the one the book keeps is flagged, as ``registered_soate``."""
    with seeded_sqlite(tmp_path, 60, 1, 31, keys=True) as db:
        with db.engine.connect() as connection:
            elsewhere = set(
                connection.scalars(
                    select(Person.pin)
                    .join(HouseholdMember, HouseholdMember.person_id == Person.id)
                    .join(Household, Household.id == HouseholdMember.household_id)
                    .join(Address, Address.id == Household.address_id)
                    .where(Person.pin.is_not(None), Person.registered_soate != Address.soate_code)
                )
            )
        assert len(elsewhere) >= 5  # the seed registers one person in sixteen elsewhere
        data = RegistryData(PeopleRegister(db.engine), 0.5, 13)
        data.preload()
        labels = [d for d in data.truth() if d.flagged and d.hub_field != "business"]
        moved = {d.pin for d in labels if d.kind == "moved_away"}
        assert moved
        assert elsewhere - moved

        def run() -> None:
            checker = checker_for(
                db.settings, SyncSource.CIVIL_REGISTRY, AsgiTransport(build_simulator(data))
            )
            run_sync(SyncRunTable(db.engine), Ledger.for_settings(db.engine, db.settings), checker)

        run()  # no crosswalk in the hub's home
        assert flagged(db) == {(d.pin, d.hub_field) for d in labels if d.kind != "moved_away"}
        with db.engine.connect() as connection:
            services = set(connection.scalars(select(LedgerEntryRow.service_id)))
        assert not any("asbAddress" in (service or "") for service in services)

        publish_crosswalk(db)
        run()
        assert flagged(db) == {(d.pin, d.hub_field) for d in labels}
        with db.engine.connect() as connection:
            found = connection.execute(
                select(Person.pin, Mismatch.hub_value, Mismatch.registry_value)
                .join(Person, Person.id == Mismatch.person_id)
                .where(Mismatch.field == "registered_soate")
            ).all()
        by_label = {d.pin: (d.hub_value, d.registry_value) for d in labels if d.kind == "moved_away"}
        assert {row.pin: (row.hub_value, row.registry_value) for row in found} == by_label


def test_people_without_a_pin_are_searched_by_name_and_birth_date(tmp_path: Path) -> None:
    """FACTS §9.2: ``zagsPinsByNSPDate`` finds the PIN of a person the book has none for.  They
    were left out of every run.  Now each is searched by surname, name and birth date: one PIN
    found is proposed to the clerk as ``pin_found``; namesakes (several PINs) are flagged
    ``pin_namesakes`` with every PIN, for the clerk to choose one; nobody found is no flag.
    Actualizing gives the person the PIN, which must be nobody else's."""
    from sanarip_hub.actualization.workflow import move
    from sanarip_hub.domain.codes import MismatchStatus
    from sanarip_hub.errors import ActualizationError
    from sanarip_hub.storage.mismatches import MismatchTable
    from sanarip_hub.storage.models import PersonFieldHistory
    from tests.conftest import forget_pins

    with seeded_sqlite(tmp_path, 60, 1, 37, keys=True) as db:
        assert forget_pins(db, 7) >= 20
        data = RegistryData(PeopleRegister(db.engine), 0.0, 21)  # no other discrepancy
        data.preload()
        labels = list(data.truth())
        found = {d.pin for d in labels if d.kind == "pin_found"}
        namesakes = [d for d in labels if d.kind == "pin_namesakes"]
        assert len(found) >= 5
        assert namesakes
        assert all(d.flagged and "," in d.registry_value for d in namesakes)
        checker = checker_for(db.settings, SyncSource.CIVIL_REGISTRY, AsgiTransport(build_simulator(data)))
        report = run_sync(SyncRunTable(db.engine), Ledger.for_settings(db.engine, db.settings), checker)
        assert flagged(db) == {(pin, "pin_found") for pin in found} | {
            (d.registry_value, "pin_namesakes") for d in namesakes
        }
        with db.engine.connect() as connection:
            pinless = connection.scalar(select(func.count()).where(Person.pin.is_(None)))
            searches = connection.scalar(
                select(func.count()).where(LedgerEntryRow.service_id.contains("zagsPinsByNSPDate"))
            )
            proposals = connection.execute(
                select(Mismatch.id, Mismatch.person_id, Mismatch.registry_value, Mismatch.hub_value)
                .where(Mismatch.field == "pin_found")
                .order_by(Mismatch.id)
            ).all()
        assert searches == pinless  # each searched once, as a ledgered call
        assert report.checked >= pinless
        assert all(row.hub_value is None for row in proposals)

        first, second = proposals[0], proposals[1]
        store = MismatchTable(db.engine)
        move(store, first.id, MismatchStatus.ACTUALIZED, "clerk-7", "birth act checked")
        with db.engine.connect() as connection:
            person = connection.execute(select(Person).where(Person.id == first.person_id)).one()
            history = connection.execute(
                select(
                    PersonFieldHistory.field, PersonFieldHistory.old_value, PersonFieldHistory.new_value
                ).where(PersonFieldHistory.person_id == first.person_id)
            ).all()
        assert (person.pin, person.pin_status) == (first.registry_value, "active")
        assert [tuple(row) for row in history] == [("pin", None, first.registry_value)]

        # someone else in the register holds the second PIN already: two records of one person
        with db.engine.begin() as connection:
            holder = connection.scalar(select(Person.id).where(Person.pin.is_not(None)).limit(1))
            connection.execute(
                Person.__table__.update().where(Person.id == holder).values(pin=second.registry_value)
            )
        with pytest.raises(ActualizationError, match=f"already belongs to person {holder}"):
            move(store, second.id, MismatchStatus.ACTUALIZED, "clerk-7", "birth act checked")
        with db.engine.connect() as connection:
            assert connection.scalar(select(Person.pin).where(Person.id == second.person_id)) is None
            assert connection.scalar(select(Mismatch.status).where(Mismatch.id == second.id)) == "open"

        # namesakes: the clerk chooses one of the registry's PINs (from the birth act); nothing else
        with db.engine.connect() as connection:
            namesake = connection.execute(
                select(Mismatch.id, Mismatch.person_id, Mismatch.registry_value)
                .where(Mismatch.field == "pin_namesakes")
                .order_by(Mismatch.id)
                .limit(1)
            ).one()
        ask, person_id, pins = namesake
        choices, why = pins.split(","), "birth act checked"
        with pytest.raises(ActualizationError, match="choose the person's PIN among the registry's"):
            move(store, ask, MismatchStatus.ACTUALIZED, "clerk-7", why)
        with pytest.raises(ActualizationError, match="choose the person's PIN"):
            move(store, ask, MismatchStatus.ACTUALIZED, "clerk-7", why, value=second.registry_value)
        move(store, ask, MismatchStatus.ACTUALIZED, "clerk-7", why, value=choices[-1])
        with db.engine.connect() as connection:
            assert connection.scalar(select(Person.pin).where(Person.id == person_id)) == choices[-1]
