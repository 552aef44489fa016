"""The console in a real browser: Playwright driving Debian's Chromium (``/usr/bin/chromium``).

Screenshots of every page are written to ``var/test-artifacts/console/`` (kept by CI as artifacts).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.console.conftest import ARTIFACTS, PASSWORDS, USERS, Hub, one_time_code
from tests.debian import ensure_debian
from tests.producer.conftest import HUB

pytestmark = pytest.mark.integration  # servers, processes or a browser on loopback

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    ensure_debian(CHROMIUM, "chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, hub: Hub) -> Iterator[Page]:
    context = browser.new_context(base_url=hub.console, accept_downloads=True, locale="en-US")
    opened = context.new_page()
    yield opened
    context.close()


def shot(page: Page, hub: Hub, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{hub.backend}-{name}.png"), full_page=True)


def sign_in(page: Page, hub: Hub, role: str) -> None:
    page.goto("/console/login")
    page.get_by_label("User name").fill(USERS[role])
    page.get_by_label("Password").fill(PASSWORDS[role])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("^(Log out|Sign in)$"))).to_be_visible()
    if page.url.endswith("/login/code"):  # a second-factor role: the code its app shows
        page.get_by_label("One-time code from your app (6 digits)").fill(one_time_code(hub, USERS[role]))
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def labels_complete(page: Page) -> None:
    """Every visible form control has a label (a <label for>, or it is a button with text)."""
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(e => e.labels.length === 0).map(e => e.name || e.id)"""
    )
    assert unlabelled == []


@pytest.mark.parametrize("role", list(USERS))
def test_each_role_signs_in_and_lands_on_its_page(page: Page, hub: Hub, role: str) -> None:
    sign_in(page, hub, role)
    heading = {"operator": "Dashboard", "auditor": "Access ledger", "lsg_user": "Actualization queue",
               "administrator": "Agreements", "owner": "Unauthorized access"}[role]  # fmt: skip
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    shot(page, hub, f"home-{role}")


