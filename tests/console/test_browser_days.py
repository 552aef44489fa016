"""The operator's and the administrator's working day in Debian's Chromium, in Kyrgyz and in Russian,
at phone width: the operator follows a failed registry call from the exchange log to its sync run;
the administrator lets a disabled user sign in again and unlocks a user that someone's guesses
locked.  (The clerk's day is in ``test_browser_clerk``; English flows in ``test_browser``.)"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from sanarip_hub.config import load_settings
from sanarip_hub.console.accounts import add_user, disable, list_users
from sanarip_hub.console.i18n import translations
from sanarip_hub.domain.codes import ConsoleRole
from sanarip_hub.domain.exchange import run_issue
from sanarip_hub.ledger.store import Ledger
from sanarip_hub.storage.console_users import ConsoleUserTable
from tests.console.conftest import MAX_FAILED, Hub, csrf_of
from tests.console.test_browser import browser, shot, sign_in  # noqa: F401  (the module's Chromium fixture)
from tests.console.test_browser_clerk import PHONE, no_sideways_scroll
from tests.console.test_operator_day import registry_calls, run_that_died

pytestmark = pytest.mark.integration

GUESSER = "203.0.113.9"  # a documentation address: the guesses never come from the tests' loopback


def signed_in(browser: Browser, hub: Hub, role: str, language: str) -> Page:  # noqa: F811
    """A phone-sized page signed in as ``role`` (the second factor too), switched to ``language``."""
    context = browser.new_context(base_url=hub.console, viewport=PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, hub, role)
    choose_language(page, language)
    return page


def choose_language(page: Page, language: str) -> None:
    """Switch the page to ``language`` with the header's language form (signed in or not)."""
    page.select_option("#lang-select", language)
    page.locator("header form.inline").first.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def english_again(page: Page, home: str) -> None:
    """The language is kept for the next sign-in: give the shared account back its English."""
    csrf = csrf_of(page.request.get(home).text())
    page.request.post("/console/language", form={"csrf": csrf, "lang": "en", "next": home})
    page.context.close()


@pytest.fixture
def failed_run(hub: Hub) -> tuple[int, int]:
    """A reconciliation run whose process died mid-chunk after one answered registry call and two
    that could not reach the registry: (run id, the last failed call's ledger seq)."""
    with hub.engine.begin() as connection:
        run_id = run_that_died(connection, datetime.now(UTC) - timedelta(minutes=20), checked=1, matched=1)
    at = int(time.time() * 1000) - 10 * 60_000
    calls = registry_calls(
        run_id, at, [("ok", 70), ("Server.NetworkError", 9_000), ("Server.NetworkError", 9_500)]
    )
    seqs = Ledger.for_settings(hub.engine, load_settings(environ=hub.env)).append_many(calls)
    return run_id, seqs[-1]


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_operators_failure_drill_down_in_kyrgyz_and_russian(
    browser: Browser,  # noqa: F811
    hub: Hub,
    failed_run: tuple[int, int],
    language: str,
) -> None:
    run_id, failed_seq = failed_run
    _ = translations(language).gettext
    page = signed_in(browser, hub, "operator", language)
    try:
        page.goto("/console/operator/exchanges")
        expect(page.locator("h1")).to_have_text(_("Exchange log"))
        no_sideways_scroll(page)
        page.select_option("#f-outcome", "failures")
        page.select_option("#f-kind", "exchanges")
        page.fill("#f-issue", run_issue(run_id))
        page.locator("#filters button[type=submit]").click()
        rows = page.locator("#entries tbody tr")
        expect(rows).to_have_count(2)  # the two failed calls of the run, not the answered one
        expect(rows.first).to_contain_text(_("the registry could not be reached"))
        no_sideways_scroll(page)
        shot(page, hub, f"operator-failures-{language}")

        page.locator(f"a[href$='/operator/exchanges/{failed_seq}']").click()
        expect(page.locator("#why")).to_have_text(_("the registry could not be reached"))
        no_sideways_scroll(page)
        page.locator("#run-link").click()
        expect(page).to_have_url(re.compile(rf"/console/operator/runs/{run_id}$"))
        expect(page.locator("#run-state")).to_have_text(_("interrupted: its process stopped"))
        faults = page.locator("#run-faults")
        expect(faults).to_contain_text(_("the registry could not be reached"))
        expect(faults.locator("td.num")).to_have_text(["2"])
        expect(page.locator("#run-calls-link")).to_have_text("3")
        no_sideways_scroll(page)
        shot(page, hub, f"operator-run-{language}")
    finally:
        english_again(page, "/console/operator")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_administrator_enables_and_unlocks_in_kyrgyz_and_russian(
    browser: Browser,  # noqa: F811
    hub: Hub,
    language: str,
) -> None:
    _ = translations(language).gettext
    users = ConsoleUserTable(hub.engine)
    tag = secrets.token_hex(3)
    resting, guessed = f"resting-{language}-{tag}", f"guessed-{language}-{tag}"
    for name in (resting, guessed):
        add_user(users, name, f"Long-enough-{tag}-2026", ConsoleRole.OPERATOR)
    disable(users, resting)
    now = datetime.now(UTC)
    for _n in range(MAX_FAILED):  # someone guessed this name's password from another address
        users.record_failure(guessed, GUESSER, now, now - timedelta(hours=1))
    page = signed_in(browser, hub, "administrator", language)
    try:
        page.goto("/console/admin/users")
        no_sideways_scroll(page)
        row = page.locator(f"#user-{resting}")
        expect(row.locator("td.state")).to_have_text(_("disabled"))
        locked = page.locator(f"#user-{guessed}")
        expect(locked.locator("td.state")).to_contain_text(_("locked"))
        expect(locked.locator("td.state")).to_contain_text(GUESSER)
        shot(page, hub, f"admin-users-{language}")

        row.get_by_role("button", name=_("Enable")).click()
        expect(page.locator("p.notice")).to_have_text(
            _("User {name} may sign in again.").format(name=resting)
        )
        expect(page.locator(f"#user-{resting} td.state")).to_have_text(_("active"))

        page.locator(f"#user-{guessed}").get_by_role("button", name=_("Unlock")).click()
        expect(page.locator("p.notice")).to_have_text(_("User {name} unlocked.").format(name=guessed))
        expect(page.locator(f"#user-{guessed} td.state")).to_have_text(_("active"))
        no_sideways_scroll(page)
    finally:
        english_again(page, "/console/admin")
    console = load_settings(environ=hub.env).console
    state = {account.listing.username: account.state for account in list_users(users, console)}
    assert state[resting] == "active"
    assert state[guessed] == "active"
