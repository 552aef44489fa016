"""The operator's working day (issue 17): exchanges with other bodies apart from the console's own
page views, the failure drill-down from the log to the sync run that made the call, a run whose
process died shown as interrupted, and no raw code or English left on a Kyrgyz or Russian page."""

from __future__ import annotations

import html
import re
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from babel.messages.pofile import read_po
from sqlalchemy import Connection, insert, select, text

from mappings.registry import CIVIL_REGISTRY_RULES
from sanarip_hub.actualization.workflow import PERSON_FIELDS
from sanarip_hub.config import load_settings
from sanarip_hub.console.labels import Issue, console_issue, known, verification
from sanarip_hub.domain.codes import SyncRunStatus, SyncSource
from sanarip_hub.domain.exchange import Channel, Direction, Exchange, run_issue
from sanarip_hub.errors import LedgerIntegrityError
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.ledger.verify import Verified, summary
from sanarip_hub.storage.migrate import head_revision
from sanarip_hub.storage.mismatches import STALE_REASON, flag
from sanarip_hub.storage.models import LsgBody, Person, SyncChunk, SyncRun
from tests.console.conftest import Hub, csrf_of, login
from tests.console.test_translations import catalog_path, messages

REGISTRY = "SERVICE:central-server/GOV/70000001/zags-service/zagsDataByPin/v1"
HUB_CLIENT = "SUBSYSTEM:central-server/GOV/70000050/sanaripaymak-service"
SLOW_RETRY_MS = 40_123  # a registry call that retried for 40 s: p99 of the calls, not of what we serve
PROBER = "SUBSYSTEM:central-server/COM/99999999/prober"  # a client no agreement knows
MADE_UP = [f"SERVICE:central-server/GOV/70000003/sf/garbage{n:02d}" for n in range(45)]


@dataclass
class Drill:
    run_id: int
    failed_seq: int
    issue: str


def dead_pid() -> int:
    """The id of a process that has ended (a ``sync run`` killed mid-chunk leaves one in its claim)."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def run_that_died(connection: Connection, started: datetime, **counts: int) -> int:
    """A reconciliation run still marked running whose process died a minute after it started,
    in the middle of its first chunk (the claim names a process that has ended); its id."""
    run_id: int = connection.execute(
        insert(SyncRun).returning(SyncRun.id),
        {
            "source": SyncSource.CIVIL_REGISTRY,
            "status": SyncRunStatus.RUNNING,
            "started_at": started,
            **counts,
        },
    ).scalar_one()
    connection.execute(
        insert(SyncChunk),
        {
            "run_id": run_id,
            "chunk_no": 0,
            "after_id": 0,
            "up_to_id": None,
            "claimed_by": f"{socket.gethostname()}:{dead_pid()}",
            "claimed_at": started + timedelta(minutes=1),
        },
    )
    return run_id


def registry_calls(run_id: int, at_ms: int, outcomes: list[tuple[str, int]]) -> list[Exchange]:
    """The run's calls to the civil registry, one per (outcome, duration in ms), a millisecond apart."""
    return [
        Exchange(
            Direction.OUT,
            Channel.SYNC,
            service_id=REGISTRY,
            outcome=outcome,
            client_id=HUB_CLIENT,
            issue=run_issue(run_id),
            duration_ms=duration,
            time_ms=at_ms + n,
        )
        for n, (outcome, duration) in enumerate(outcomes)
    ]


