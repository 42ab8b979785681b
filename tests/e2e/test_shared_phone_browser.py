"""A phone shared by two users, without a page load between them: after A logs out, B starts
at the list, not on A's signal, search words or filters (the URL, the search box, the screen)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e_support import log_in, wait_for_status

pytestmark = pytest.mark.browser


def test_next_user_does_not_start_where_the_last_one_was(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    page.locator(".signal-list--local .signal-item__open").first.wait_for()
    page.get_by_role("searchbox", name="Zoeken").fill("jongeren")
    page.wait_for_url("**/signalen?*q=jongeren*")
    page.locator(".signal-list--local .signal-item__open").first.click()
    page.wait_for_url("**/signalen/*")
    page.get_by_role("link", name="Terug").wait_for()

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_label("Gebruikersnaam", exact=True).wait_for()
    assert page.evaluate("() => location.pathname + location.search") == "/"  # the log-in screen neither

    # B logs in on the same page (no reload), as on a phone passed on.
    page.get_by_label("Gebruikersnaam", exact=True).fill("jdevries")
    page.get_by_label("Wachtwoord", exact=True).fill("jdevries-demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Nieuw signaal").wait_for()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signalen")
    assert page.evaluate("() => location.pathname + location.search") == "/signalen"
    expect(page.get_by_role("searchbox", name="Zoeken")).to_have_value("")
    context.close()
