"""The LSG clerk's working day over HTTP: the queue's filters, sorting and history; places instead of
СОАТЕ digits; a decision refused (no reason, a stale second tab) keeps what was typed; a decision sent
after the session ended comes back into the form after signing in again, and nothing was saved."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from itertools import count

import httpx
from sqlalchemy import insert, select, text, update

from sanarip_hub.domain.codes import SyncSource
from sanarip_hub.storage.mismatches import flag
from sanarip_hub.storage.models import ConsoleSession, ConsoleUser, Mismatch, MismatchEvent, Person
from tests.console.conftest import PASSWORDS, USERS, Hub, csrf_of, login

_serial = count(1)


def flagged(hub: Hub, field: str, source: SyncSource, hub_value: str, registry_value: str) -> tuple[int, str]:
    """A new mismatch of a person of the clerk's LSG body whose ``field`` no open mismatch concerns
    yet (tests share the hub); its id and the person's surname."""
    with hub.engine.begin() as connection:
        lsg_id = connection.execute(
            text("select id from lsg_body where soate_code = :s"), {"s": hub.lsg_soate}
        )
        lsg = lsg_id.scalar_one()
        # a person of their own (the hub is shared by the console tests, and some flag many people):
        # born 1901, older than anyone the seed makes, so the PIN is nobody else's
        serial = next(_serial)
        surname = f"Сынакбаев{serial}"
        person_id = connection.execute(
            insert(Person).returning(Person.id),
            {
                "lsg_id": lsg,
                "pin": f"2010119019{serial:04d}",
                "pin_status": "active",
                "surname": surname,
                "given_name": "Сынак",
                "gender": "M",
                "birth_date": date(1901, 1, 1),
            },
        ).scalar_one()
        flag(
            connection,
            person_id=person_id,
            field=field,
            source=source,
            hub_value=hub_value,
            registry_value=registry_value,
            message_id=f"clerk-{next(_serial)}",
            run_id=None,
        )
        mismatch_id = connection.execute(
            select(Mismatch.id).where(
                Mismatch.person_id == person_id, Mismatch.field == field, Mismatch.source == source
            )
        ).scalar_one()
    return mismatch_id, surname


def sign_in_again(client: httpx.Client) -> httpx.Response:
    """The clerk's password on the sign-in form (the response: where it sends them)."""
    page = client.get("/login")
    return client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": USERS["lsg_user"], "password": PASSWORDS["lsg_user"]},
    )


def ids_on(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'/lsg/mismatches/(\d+)"', page)]


def status_of(hub: Hub, mismatch_id: int) -> tuple[str, int]:
    with hub.engine.connect() as connection:
        status, events = connection.execute(
            select(
                Mismatch.status,
                select(text("count(*)"))
                .select_from(MismatchEvent)
                .where(MismatchEvent.mismatch_id == mismatch_id)
                .scalar_subquery(),
            ).where(Mismatch.id == mismatch_id)
        ).one()
    return str(status), int(events)


def test_the_queue_filters_sorts_and_keeps_decided_items_in_a_history_view(hub: Hub) -> None:
    tax, _ = flagged(hub, "surname", SyncSource.TAX, "Асанов", "Асаналиев")
    civil, _ = flagged(hub, "patronymic", SyncSource.CIVIL_REGISTRY, "Асанович", "Асанбекович")
    old, _ = flagged(hub, "given_name", SyncSource.CIVIL_REGISTRY, "Айбек", "Айбек уулу")
    with hub.engine.begin() as connection:
        connection.execute(
            update(Mismatch)
            .where(Mismatch.id == old)
            .values(detected_at=datetime.now(UTC) - timedelta(days=10))
        )
    client = login(hub, "lsg_user")
    everything = client.get("/lsg")
    assert {tax, civil, old} <= set(ids_on(everything.text))
    assert ids_on(client.get("/lsg", params={"field": "surname"}).text) == [
        found for found in ids_on(everything.text) if found == tax or _field(hub, found) == "surname"
    ]
    by_source = ids_on(client.get("/lsg", params={"source": "tax"}).text)
    assert tax in by_source
    assert civil not in by_source
    assert old not in by_source
    aged = ids_on(client.get("/lsg", params={"age": "7"}).text)
    assert old in aged
    assert tax not in aged
    assert civil not in aged
    newest = ids_on(client.get("/lsg", params={"sort": "newest"}).text)
    assert newest.index(civil) < newest.index(old)  # the 10-day-old one is last of the three
    oldest = ids_on(everything.text)
    assert oldest.index(old) < oldest.index(civil)
    ignored = client.get("/lsg", params={"field": "no-such-field", "age": "9999", "sort": "drop table"})
    assert ignored.status_code == 200
    assert set(ids_on(ignored.text)) == set(oldest)

    page = client.get(f"/lsg/mismatches/{tax}")
    decided = client.post(
        f"/lsg/mismatches/{tax}",
        data={"csrf": csrf_of(page.text), "to": "rejected", "reason": "the book is right", "version": "1"},
    )
    assert decided.status_code == 303, decided.text
    assert tax not in ids_on(client.get("/lsg").text)
    history = client.get("/lsg", params={"view": "history"})
    assert tax in ids_on(history.text)
    assert civil not in ids_on(history.text)
    assert re.search(r'id="to-history"[^>]*aria-current="page"', history.text)
    rejected_only = client.get("/lsg", params={"view": "history", "status": "rejected"})
    assert tax in ids_on(rejected_only.text)
    assert tax not in ids_on(client.get("/lsg", params={"view": "history", "status": "escalated"}).text)


def _field(hub: Hub, mismatch_id: int) -> str:
    with hub.engine.connect() as connection:
        return str(connection.execute(select(Mismatch.field).where(Mismatch.id == mismatch_id)).scalar_one())