@pytest.fixture(scope="module")
def drill(hub: Hub) -> Drill:
    """A reconciliation run whose process died an hour ago mid-chunk, after five registry calls
    (two answered, three unreachable after 40 s of retries) and one flag; and 45 refused requests
    naming services the hub does not publish."""
    now = datetime.now(UTC)
    with hub.engine.begin() as connection:
        run_id = run_that_died(connection, now - timedelta(hours=1), checked=2, matched=1, mismatched=1)
        other_lsg = connection.execute(select(LsgBody.id).order_by(LsgBody.id.desc()).limit(1)).scalar_one()
        person = connection.execute(
            select(Person.id, Person.surname).where(Person.lsg_id == other_lsg).limit(1)
        ).one()
        flag(
            connection,
            person_id=person.id,
            field="surname",
            source=SyncSource.CIVIL_REGISTRY,
            hub_value=person.surname,
            registry_value=f"{person.surname}а",
            message_id="drill-1",
            run_id=run_id,
        )
    ledger = Ledger.for_settings(hub.engine, load_settings(environ=hub.env))
    issue = run_issue(run_id)
    at = int(time.time() * 1000) - 30 * 60_000
    calls = registry_calls(
        run_id, at, [("ok", 80), ("ok", 90)] + [("Server.NetworkError", SLOW_RETRY_MS)] * 3
    )
    seqs = ledger.append_many(calls)
    ledger.append_many(
        [
            Exchange(
                Direction.IN, Channel.SOAP, service_id=code, outcome="Client.UnknownService", client_id=PROBER
            )
            for code in MADE_UP
        ]
    )
    return Drill(run_id, seqs[-1], issue)


def text_of(tag_id: str, page: str) -> str:
    found = re.search(rf'id="{tag_id}"[^>]*>(.*?)</', page, re.S)
    assert found, f"no #{tag_id} on the page"
    return html.unescape(found.group(1))


def test_the_dashboard_keeps_exchanges_with_other_bodies_apart(hub: Hub, drill: Drill) -> None:
    """The registry calls' 40 s retries are the calls' p99, not the p99 of what the hub serves; the
    console's page views are counted apart; the 45 made-up service codes share one line."""
    client = login(hub, "operator")
    client.get("/operator/exchanges", params={"pin": hub.called_pins[0]})  # a view of personal data
    page = client.get("/operator").text
    slow = f"{SLOW_RETRY_MS:,}"
    assert slow in text_of("called-latency", page)
    assert slow not in text_of("latency", page)
    assert int(text_of("console-views", page).replace(",", "")) >= 1
    assert int(text_of("called-total", page).replace(",", "")) >= 5
    for code in MADE_UP:
        assert code.rsplit("/", 1)[1] not in page
    assert page.count("other codes (not published: refused requests)") >= 2  # the chart's legend, the table
    chart = re.search(r"<svg.*?</svg>", page, re.S)
    assert chart is not None
    assert "exchanges per hour" in chart.group(0)
    assert "hour (+06)" in chart.group(0)  # the hours are Bishkek's, and say so
    assert chart.group(0).count("<rect") <= 5


def test_a_run_whose_process_died_is_interrupted_not_running(hub: Hub, drill: Drill) -> None:
    client = login(hub, "operator")
    runs = client.get("/operator/runs").text
    row = re.search(rf'<tr class="run-(\w+)"><td><a href="/console/operator/runs/{drill.run_id}">', runs)
    assert row is not None
    assert row.group(1) == "interrupted"
    assert "interrupted: its process stopped" in runs


def test_the_failure_drill_down_from_the_log_to_the_run(hub: Hub, drill: Drill) -> None:
    client = login(hub, "operator")
    failures = client.get("/operator/exchanges", params={"outcome": "failures", "kind": "exchanges"}).text
    rows = re.findall(r'<tr class="([^"]*)"><td><a href="/console/operator/exchanges/(\d+)"', failures)
    assert rows
    assert all(kind == "fault" for kind, _ in rows)
    assert str(drill.failed_seq) in {seq for _, seq in rows}
    assert "the registry could not be reached" in failures
    entry = client.get(f"/operator/exchanges/{drill.failed_seq}").text
    assert text_of("why", entry) == "the registry could not be reached"
    link = re.search(r'<a id="run-link" href="([^"]+)"', entry)
    assert link is not None
    assert link.group(1) == f"/console/operator/runs/{drill.run_id}"
    run = client.get(f"/operator/runs/{drill.run_id}").text
    assert text_of("run-state", run) == "interrupted: its process stopped"
    faults = re.search(r'id="run-faults".*?</table>', run, re.S)
    assert faults is not None
    assert "the registry could not be reached" in faults.group(0)
    assert re.search(r"<code>Server.NetworkError</code></td><td class=\"num\">3</td>", faults.group(0))
    flags = re.search(r'id="run-flags".*?</table>', run, re.S)
    assert flags is not None
    assert "surname" in flags.group(0)
    assert ">open<" in flags.group(0)
    calls = re.search(r'id="run-calls-link" href="([^"]+)">(\d+)<', run)
    assert calls is not None
    assert calls.group(2) == "5"
    listed = client.get(html.unescape(calls.group(1)).removeprefix("/console")).text
    assert len(re.findall(r'href="/console/operator/exchanges/\d+"', listed)) == 5
    assert client.get("/operator/runs/999999").status_code == 404


