"""Every page of every role at a phone's width in Kyrgyz and Russian (the longer words), and an
administrator's first sign-in with a one-time code, in Debian's Chromium (issue 17 §Everyone,
§Administrator).  The clerk's, operator's and administrator's working days are in their own files;
this one only asks that nothing needs a sideways scroll and that the second factor works in a
browser as its users see it: the key and its picture, the code typed, the code refused a second time.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from sanarip_hub.console import totp
from sanarip_hub.console.i18n import translations
from tests.console.conftest import Hub
from tests.console.test_browser import browser  # noqa: F401  (the module's Chromium fixture)
from tests.console.test_browser_clerk import PHONE, no_sideways_scroll
from tests.console.test_browser_days import choose_language, english_again, signed_in
from tests.console.test_second_factor import PASSWORD, guarded, new_user  # noqa: F401  (fixture)

pytestmark = pytest.mark.integration

PAGES = {
    "operator": [
        "/operator",
        "/operator/exchanges",
        "/operator/exchanges?outcome=failures",
        "/operator/runs",
    ],
    "lsg_user": ["/lsg", "/lsg?view=history"],
    "auditor": ["/auditor", "/auditor/verify", "/auditor/agreements", "/auditor/certificates"],
    "administrator": ["/admin", "/admin/users"],
    "owner": ["/owner"],
}


# the innermost elements reaching past the window's right edge outside a scrolling box: what to mend
# when a page is too wide (a word longer than its line, as a Russian heading was, shows no element:
# then look at the text)
OUTSIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                 && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
    .filter(e => { for (let a = e.parentElement; a; a = a.parentElement) {
                     if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false; }
                   return true; })
    .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim().slice(0, 40)}`)
"""


def pages_with_ids(hub: Hub, role: str) -> list[str]:
    """The role's pages, with an entry, a run and a person of the shared hub where a page shows one."""
    with hub.engine.connect() as connection:
        seq = connection.execute(text("select max(seq) from ledger_entry")).scalar_one()
        run = connection.execute(text("select max(id) from sync_run")).scalar_one()
    extra = {
        "operator": [f"/operator/exchanges/{seq}", "/operator/health"]
        + ([f"/operator/runs/{run}"] if run is not None else []),
        "auditor": [f"/auditor/entries/{seq}", f"/auditor?pin={hub.queue_pins[0]}"],
    }
    return PAGES[role] + extra.get(role, [])


@pytest.mark.parametrize("language", ["ky", "ru"])
@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_fits_a_phone(browser: Browser, hub: Hub, role: str, language: str) -> None:  # noqa: F811
    page = signed_in(browser, hub, role, language)
    paths = pages_with_ids(hub, role)
    if role == "lsg_user":
        page.goto(f"/console{paths[0]}")
        paths.append(str(page.locator("a[href*='/lsg/mismatches/']").first.get_attribute("href")))
    wide = []
    for path in paths:
        page.goto(path if path.startswith("/console") else f"/console{path}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.wait_for_load_state()
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
            wide.append((path, page.evaluate("document.documentElement.scrollWidth"), page.evaluate(OUTSIDE)))
    english_again(page, f"/console{PAGES[role][0]}")
    assert wide == [], f"wider than {PHONE['width']} px: {wide}"


def test_an_administrator_sets_up_and_uses_a_one_time_code_in_russian(
    browser: Browser,  # noqa: F811
    guarded: Hub,  # noqa: F811
) -> None:
    hub = guarded
    _ = translations("ru").gettext
    name = new_user(hub, "administrator")
    context = browser.new_context(base_url=hub.console, viewport=PHONE, locale="ru-RU")
    page = context.new_page()

    def password_step() -> None:
        page.goto("/console/login")
        choose_language(page, "ru")
        page.get_by_label(_("User name")).fill(name)
        page.get_by_label(_("Password")).fill(PASSWORD)
        page.locator("#login-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/console/login/code$"))

    password_step()
    # first sign-in: the key to add to an app, as text and as a picture the phone's camera reads
    expect(page.get_by_role("heading", name=_("Set up your one-time codes"))).to_be_visible()
    expect(page.locator("#totp-qr")).to_be_visible()
    assert page.evaluate("document.getElementById('totp-qr').naturalWidth") > 0  # the picture loaded
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    no_sideways_scroll(page)
    code = totp.code_at(secret, time.time())
    page.get_by_label(_("One-time code from your app (6 digits)")).fill(code)
    page.locator("#code-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/admin$"))
    expect(page.get_by_role("button", name=_("Log out"))).to_be_visible()
    page.get_by_role("button", name=_("Log out")).click()

    # the next sign-in asks for a code without showing the key again, and the same code is refused
    password_step()
    expect(page.locator("#totp-secret")).to_have_count(0)
    page.get_by_label(_("One-time code from your app (6 digits)")).fill(code)
    page.locator("#code-form button[type=submit]").click()
    expect(page.locator("p.error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/login/code$"))
    context.close()