def test_a_registered_address_is_shown_as_places_with_the_code_beside(hub: Hub) -> None:
    with hub.engine.connect() as connection:
        village, name = connection.execute(
            text(
                "select soate_code, name_ky from ate_unit where kind = 'village' order by soate_code limit 1"
            )
        ).one()
    mismatch_id, _ = flagged(hub, "registered_soate", SyncSource.CIVIL_REGISTRY, village, "41799999999999")
    client = login(hub, "lsg_user")
    client.post(
        "/language", data={"csrf": csrf_of(client.get("/lsg").text), "lang": "ky", "next": "/console/lsg"}
    )
    try:
        page = html.unescape(client.get(f"/lsg/mismatches/{mismatch_id}").text)
    finally:
        client.post("/language", data={"csrf": csrf_of(client.get("/lsg").text), "lang": "en", "next": "/"})
    hub_cell = re.search(r'<td id="hub-value">(.*?)</td>', page, re.S)
    assert hub_cell is not None
    assert name in hub_cell.group(1)
    assert f"({village})" in hub_cell.group(1)
    assert "облусу" in hub_cell.group(1)  # up to the region, in Kyrgyz
    registry_cell = re.search(r'<td id="registry-value">(.*?)</td>', page, re.S)
    assert registry_cell is not None
    assert registry_cell.group(1).strip() == "41799999999999"  # an unknown code: as given


def test_a_decision_without_a_reason_or_from_a_stale_tab_is_refused_and_keeps_the_form(hub: Hub) -> None:
    mismatch_id, _ = flagged(hub, "surname", SyncSource.CIVIL_REGISTRY, "Осмонов", "Осмоналиев")
    _, events = status_of(hub, mismatch_id)  # flagging wrote the first event
    first_tab = login(hub, "lsg_user")
    opened = first_tab.get(f"/lsg/mismatches/{mismatch_id}").text
    assert 'data-needs-reason="1"' in opened
    assert 'id="reason-required" hidden' in opened

    no_reason = first_tab.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={"csrf": csrf_of(opened), "to": "escalated", "reason": "  ", "version": "1"},
    )
    assert no_reason.status_code == 400
    assert "A reason is required to reject or to escalate. Nothing was saved." in no_reason.text
    assert 'id="to-escalated" name="to" value="escalated" data-needs-reason="1" checked' in no_reason.text
    assert status_of(hub, mismatch_id) == ("open", events)

    second_tab = first_tab.get(f"/lsg/mismatches/{mismatch_id}").text
    taken = first_tab.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={"csrf": csrf_of(second_tab), "to": "in_review", "version": "1"},
    )
    assert taken.status_code == 303
    stale = first_tab.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={"csrf": csrf_of(opened), "to": "rejected", "reason": "checked the birth act", "version": "1"},
    )
    assert stale.status_code == 409
    assert "Someone decided on this mismatch" in html.unescape(stale.text)
    assert ">checked the birth act</textarea>" in stale.text
    assert status_of(hub, mismatch_id) == ("in_review", events + 1)  # the second tab's decision only


def test_after_the_session_ends_signing_in_returns_to_the_item_with_the_decision_text(hub: Hub) -> None:
    mismatch_id, _ = flagged(hub, "given_name", SyncSource.CIVIL_REGISTRY, "Нурлан", "Нурлан уулу")
    _, events = status_of(hub, mismatch_id)  # flagging wrote the first event
    client = login(hub, "lsg_user")
    opened = client.get(f"/lsg/mismatches/{mismatch_id}").text
    with hub.engine.begin() as connection:  # the clerk was away longer than session_minutes
        user_id = connection.execute(
            select(ConsoleUser.id).where(ConsoleUser.username == USERS["lsg_user"])
        ).scalar_one()
        connection.execute(
            update(ConsoleSession)
            .where(ConsoleSession.user_id == user_id)
            .values(last_seen_at=datetime.now(UTC) - timedelta(days=1))
        )
    sent = client.post(
        f"/lsg/mismatches/{mismatch_id}",
        data={
            "csrf": csrf_of(opened),
            "to": "escalated",
            "reason": "the act says Нурлан\nsee file 12",
            "version": "1",
        },
    )
    assert sent.status_code == 303
    assert sent.headers["location"].endswith("/console/login")
    assert status_of(hub, mismatch_id) == ("open", events)  # nothing was saved without a session
    assert 'id="resuming"' in client.get("/login").text
    signed_in = sign_in_again(client)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/console/lsg/mismatches/{mismatch_id}"
    back = client.get(f"/lsg/mismatches/{mismatch_id}")
    assert ">the act says Нурлан\nsee file 12</textarea>" in html.unescape(back.text)
    assert 'id="to-escalated" name="to" value="escalated" data-needs-reason="1" checked' in back.text
    assert status_of(hub, mismatch_id) == ("open", events)  # kept in the form, still not saved
    again = client.get(f"/lsg/mismatches/{mismatch_id}")
    assert "see file 12" not in again.text  # given back once; a reload shows the stored state


def test_a_page_asked_for_after_the_session_ended_is_where_signing_in_returns(hub: Hub) -> None:
    anonymous = httpx.Client(base_url=hub.console, follow_redirects=False, timeout=30)
    assert anonymous.get("/lsg", params={"view": "history"}).status_code == 303
    signed_in = sign_in_again(anonymous)
    assert signed_in.headers["location"] == "/console/lsg?view=history"
    # a page of another role's section is not where a clerk is sent: their own home instead
    other = httpx.Client(base_url=hub.console, follow_redirects=False, timeout=30)
    assert other.get("/operator/exchanges").status_code == 303
    assert sign_in_again(other).headers["location"] == "/console/lsg"