def test_the_log_filters_match_part_of_a_name_and_keep_console_views_apart(hub: Hub, drill: Drill) -> None:
    client = login(hub, "operator")
    entries = r'href="/console/operator/exchanges/(\d+)"'
    by_name = client.get("/operator/exchanges", params={"client": "социалдык"}).text  # «Социалдык фонд»
    by_code = client.get("/operator/exchanges", params={"client": "70000003/SF-PERSONAL"}).text
    assert re.findall(entries, by_name)
    assert re.findall(entries, by_name) == re.findall(entries, by_code)
    assert "<summary>Социалдык фонд</summary>" in by_name  # the name, the identifier one click away
    by_service = client.get("/operator/exchanges", params={"service": "householdbypin"}).text
    assert re.findall(entries, by_service)
    client.get("/operator/exchanges", params={"pin": hub.called_pins[0]})  # a view of personal data
    console = client.get("/operator/exchanges", params={"kind": "console"}).text
    assert re.findall(entries, console)
    assert "served to another body" not in console
    exchanges = client.get("/operator/exchanges", params={"kind": "exchanges"}).text
    assert re.findall(entries, exchanges)
    assert ">console<" not in exchanges
    nothing = client.get("/operator/exchanges", params={"client": "no-such-body-%_"}).text
    assert "No entries" in nothing  # % and _ are letters here, not wildcards


# -- no raw code and no English on a Kyrgyz or Russian page ------------------------------------------

RAW_KINDS = ("source", "run", "status", "field", "direction")


def visible_text(page: str) -> list[str]:
    """The page's text nodes, without what is shown as a code on purpose (``<code>``, the
    identifiers inside ``<details>``), scripts and styles."""
    body = re.sub(r"<(code|script|style|title)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<details\b.*?<summary>(.*?)</summary>.*?</details>", r"\1", body, flags=re.S)
    return [html.unescape(node).strip() for node in re.findall(r">([^<]+)<", body) if node.strip()]


# What a Kyrgyz or Russian page may show in Latin letters: identifiers and what people typed, never
# a word of the console's own. Names are the product's and the languages' own; the rest are data.
LATIN_NAMES = {"Sanarip", "Hub", "English", "X-Road", "HMAC"}
IDENTIFIERS = re.compile(
    r"(?:SERVICE|SUBSYSTEM|MEMBER):\S+"  # X-Road identifiers (beside the member's name)
    r"|\b[0-9a-f]{64}\b"  # digests
    r"|\b(?:sqlite|postgresql)\S*"  # the database's address on the health page
    r"|\(?reconciliation-run-\d+\)?"  # the X-Road issue of a run's calls, as sent
    r"|\bsanarip-hub(?: [a-z]+)+"  # a command to run
    r"|\bconsole:[\w.-]+"  # a console user as the ledger names them
)


