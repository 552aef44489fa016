"""Requests answered together (``adapters/xroad/producer/batch.py``): the household cards a batch
needs are read in one statement, and every request still gets exactly the reply, fault and ledger
record it would get alone; a refused request's person is never read.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event, text

from adapters.xroad.producer.app import Components
from adapters.xroad.producer.soap import Reply
from sanarip_hub.entrypoints.web import hub_components
from tests.producer.conftest import NSC, SF, Served, envelope, pin_body, stat_body

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback


@pytest.fixture
def components(served: Served) -> Iterator[Components]:
    """The producer's real components in this process, on the served database."""
    built = hub_components(served.settings, "producer")
    try:
        yield built
    finally:
        built.close()


def _old_pin(served: Served) -> str:
    with served.engine.connect() as connection:
        return str(
            connection.execute(text("select pin from person_pin_alias order by pin limit 1")).scalar_one()
        )


def _mix(served: Served) -> tuple[list[tuple[bytes, str | None]], list[str], str]:
    """A batch as a busy security server sends one: card services for several people (one asked
    twice, one by an old PIN, one unknown), a refused client, a malformed message, a bad PIN and
    an aggregate.  Returns the requests, the current PINs asked, and the refused request's PIN."""
    pins = served.pins(limit=6)
    asked, refused = pins[:5], pins[5]
    unknown = asked[0][:-5] + "00001"  # well formed, outside the seed's 9xxxx serials
    xml = "text/xml; charset=UTF-8"
    bodies = [envelope("householdByPin", pin_body("householdByPin", pin)) for pin in asked]
    bodies += [
        envelope("householdByPin", pin_body("householdByPin", asked[0]), message_id="again"),
        envelope("householdByPin", pin_body("householdByPin", _old_pin(served))),
        envelope("householdByPin", pin_body("householdByPin", unknown)),
        envelope("householdByPin", pin_body("householdByPin", refused), client=NSC),
        b"<not-xml",
        envelope("householdByPin", pin_body("householdByPin", "123")),
        envelope("statAggregates", stat_body("households_by_type", "41700000000000"), client=NSC),
    ]
    return [(body, xml) for body in bodies], asked, refused


def _comparable(reply: Reply) -> tuple[Any, ...]:
    """A reply without what legitimately differs between two answers to one request: its duration,
    and a fault's detail id (a fresh UUID per fault, so also its body and response digest)."""
    exchange = dataclasses.replace(reply.exchange, duration_ms=0)
    if reply.fault is not None:
        exchange = dataclasses.replace(exchange, response_digest="", response_bytes=0)
        return reply.status, reply.fault[0], exchange
    return reply.status, reply.body, exchange


def _flat(parameters: Any) -> list[Any]:
    values = parameters.values() if isinstance(parameters, dict) else parameters
    out: list[Any] = []
    for value in values:
        out.extend(value if isinstance(value, list | tuple) else [value])
    return out


@contextmanager
def _statements(components: Components) -> Iterator[list[tuple[str, list[Any]]]]:
    """The statements the producer's data source runs inside the block, with their values."""
    seen: list[tuple[str, list[Any]]] = []
    data = components.soap.dispatcher.data
    engines = {id(engine): engine for engine in (data.engine, data.cards)}.values()  # one on SQLite

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        seen.append((statement, _flat(parameters)))

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def test_a_batch_answers_each_request_as_alone_with_one_read_for_its_cards(
    served: Served, components: Components
) -> None:
    requests, asked, refused = _mix(served)
    with _statements(components) as alone_statements:
        alone = [components.soap.handle(body, content_type) for body, content_type in requests]
    with _statements(components) as batch_statements:
        together = components.soap.handle_many(requests)

    assert [_comparable(r) for r in together] == [_comparable(r) for r in alone]
    outcomes = [r.exchange.outcome for r in together]
    # five people, one again, an old PIN, an unknown PIN (a business answer), then the refusals
    assert outcomes[:8] == ["ok"] * 8
    assert outcomes[8:11] == ["Client.AccessDenied", "Client.InvalidXml", "Client.InvalidRequest"]
    assert b"PIN_NOT_FOUND" in together[7].body

    def reading_all(statements: list[tuple[str, list[Any]]]) -> list[str]:
        return [sql for sql, values in statements if set(asked) <= set(values)]

    assert len(reading_all(batch_statements)) == 1  # every card asked for, in one statement
    assert reading_all(alone_statements) == []  # alone, each request reads its own
    assert not any(refused in values for _, values in batch_statements)  # refused: never read
    people = [sql for sql, _ in batch_statements if "person" in sql]
    assert len(people) < len([sql for sql, _ in alone_statements if "person" in sql])