def test_login_page_keyboard_and_labels(page: Page, hub: Hub) -> None:
    page.goto("/console/login")
    labels_complete(page)
    shot(page, hub, "login")
    assert page.evaluate("document.activeElement.id") == "username"  # focus starts where typing does
    page.keyboard.type(USERS["operator"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORDS["operator"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Log in"
    page.keyboard.press("Enter")  # submits without a mouse
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_operator_filters_the_log_and_opens_an_entry(page: Page, hub: Hub) -> None:
    sign_in(page, hub, "operator")
    shot(page, hub, "dashboard")
    page.get_by_role("link", name="Exchange log").click()
    page.get_by_label("Service").fill(
        "SERVICE:central-server/GOV/70000050/sanaripaymak-service/householdByPin/v1"
    )
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("#entries tbody tr")
    expect(rows.first).to_contain_text("householdByPin")
    assert "service=" in page.url
    shot(page, hub, "exchange-log")
    rows.first.get_by_role("link").click()
    expect(page.locator("#entry")).to_contain_text("Entry hash")
    shot(page, hub, "entry")
    page.get_by_role("link", name="Sync runs").click()
    shot(page, hub, "runs")
    page.get_by_role("link", name="Health").click()
    expect(page.locator("#health")).to_contain_text("ledger signing key")
    shot(page, hub, "health")


def test_lsg_user_resolves_a_mismatch_and_the_auditor_finds_the_ledger_entry(
    browser: Browser, page: Page, hub: Hub
) -> None:
    sign_in(page, hub, "lsg_user")
    labels_complete(page)
    queue = page.locator("#queue tbody tr")
    expect(queue.first).to_contain_text("date of birth")  # the field by its name, not its code
    shot(page, hub, "queue")
    page.keyboard.press("Tab")  # the queue page is usable from the keyboard: skip link first
    assert page.evaluate("document.activeElement.className") == "skip"
    first = queue.first
    pin = first.locator("td").nth(1).inner_text()
    first.get_by_role("link").click()
    expect(page.locator("#side-by-side")).to_contain_text("1990-01-01")
    labels_complete(page)
    shot(page, hub, "mismatch")
    page.get_by_label("Actualize: take the registry's value").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator("#status")).to_have_text("actualized")  # the status's word (en)
    shot(page, hub, "mismatch-resolved")

    auditor = browser.new_context(base_url=hub.console, accept_downloads=True, locale="en-US").new_page()
    sign_in(auditor, hub, "auditor")
    auditor.get_by_label("PIN (data-subject report)").fill(pin)
    auditor.get_by_role("button", name="Search").click()
    entries = auditor.locator("#staff tbody")  # the hub's own staff, apart from other bodies
    expect(entries).to_contain_text("console: decision: actualized")  # the console's words, en
    expect(entries).to_contain_text("console: a mismatch")
    expect(entries.locator('[title="console:lsg.resolve.actualized"]')).to_have_count(1)  # code on hover
    shot(auditor, hub, "audit-by-pin")
    auditor.context.close()


def test_auditor_downloads_a_bundle_that_verifies_offline(page: Page, hub: Hub, tmp_path: Path) -> None:
    sign_in(page, hub, "auditor")
    pin = hub.called_pins[0]
    page.get_by_label("PIN (data-subject report)").fill(pin)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#exchanges tbody")).to_contain_text("householdByPin")
    with page.expect_download() as download:
        page.locator("#bundle-form").get_by_role("button", name="Download bundle").click()
    bundle = tmp_path / "evidence.zip"
    download.value.save_as(bundle)
    public_key = Path(hub.env["SANARIP_HUB_HOME"]) / "keys" / "ledger.vkey"
    offline = tmp_path / "offline"  # a place with no hub database: only the bundle and the key
    offline.mkdir()
    result = subprocess.run(
        [*HUB, "ledger", "verify", "--bundle", str(bundle), "--public-key", str(public_key)],
        env={**os.environ, "SANARIP_HUB_HOME": str(offline)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "verified" in result.stdout.lower() or "ok" in result.stdout.lower()
    page.get_by_role("link", name="Verification").click()
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator("#verify-result")).to_contain_text("intact")
    shot(page, hub, "verification")
    page.get_by_role("link", name="Agreements").click()
    expect(page.locator("#agreements")).to_contain_text("SA-CONSOLE-SF")
    shot(page, hub, "auditor-agreements")


def test_a_role_is_refused_another_roles_page_and_a_form_without_csrf(page: Page, hub: Hub) -> None:
    sign_in(page, hub, "lsg_user")
    response = page.goto("/console/auditor")
    assert response is not None
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("This page is not for your role.")
    shot(page, hub, "refused")
    posted = page.request.post(f"{hub.console}/language", form={"lang": "ru", "next": "/console/lsg"})
    assert posted.status == 403


def test_administrator_manages_agreements_and_users(page: Page, hub: Hub) -> None:
    sign_in(page, hub, "administrator")
    form = page.locator("#agreement-form")
    # the numbers offices use (SA/2026/9 could be created but not revoked: 404); services and each
    # one's fields chosen from lists
    form.get_by_role("textbox", name="Number").fill("SA/2026/9")
    form.get_by_label("Client").fill("SUBSYSTEM:central-server/GOV/70000020/mlsp-benefits")
    form.get_by_label("Purpose").fill("benefit checks")
    form.get_by_label("Valid from").fill("2026-01-01")
    form.get_by_role("button", name="Create").click()  # no service chosen: refused, the form kept
    expect(page.locator("p.error")).to_contain_text("Choose at least one service.")
    expect(form.get_by_role("textbox", name="Number")).to_have_value("SA/2026/9")
    form.get_by_label("Household card by PIN householdByPin", exact=True).check()  # title, then code
    form.get_by_label("Fields of Household card by PIN").select_option(["members.relation"])
    form.get_by_role("button", name="Create").click()
    expect(page.locator("p.notice")).to_contain_text("Agreement SA/2026/9 created.")
    row = page.locator("#agreements tr", has_text="SA/2026/9")
    expect(row).to_contain_text("in force")
    row.get_by_label("Reason").fill("superseded")
    row.get_by_role("button", name="Revoke").click()  # not confirmed: the browser keeps the form
    expect(row).to_contain_text("in force")
    row.get_by_label("I am sure").check()
    row.get_by_role("button", name="Revoke").click()
    revoked = page.locator("#agreements tr", has_text="SA/2026/9")
    expect(revoked).to_contain_text("revoked")
    expect(revoked).to_contain_text(f"{USERS['administrator']}: superseded")  # who and why
    shot(page, hub, "admin-agreements")
    page.get_by_role("link", name="Users").click()
    users = page.locator("#user-form")
    users.get_by_label("User name").fill("new-auditor")
    users.get_by_label("Role").select_option("auditor")
    users.get_by_label("Password").fill("aaaaaaaaaaaa")
    users.get_by_role("button", name="Create").click()
    expect(page.locator("p.error")).to_contain_text("at least 5 different characters")
    expect(users.get_by_label("User name")).to_have_value("new-auditor")
    users.get_by_label("Password").fill("Second-factor-soon-1")
    users.get_by_role("button", name="Create").click()
    expect(page.locator("#users")).to_contain_text("new-auditor")
    shot(page, hub, "admin-users")