def typed_by_people(hub: Hub) -> list[str]:
    """What people and clients typed, shown as they typed it: user names, agreements' numbers,
    purposes and revocation reasons, who decided a mismatch, what a client sent (its identifiers,
    userId, issue) and outcome codes nobody listed, which are shown as they came (other tests of the
    shared hub add their own), longest first."""
    statements = (
        "select username from console_user union select actor from mismatch_event",
        "select client_id from ledger_entry union select service_id from ledger_entry",
        "select number from agreement union select purpose from agreement "
        "union select revoke_reason from agreement",
        "select user_id from ledger_entry where channel in ('soap', 'rest') "
        "union select issue from ledger_entry where channel in ('soap', 'rest')",
    )
    with hub.engine.connect() as connection:
        found = {value for sql in statements for (value,) in connection.execute(text(sql)) if value}
        outcomes = {
            value for (value,) in connection.execute(text("select distinct outcome from ledger_entry"))
        }
    found |= outcomes - known("outcome")
    return sorted(found, key=len, reverse=True)


def latin_words(node: str, typed: Iterable[str] = ()) -> list[str]:
    """Words in Latin letters left in a text node once identifiers, names and what people typed
    are taken out."""
    rest = IDENTIFIERS.sub(" ", node)
    for value in typed:
        rest = rest.replace(value, " ")
    return [word for word in re.findall(r"[A-Za-z][A-Za-z.\-]{2,}", rest) if word not in LATIN_NAMES]


def english_messages(language: str) -> set[str]:
    """Console messages of several words whose translation differs from the English."""
    with catalog_path(language).open(encoding="utf-8") as handle:
        catalog = read_po(handle)
    return {
        str(m.id)
        for m in catalog
        if m.id and m.string and m.string != m.id and " " in str(m.id) and "%(" not in str(m.id)
    }


def pages_of(hub: Hub, drill: Drill, language: str) -> dict[str, str]:
    """Every page of the console as each role sees it in ``language``: the GET pages of every
    section, the sign-in page, a verification's result, a refused form's validation error, and the
    console's own 403 and 404 pages."""
    pages: dict[str, str] = {}
    anonymous = httpx.Client(base_url=hub.console, follow_redirects=False, timeout=30)
    form = anonymous.get("/login").text
    anonymous.post("/language", data={"csrf": csrf_of(form), "lang": language, "next": "/console/login"})
    pages["anonymous /login"] = anonymous.get("/login").text
    for role, paths in (
        (
            "operator",
            [
                "/operator",
                "/operator/exchanges",
                "/operator/exchanges?outcome=failures",
                f"/operator/exchanges/{drill.failed_seq}",
                "/operator/runs",
                f"/operator/runs/{drill.run_id}",
                "/operator/health",
            ],
        ),
        ("lsg_user", ["/lsg", "/lsg?view=history"]),
        (
            "auditor",
            [
                "/auditor",
                f"/auditor?pin={hub.queue_pins[0]}",  # the clerk's views of this person above among them
                f"/auditor/entries/{drill.failed_seq}",
                "/auditor/verify",
                "/auditor/agreements",
                "/auditor/certificates",
            ],
        ),
        ("administrator", ["/admin", "/admin/users"]),
        ("owner", ["/owner"]),
    ):
        client = login(hub, role)
        home = client.get(paths[0]).text
        moved = client.post("/language", data={"csrf": csrf_of(home), "lang": language, "next": paths[0]})
        assert moved.status_code == 303
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            pages[f"{role} {path}"] = response.text
        if role == "lsg_user":
            first = re.search(r'href="/console(/lsg/mismatches/\d+)"', pages["lsg_user /lsg"])
            assert first is not None
            pages["lsg_user mismatch"] = client.get(first.group(1)).text
        if role == "auditor":
            verified = client.post("/auditor/verify", data={"csrf": csrf_of(home)})
            assert verified.status_code == 200
            pages["auditor verification result"] = verified.text
        if role == "administrator":
            users = pages["administrator /admin/users"]
            refused = client.post(
                "/admin/users",
                data={
                    "csrf": csrf_of(users),
                    "username": "trivial",
                    "password": "a" * 12,
                    "role": "operator",
                },
            )
            assert refused.status_code == 400
            pages["administrator refused form"] = refused.text
        if role == "operator":
            forbidden, missing = client.get("/admin"), client.get("/operator/no-such-page")
            assert (forbidden.status_code, missing.status_code) == (403, 404)
            pages["operator 403"], pages["operator 404"] = forbidden.text, missing.text
        # the language is kept for the user's next sign-in: give the shared accounts back their English
        client.post("/language", data={"csrf": csrf_of(home), "lang": "en", "next": paths[0]})
    return pages


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_no_raw_code_or_english_on_a_kyrgyz_or_russian_page(hub: Hub, drill: Drill, language: str) -> None:
    codes = {code for kind in RAW_KINDS for code in known(kind)}
    codes |= {"Server.NetworkError", "Client.UnknownService", "ok"}  # outcome codes in a cell of their own
    english = english_messages(language)
    found = []
    pages = pages_of(hub, drill, language)
    typed = typed_by_people(hub)
    # a check's detail with values is translated and filled, not shown in the English of /readyz
    head = head_revision()
    revision = {"ky": f"{head} версиясында; код {head} күтөт", "ru": f"версия {head}; код ожидает {head}"}
    assert revision[language] in pages["operator /operator/health"]
    assert "code expects" not in pages["operator /operator/health"]
    for name, page in pages.items():
        assert f'lang="{language}"' in page, name
        for node in visible_text(page):
            if node in codes:
                found.append((name, "raw code", node))
            for message in english:
                if message in node:
                    found.append((name, "English", message))
            if words := latin_words(node, typed):
                found.append((name, "Latin letters", f"{' '.join(words)} in {node[:80]!r}"))
    assert found == [], "\n".join(" | ".join(item) for item in found)


