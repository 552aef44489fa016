"""The LSG clerk's day in Debian's Chromium, in Kyrgyz and in Russian, at phone width: filter the
queue, open an item, see the reason become required, lose a race to a second tab and keep the typed
reason, decide, and find the item in the history view."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from sanarip_hub.console.i18n import translations
from sanarip_hub.domain.codes import SyncSource
from tests.console.conftest import ARTIFACTS, PASSWORDS, USERS, Hub, csrf_of
from tests.console.test_browser import browser  # noqa: F401  (the module's Chromium fixture)
from tests.console.test_clerk_day import flagged, status_of

pytestmark = pytest.mark.integration

PHONE = {"width": 390, "height": 844}
OUTDATED = (  # the console's message for a decision made on what another tab already changed
    "Someone decided on this mismatch, or changed the person, after you opened it (another tab, a colleague "
    "or a new reconciliation run). Nothing was saved. Check what it says now; your decision is still in the "
    "form."
)


@pytest.fixture
def clerk(browser: Browser, hub: Hub) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(base_url=hub.console, viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.goto("/console/login")
    page.fill("#username", USERS["lsg_user"])
    page.fill("#password", PASSWORDS["lsg_user"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/console/lsg$"))
    yield page
    # the language is kept for the next sign-in: give the shared account back its English
    home = page.request.get("/console/lsg").text()
    page.request.post("/console/language", form={"csrf": csrf_of(home), "lang": "en", "next": "/console/lsg"})
    context.close()


def no_sideways_scroll(page: Page) -> None:
    """The page fits a phone's width. Call it once the page awaited has been seen (an expect on it):
    measured while a click's navigation is still committing, there is no document to measure."""
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_the_clerks_day_in_kyrgyz_and_russian_at_phone_width(clerk: Page, hub: Hub, language: str) -> None:
    _ = translations(language).gettext
    mine = flagged(hub, "surname", SyncSource.TAX, "Жумабеков", "Жумабек уулу")[0]
    other = flagged(hub, "patronymic", SyncSource.CIVIL_REGISTRY, "Бакытович", "Бакыт уулу")[0]
    page = clerk
    page.select_option("#lang-select", language)
    page.locator("header form.inline").first.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(_("Actualization queue"))
    no_sideways_scroll(page)

    page.select_option("#f-source", "tax")
    page.locator("#filters button[type=submit]").click()
    rows = page.locator("#queue tbody")
    expect(rows.locator(f"a[href$='/lsg/mismatches/{mine}']")).to_have_count(1)
    expect(rows.locator(f"a[href$='/lsg/mismatches/{other}']")).to_have_count(0)
    expect(rows).to_contain_text(_("tax service"))
    page.screenshot(path=str(ARTIFACTS / f"{hub.backend}-clerk-queue-{language}.png"), full_page=True)

    page.locator(f"a[href$='/lsg/mismatches/{mine}']").click()
    expect(page).to_have_url(re.compile(rf"/console/lsg/mismatches/{mine}$"))
    no_sideways_scroll(page)
    marker = page.locator("#reason-required")
    expect(marker).to_be_hidden()
    page.check("#to-rejected")
    expect(marker).to_be_visible()
    assert page.eval_on_selector("#reason", "e => e.required")

    second_tab = page.context.new_page()
    second_tab.goto(page.url)
    second_tab.check("#to-in_review")
    second_tab.locator("#resolve-form button[type=submit]").click()
    expect(second_tab.locator("#status")).to_have_text(_("in review"))

    reason = "Туулгандыгы тууралуу күбөлүк текшерилди / проверено"
    page.fill("#reason", reason)
    page.locator("#resolve-form button[type=submit]").click()
    expect(page.locator("p.error")).to_have_text(_(OUTDATED))
    expect(page.locator("#reason")).to_have_value(reason)
    expect(page.locator("#to-rejected")).to_be_checked()
    page.screenshot(path=str(ARTIFACTS / f"{hub.backend}-clerk-conflict-{language}.png"), full_page=True)
    assert status_of(hub, mine)[0] == "in_review"

    page.locator("#resolve-form button[type=submit]").click()  # decided again, on what it says now
    expect(page.locator("#status")).to_have_text(_("rejected: the hub is right"))
    assert status_of(hub, mine)[0] == "rejected"
    page.goto("/console/lsg")
    page.locator("#to-history").click()
    expect(page.locator("h1")).to_have_text(_("Decided mismatches"))
    expect(page.locator(f"#queue a[href$='/lsg/mismatches/{mine}']")).to_have_count(1)
    no_sideways_scroll(page)
