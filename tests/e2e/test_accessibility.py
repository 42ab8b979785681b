"""axe-core finds no WCAG 2.1 A/AA violations on any screen of the app."""

from __future__ import annotations

import pytest

from e2e_support import AXE, axe_violations, log_in, require

violations = axe_violations  # test_alerts_browser uses this name

pytestmark = pytest.mark.browser


def test_every_screen_has_no_axe_violations(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids.
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844},
                                  geolocation={"latitude": 52.7092, "longitude": 5.864, "accuracy": 15},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Gebruikersnaam").wait_for()
    screens = {"log-in": violations(page)}

    page.get_by_label("Gebruikersnaam").fill("regisseur")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("alert").filter(has_text="klopt niet").wait_for()
    screens["log-in with error"] = violations(page)

    log_in(page, server, "regisseur")
    page.locator(".signal-item__open").first.wait_for()  # the area's signals, pulled
    screens["shell with signal list"] = violations(page)
    page.locator(".signal-item__open").first.click()
    page.get_by_role("button", name="Wijzigingen opslaan").wait_for()
    screens["signal detail"] = violations(page)
    page.get_by_role("button", name="Nieuw signaal").click()
    page.get_by_role("button", name="Gebruik mijn locatie").click()
    page.get_by_text("Marknesse").first.wait_for()
    page.wait_for_load_state("networkidle")
    screens["capture form"] = violations(page)
    page.get_by_role("button", name="Signaal opslaan").click()
    page.get_by_role("alert").filter(has_text="Kies een categorie").wait_for()
    screens["capture form with error"] = violations(page)

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_label("Gebruikersnaam").wait_for()  # the session is gone before we reload
    log_in(page, server, "teamleider")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Kaart").click()
    page.locator("table.stats-table tbody tr").first.wait_for()
    screens["team lead heatmap"] = violations(page)
    page.locator("table.stats-table tbody button").first.click()
    page.get_by_text("laatste 26 weken").wait_for()
    screens["area trend"] = violations(page)
    context.close()
    assert {name: found for name, found in screens.items() if found} == {}
