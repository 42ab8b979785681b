"""Log in through the PWA in headless Debian Chromium against a real server."""

from __future__ import annotations

import pytest

from e2e_support import log_in

pytestmark = pytest.mark.browser


def test_login_shows_app_shell(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_label("Gebruikersnaam").fill("regisseur")
    page.get_by_label("Wachtwoord").fill("fout-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("alert").filter(has_text="klopt niet").wait_for()

    page.get_by_label("Wachtwoord").fill("regisseur-demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Nieuw signaal").wait_for()
    status = page.get_by_role("status")
    assert "Alles verzonden" in status.inner_text()
    assert page.get_by_role("link", name="Kaart").count() == 0  # not for gebiedsregisseurs
    # The service worker takes control so the shell starts offline next time.
    assert page.evaluate("async () => !!(await navigator.serviceWorker.ready).active")
    context.close()


def test_teamleider_sees_kaart(browser, server):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Kaart").click()
    # The heatmap: legend, and the same numbers as a table with one row per kern.
    rows = page.locator("table.stats-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 11
    assert page.get_by_label("Legenda").locator("li").count() >= 2
    assert "per 1.000 inwoners" in page.get_by_label("Legenda").inner_text()
    # Zoomed in, the individual signals appear (clustered); zoomed out only the areas.
    signals = page.locator(".heatmap-map .marker-cluster, .heatmap-map path.leaflet-interactive[fill='#ffb612']")
    page.wait_for_load_state("networkidle")
    assert signals.count() == 0
    for _ in range(3):
        page.locator(".heatmap-map .leaflet-control-zoom-in").click()
        page.wait_for_timeout(300)
    page.locator(".heatmap-map .marker-cluster, "
                 ".heatmap-map path.leaflet-interactive[fill='#ffb612']").first.wait_for(state="attached")
    page.get_by_label("Niveau").select_option("wijk")
    page.get_by_text("Geen gebieden op niveau wijk").wait_for()  # defaults have kernen only
    page.get_by_label("Niveau").select_option("kern")
    rows.first.wait_for()
    page.locator("table.stats-table tbody button", has_text="Marknesse").click()
    page.get_by_text("Marknesse: laatste 26 weken").wait_for()
    context.close()