def test_concurrent_requests_on_the_server_get_their_own_replies_and_entries(served: Served) -> None:
    """Forty requests at once (so batches form in the server's workers): each reply is the one the
    same request gets alone, and each exchange is ledgered once."""
    pins = served.pins(limit=10)
    bodies = [
        envelope("householdByPin", pin_body("householdByPin", pins[i % 10]), message_id=f"together-{i}")
        for i in range(40)
    ]
    bodies[7] = envelope("householdByPin", pin_body("householdByPin", pins[1]), client=NSC, message_id="no")
    headers = {"content-type": "text/xml; charset=UTF-8"}
    before = served.ledger_size()
    alone = [httpx.post(f"{served.url}/xroad", content=b, headers=headers, timeout=60) for b in bodies]

    async def all_at_once() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=40)) as client:
            return await asyncio.gather(
                *(client.post(f"{served.url}/xroad", content=b, headers=headers) for b in bodies)
            )

    together = asyncio.run(all_at_once())
    assert [r.status_code for r in together] == [200] * 40
    for i, (one, other) in enumerate(zip(alone, together, strict=True)):
        if i == 7:
            assert b"Client.AccessDenied" in one.content
            assert b"Client.AccessDenied" in other.content
        else:
            assert other.content == one.content, i
    assert served.ledger_size() == before + 80
    with served.engine.connect() as connection:
        ids = Counter(
            row[0]
            for row in connection.execute(
                text("select message_id from ledger_entry where message_id like 'together-%'")
            )
        )
    assert ids == Counter({f"together-{i}": 2 for i in range(40) if i != 7})


def test_a_rest_batch_answers_each_call_as_alone(served: Served, components: Components) -> None:
    pins = served.pins(limit=3)
    unknown = pins[0][:-5] + "00001"

    def call(service: str, pin: str, client: str | None = SF.partition(":")[2]) -> Any:
        headers = [("x-road-id", f"rest-{service}-{pin}"), ("x-road-userid", "KG-OFFICIAL-7")]
        headers += [("x-road-issue", "case-2026-15")]
        if client is not None:
            headers.append(("x-road-client", client))
        return (service, pin, f"GET /rest/{service}/{pin}", headers)

    calls = [call("address-fact", pin) for pin in pins]
    calls += [
        call("family-members", pins[0]),
        call("address-fact", unknown),
        call("family-members", pins[1], None),
    ]
    with _statements(components) as batch_statements:
        together = components.rest.handle_many(calls)
    alone = [components.rest.handle(*c) for c in calls]

    def comparable(reply: Any) -> tuple[Any, ...]:
        exchange = dataclasses.replace(reply.exchange, duration_ms=0)
        if reply.fault is not None:
            return reply.status, reply.fault[0], dataclasses.replace(exchange, response_digest="")
        return reply.status, reply.body, exchange

    assert [comparable(r) for r in together] == [comparable(r) for r in alone]
    assert [r.status for r in together] == [200, 200, 200, 200, 204, 400]
    assert any(set(pins) <= set(values) for _, values in batch_statements)


@pytest.mark.parametrize("in_threads", [False, True], ids=["on-the-loop", "in-threads"])
def test_the_app_batches_requests_of_one_turn_on_the_loop_and_in_threads(
    served: Served, components: Components, in_threads: bool
) -> None:
    """Twenty requests arriving at once through the real ASGI app share one read of their cards,
    whether the database work runs on the event loop or (a database across a network) in a
    thread of the pool; each still gets its own reply."""
    from adapters.xroad.producer.app import build_app

    pins = served.pins(limit=20)
    bodies = [envelope("householdByPin", pin_body("householdByPin", pin)) for pin in pins]
    app = build_app(dataclasses.replace(components, blocking=in_threads, threads=3))
    headers = {"content-type": "text/xml; charset=UTF-8"}

    async def all_at_once() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            return await asyncio.gather(*(client.post("/xroad", content=b, headers=headers) for b in bodies))

    with _statements(components) as statements:
        replies = asyncio.run(all_at_once())
    for pin, reply in zip(pins, replies, strict=True):
        assert reply.status_code == 200
        assert f">{pin}<".encode() in reply.content
        assert b"Fault" not in reply.content
    assert len([sql for sql, values in statements if set(pins) <= set(values)]) == 1


def test_each_entry_is_queued_before_its_request_stops_being_expected(
    served: Served, components: Components
) -> None:
    """A ledger batch waits for the requests being answered when it began, until each leaves
    ``expecting()``: so each SOAP and REST request hands its entry over while still inside, or a
    batch could commit without the entry it waited for and answer that client one commit later."""
    from adapters.xroad.producer.app import build_app

    real_expecting, real_record = components.expecting, components.record
    assert real_record is not None
    inside = 0
    seen: list[int] = []

    @contextmanager
    def expecting() -> Iterator[None]:
        nonlocal inside
        with real_expecting():
            inside += 1
            try:
                yield
            finally:
                inside -= 1

    def record(exchange: Any) -> Any:
        seen.append(inside)
        return real_record(exchange)

    app = build_app(dataclasses.replace(components, expecting=expecting, record=record))
    pin = served.pins(limit=1)[0]

    async def one_of_each() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            soap = await client.post(
                "/xroad",
                content=envelope("householdByPin", pin_body("householdByPin", pin)),
                headers={"content-type": "text/xml; charset=UTF-8"},
            )
            rest = await client.get(
                f"/rest/family-members/{pin}",
                headers={
                    "X-Road-Client": SF.partition(":")[2],
                    "X-Road-Id": "rest-expecting",
                    "X-Road-UserId": "KG-OFFICIAL-7",
                    "X-Road-Issue": "case-2026-15",
                },
            )
            return [soap, rest]

    soap, rest = asyncio.run(one_of_each())
    assert soap.status_code == 200
    assert rest.status_code == 200, rest.text
    assert seen == [1, 1]


