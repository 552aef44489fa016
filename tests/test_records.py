"""Typed records generated from the contracts: the committed module is the rendering of the
contracts, each record names exactly the declared elements, and what really travels fits them —
the prepared consumer's readings of the simulator's replies, and every answer the hub's own
handlers produce from a seeded register.  The types are only worth what these checks hold them to:
the comparison rules and handlers are typed by them, the values they meet are checked here."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest
from sqlalchemy import select

from adapters.civil_registry.contract import ASB_CONTRACT, ZAGS_CONTRACT
from adapters.tax.contract import GNS_CONTRACT
from adapters.xroad.transport import AsgiTransport
from mappings.registry import CIVIL_REGISTRY_RULES
from sanarip_hub.contracts import COMMITTED, RECORDS, render_records
from sanarip_hub.domain import records
from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.domain.contract import Field, record_class_name
from sanarip_hub.domain.hub_contract import BY_CODE
from sanarip_hub.entrypoints.jobs import checker_for
from sanarip_hub.producer.dispatch import HANDLERS
from sanarip_hub.simulator.app import build_simulator
from sanarip_hub.simulator.records import RegistryData
from sanarip_hub.storage.models import LandApplication, LsgBody, MunicipalProperty
from sanarip_hub.storage.people import PeopleRegister, people_to_check
from sanarip_hub.storage.service_data import INDICATORS, HubData
from tests.conftest import HubDb, forget_pins, seeded_sqlite


def record_type(code: str) -> Any:
    return getattr(records, record_class_name(code) + "Record")


def misfits(value: Any, hint: Any, where: str = "") -> list[str]:
    """Where ``value`` does not fit the annotation ``hint`` (empty: it fits)."""
    if hint is object:
        return []
    if is_typeddict(hint):
        if not isinstance(value, Mapping):
            return [f"{where}: {type(value).__name__}, not a record"]
        hints = get_type_hints(hint)
        found = [f"{where}.{key}: not declared" for key in value if key not in hints]
        for key, item in value.items():
            if key in hints:
                found += misfits(item, hints[key], f"{where}.{key}")
        return found
    origin = get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__}, not a list"]
        return [
            problem
            for i, item in enumerate(value)
            for problem in misfits(item, get_args(hint)[0], f"{where}[{i}]")
        ]
    if origin in (Union, types.UnionType):
        arms = [misfits(value, arm, where) for arm in get_args(hint)]
        return [] if any(not arm for arm in arms) else arms[0]
    if hint is type(None):
        return [] if value is None else [f"{where}: {value!r} is not None"]
    if hint is int and isinstance(value, bool):
        return [f"{where}: a bool where an int is declared"]
    if hint is date and isinstance(value, datetime):
        return [f"{where}: a datetime where a date is declared"]
    return (
        []
        if isinstance(value, hint)
        else [f"{where}: {type(value).__name__} where {hint.__name__} is declared"]
    )


def test_the_committed_records_are_the_rendering_of_the_contracts() -> None:
    assert RECORDS.read_text(encoding="utf-8") == render_records(), "run: python -m sanarip_hub.contracts"


@pytest.mark.parametrize("contract", list(COMMITTED.values()), ids=list(COMMITTED))
def test_each_record_names_exactly_the_declared_elements(contract: Any) -> None:
    def same(record: Any, fields: tuple[Field, ...]) -> None:
        hints = get_type_hints(record)
        assert set(hints) == {spec.name for spec in fields}, record.__name__
        for spec in fields:
            if spec.children:
                nested = hints[spec.name]
                same(get_args(nested)[0] if spec.item else nested, spec.children)

    for service in contract.services:
        same(record_type(service.code), service.fields)


def test_the_rest_services_have_records_too() -> None:
    for code in ("address-fact", "family-members"):
        assert set(get_type_hints(record_type(code))) == BY_CODE[code].field_names


def test_misfits_finds_what_does_not_fit() -> None:
    """The checker below is what makes the other tests able to fail."""
    assert misfits({"pin": "1", "dateOfBirth": date(2000, 1, 1)}, records.ZagsDataByPinRecord) == []
    assert misfits({"dateOfBirth": "2000-01-01"}, records.ZagsDataByPinRecord) == [
        ".dateOfBirth: str where date is declared"
    ]
    assert misfits({"pinBlocked": 1}, records.ZagsDataByPinRecord) == [
        ".pinBlocked: int where bool is declared"
    ]
    assert misfits({"maritalStatus": True}, records.ZagsDataByPinRecord) == [
        ".maritalStatus: a bool where an int is declared"
    ]
    assert misfits({"unknown": 1}, records.ZagsDataByPinRecord) == [".unknown: not declared"]
    assert misfits({"addressArray": {"code": 5}}, records.AsbAddressRecord) == [
        ".addressArray.code: int where str is declared"
    ]
    assert misfits({"members": [{"birthDate": "x"}]}, records.HouseholdByPinRecord) == [
        ".members[0].birthDate: str where date is declared"
    ]


def test_every_comparison_rule_reads_a_declared_element() -> None:
    declared = get_type_hints(records.ZagsDataByPinRecord)
    assert {rule.registry for rule in CIVIL_REGISTRY_RULES} <= set(declared)


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubDb]:
    with seeded_sqlite(tmp_path_factory.mktemp("records"), 120, 2, 29) as db:
        forget_pins(db, 9)
        yield db


def test_the_prepared_consumers_readings_fit_their_records(country: HubDb) -> None:
    """Replies of every discrepancy kind (and unknown PINs) from the simulator, read by the
    production consumer, fit the generated record of their service."""
    data = RegistryData(PeopleRegister(country.engine), 0.5, 7)
    data.preload()
    transport = AsgiTransport(build_simulator(data, (), 7))
    civil = checker_for(country.settings, SyncSource.CIVIL_REGISTRY, transport)
    tax = checker_for(country.settings, SyncSource.TAX, transport)
    every_kind: dict[str, str] = {}
    for label in data.truth():
        every_kind.setdefault(label.kind, label.pin)
    assert {"business_registered", "registry_refusal", "deceased"} <= set(every_kind)
    pins = [person.pin for person in people_to_check(country.engine, 0, None, 40) if person.pin]
    pinless = PeopleRegister(country.engine).without_pin()
    assert pinless
    pins += [*every_kind.values(), "21501199900017"]
    readings: list[tuple[str, Any]] = []

    async def read() -> None:
        for checker in (civil, tax):
            await checker.open()
        try:
            for pin in pins:
                for name, params, checker in (
                    ("zagsDataByPin", {"pin": pin}, civil.consumers["civil_registry"]),
                    ("asbAddress", {"pin": pin}, civil.consumers["address_bureau"]),
                    ("tpDataByINNforBusinessActivity", {"inn": pin}, tax.consumers["tax"]),
                ):
                    answer = await checker.call(user_id="u", issue="i", **params)
                    readings.append((name, answer.body))
            for row in pinless:  # found, namesakes, not found: each an answer of its own shape
                answer = await civil.consumers["pin_search"].call(
                    user_id="u", issue="i", name=row.given_name, surname=row.surname,
                    patronymic=row.patronymic, birthdate=row.birth_date,
                )  # fmt: skip
                readings.append(("zagsPinsByNSPDate", answer.body))
        finally:
            for checker in (civil, tax):
                await checker.close()

    asyncio.run(read())
    assert len(readings) == 3 * len(pins) + len(pinless)
    found = [len(body.get("pins", ())) for name, body in readings if name == "zagsPinsByNSPDate"]
    assert {0, 1, 2} <= set(found)  # not found, found, namesakes
    assert any(body.get("deathDate") for name, body in readings if name == "zagsDataByPin")
    assert any(body.get("TIN") for name, body in readings if name == "tpDataByINNforBusinessActivity")
    assert any(body.get("faultcode") for name, body in readings if name == "zagsDataByPin")
    for name, body in readings:
        assert misfits(body, record_type(name)) == [], name
    services = {s.code for c in (ZAGS_CONTRACT, ASB_CONTRACT, GNS_CONTRACT) for s in c.services}
    assert {name for name, _ in readings} == services


def test_every_answer_of_the_hub_fits_its_record(country: HubDb) -> None:
    """Every handler of the hub's own services, called as the dispatcher calls it, answers values
    that fit the service's generated record (a certificate service: the content it signs, as its
    ``certificate`` record declares it)."""
    engine = country.engine
    data = HubData(engine)
    pins = [person.pin for person in people_to_check(engine, 0, None, 40) if person.pin]
    with engine.connect() as connection:
        soate = connection.execute(select(LsgBody.soate_code).order_by(LsgBody.id)).scalars().first()
        eni = (
            connection.execute(
                select(MunicipalProperty.eni_code).where(MunicipalProperty.eni_code.is_not(None))
            )
            .scalars()
            .first()
        )
        reg_number = connection.execute(select(LandApplication.reg_number)).scalars().first()
    calls: list[tuple[str, dict[str, str]]] = [
        (code, {"pin": pin})
        for pin in pins
        for code in ("householdByPin", "familyComposition", "socialPassportByPin", "landQueuePosition",
                     "address-fact", "family-members", "residenceCertificate", "householdPlotCertificate",
                     "lowIncomeCertificate", "landQueueCertificate")
    ]  # fmt: skip
    calls += [
        ("landQueuePosition", {"regNumber": str(reg_number)}),
        ("municipalPropertyByEni", {"eni": str(eni)}),
        ("municipalPropertyList", {"soate": str(soate)}),
        ("lsgPassport", {"soate": str(soate)}),
        *[("statAggregates", {"indicator": indicator, "soate": str(soate)}) for indicator in INDICATORS],
    ]
    answered: dict[str, int] = {}
    for code, params in calls:
        answer = HANDLERS[code](data, params)
        values = dict(answer.values)
        assert misfits(values, record_type(code)) == [], (code, params)
        answered[code] = answered.get(code, 0) + bool(values)
    # findUsage answers from the ledger, verifyCertificate from the certificate register: their own tests
    assert set(answered) == set(BY_CODE) - {"findUsage", "verifyCertificate"}
    assert all(answered[code] > 0 for code in answered), answered