def test_every_field_a_flag_can_name_has_its_word() -> None:
    """A mismatch's field is shown by its word: every field the comparison rules flag and every
    person field an actualization may write (the clerk's queue showed 'patronymic' raw)."""
    fields = {"pin", "registered_soate", *PERSON_FIELDS, *(rule.field for rule in CIVIL_REGISTRY_RULES)}
    assert fields - known("field") == set()


def test_the_words_for_what_others_record_in_english_are_read_from_what_they_record() -> None:
    """The console says in words what other code records in English (the ledger's evidence): each
    text is taken here from its writer, so that a change there fails here rather than leaving
    English on a page no other test happens to render (a failed verification, a witness count)."""
    assert STALE_REASON in messages()  # the catalog's message is the reason as the run records it
    for name, written in vars(Issue).items():
        if name.isupper():
            said = console_issue("ky", written)
            said = console_issue("ky", Issue.numbered(written, 7)) if said == written else said
            assert said is not None
            assert latin_words(said) == [], name
    intact = summary(Verified(entries=1_234_567, checkpoints=3, size=1_234_567, logged=2, cosigned=1_000_000))
    said, evidence = verification("ru", f"{intact} (0.4 s)")
    assert (latin_words(said), evidence) == ([], [])
    assert "1 234 567" in said.replace("\xa0", " ")  # grouped as Russian groups numbers
    failed = LedgerIntegrityError(5, "altered", "the stored hash does not match the entry's bytes")
    said, evidence = verification("ky", f"{failed} (0.1 s)")
    assert latin_words(said) == []
    assert evidence == ["the stored hash does not match the entry's bytes"]  # the finding, as found


def test_the_raw_code_check_catches_a_raw_code_and_english() -> None:
    """The check above is not blind: a status left as its code and an English message are found."""
    page = "<td>in_review</td><td>Сверки</td><td><code>Server.NetworkError</code></td><p>Fault rate</p>"
    nodes = visible_text(page)
    assert "in_review" in nodes
    assert "Server.NetworkError" not in nodes
    assert "Fault rate" in english_messages("ru")
    # and a message the catalog does not hold (a validation error, a verification's summary)
    assert latin_words("a password needs at least 5 different characters")
    assert latin_words("бүтүн · intact: 67 entries") == ["intact", "entries"]
    assert latin_words("SUBSYSTEM:central-server/GOV/70000003/sf · Социалдык фонд · op1 · Sanarip Hub") == []