def test_the_card_statement_on_the_driver_reads_exactly_what_sqlalchemy_reads(served: Served) -> None:
    """On PostgreSQL every batch's card statement runs on the driver connection (``DriverSelect``):
    each field of each row (everyone with a PIN, and a PIN nobody has) has the
    value and the type SQLAlchemy's own row gives it: its enums, floats and timestamps."""
    from sqlalchemy.exc import DBAPIError

    from sanarip_hub.storage.driver_select import DriverSelect
    from sanarip_hub.storage.service_data import HOUSEHOLD_CARDS

    if served.backend != "postgresql":
        pytest.skip("the card statement runs on the driver on PostgreSQL only")
    with served.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:  # as HubData
        pins = list(connection.execute(text("select pin from person where pin is not null")).scalars())
        pins.append(pins[0][:-5] + "00001")  # well formed, nobody's
        statement = HOUSEHOLD_CARDS[True]
        by_sqlalchemy = {row.pin: row for row in connection.execute(statement, {"pins": pins})}
        on_driver = DriverSelect(statement, plain_json=True)  # a new one: conversions looked up on this run
        by_driver = {row.pin: row for row in on_driver.rows(connection, {"pins": pins})}
        with pytest.raises(DBAPIError):
            on_driver.rows(connection, {"pins": "not a list"})
        assert connection.execute(text("select 1")).scalar_one() == 1  # the connection still serves
    assert len(by_driver) == len(pins) - 1
    assert any(row.dwelling_type is not None for row in by_driver.values())
    for pin, row in by_sqlalchemy.items():
        mine = by_driver[pin]
        assert mine._fields == tuple(row._fields)
        assert [(value, type(value)) for value in mine] == [(value, type(value)) for value in row]


def test_the_card_statement_on_the_driver_sends_only_the_pins(served: Served) -> None:
    """The statement's fixed values (the JSON keys of a member record, its LIMIT) are written into
    its text once, as literals: psycopg then converts one parameter per execution, not fourteen."""
    from sqlalchemy import event

    from sanarip_hub.storage.driver_select import DriverSelect
    from sanarip_hub.storage.service_data import HOUSEHOLD_CARDS

    if served.backend != "postgresql":
        pytest.skip("the card statement runs on the driver on PostgreSQL only")
    sent: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    pins = served.pins(limit=3)
    event.listen(served.engine, "before_cursor_execute", seen)
    try:
        with served.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            rows = DriverSelect(HOUSEHOLD_CARDS[True]).rows(connection, {"pins": pins})
    finally:
        event.remove(served.engine, "before_cursor_execute", seen)
    assert sorted(row.pin for row in rows) == sorted(pins)
    assert any(row.members_json for row in rows)
    ((statement, parameters),) = [(s, p) for s, p in sent if "members_json" in s]
    assert parameters == {"pins": pins}
    assert "'givenName'::VARCHAR" in statement


def test_the_card_statement_and_the_ledger_append_are_planned_once(
    served: Served, components: Components
) -> None:
    """Left to choose, PostgreSQL planned the card statement afresh at every execution (its array
    of PINs makes the generic plan look dearer), ~0.6 ms of its CPU per statement: the producer reads
    cards and appends to the ledger on connections that plan once.  The rest of the producer and the
    console keep PostgreSQL's choice, for queries whose best plan depends on their values."""
    if served.backend != "postgresql":
        pytest.skip("plans are PostgreSQL's")
    data = components.soap.dispatcher.data
    pins = served.pins(limit=12)
    for round_ in range(8):
        with data.prefetched_cards(pins[round_ % 6 : round_ % 6 + 6]):
            pass

    def plans(engine: Any) -> tuple[str, list[tuple[str, int, int]]]:
        """A connection's plan cache mode, and its prepared statements' generic and custom plans."""
        with engine.connect() as connection:
            mode = connection.exec_driver_sql("show plan_cache_mode").scalar_one()
            rows = connection.exec_driver_sql(
                "select statement, generic_plans, custom_plans from pg_prepared_statements"
            ).all()
        return mode, [(row[0], row[1], row[2]) for row in rows]

    cards_mode, prepared = plans(data.cards)
    card_plans = [(generic, custom) for statement, generic, custom in prepared if "household" in statement]
    assert cards_mode == "force_generic_plan"
    assert card_plans, "the card statement was not prepared on the cards' connection"
    for generic, custom in card_plans:
        assert generic >= 1
        assert custom == 0
    assert plans(data.engine)[0] == "auto"
    ledger_engine = components.record.__self__.ledger.engine  # type: ignore[union-attr]
    assert plans(ledger_engine)[0] == "force_generic_plan"
