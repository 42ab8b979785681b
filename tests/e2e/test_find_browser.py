"""Finding and following up on a 390 × 844 phone: the search box `Zoeken` finds a signal by a
word with an accent typed without it, online and offline; the filters live in the URL; a
follow-up due today and a hand-over show under "Opvolgen"; axe-core finds nothing on either screen."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from e2e_support import AXE, PHONE, api_token, axe_violations, log_in, no_sideways_scroll, require, shots_dir

axe = axe_violations

pytestmark = pytest.mark.browser
SHOTS = shots_dir("find")
MARKNESSE = (52.7092, 5.8640)  # in the demo regisseur's area


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def today() -> str:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date().isoformat()


def create(base: str, username: str, **fields) -> dict:
    body = {
        "id": str(uuid.uuid4()), "category": "overlast", "description": "Signaal voor de zoektest",
        "urgency": "normaal", "source": "inwoner",
        "location": {"lat": MARKNESSE[0], "lon": MARKNESSE[1], "accuracy_m": 12, "method": "gps"},
        "observed_at": (datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(hours=1)).isoformat(),
        "status": "nieuw", "contains_personal_data": False, "attachments": [], **fields,
    }
    res = httpx.post(base + "/api/v1/signals", json=body,
                     headers={"Authorization": f"Bearer {api_token(base, username)}"})
    assert res.status_code in (200, 201), res.text
    return res.json()


def context_for(browser):
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids.
    return browser.new_context(bypass_csp=True, viewport=PHONE, locale="nl-NL", timezone_id="Europe/Amsterdam")


def test_search_finds_accented_words_typed_without_accents_online_and_offline(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    create(server, "regisseur", description="Glasscherven op het terras van café ’t Hoekje, Hoofdweg")
    create(server, "regisseur", description="Fietsen voor de ingang van de bibliotheek", category="jeugd")
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    cards = page.locator(".signal-list--local .signal-item__open")  # the phone's own results
    cards.filter(has_text="Hoekje").wait_for()  # pulled onto the phone

    search = page.get_by_role("searchbox", name="Zoeken")
    search.fill("cafe hoek")
    assert cards.count() == 1
    assert "café ’t Hoekje" in cards.first.inner_text()
    # A card says the signal's status (not only that it was sent, which the bar above says for all).
    assert cards.first.locator(".signal-item__status").inner_text() == "Nieuw"
    assert "Verzonden" not in cards.first.inner_text()
    page.wait_for_url("**/signalen?q=cafe+hoek")
    page.locator(".signal-count").filter(has_text="1 van ").wait_for()

    # Offline: the same search, in other capitals, over the signals on the phone; no error.
    context.set_offline(True)
    search.fill("")
    assert cards.count() > 1
    search.fill("CAFE HOEKJE")
    assert cards.count() == 1
    assert "Hoekje" in cards.first.inner_text()
    assert page.get_by_role("alert").count() == 0
    search.fill("bibliotheek caf")
    page.get_by_text("Geen signalen gevonden voor „bibliotheek caf”").wait_for()
    page.get_by_role("button", name="Filters wissen").first.click()
    assert search.input_value() == ""
    assert "?q=" not in page.url
    context.set_offline(False)

    # The filters travel in the URL: a reload keeps them.
    search.fill("bibliotheek")
    filters = page.get_by_role("search", name="Signalen zoeken en filteren")
    filters.get_by_text("Filters", exact=True).click()
    filters.get_by_label("Categorie").select_option(label="Jeugd")
    page.wait_for_url("**/signalen?q=bibliotheek&categorie=jeugd")
    page.reload()
    cards.filter(has_text="bibliotheek").wait_for()
    assert page.get_by_role("searchbox", name="Zoeken").input_value() == "bibliotheek"
    assert cards.count() == 1
    no_sideways_scroll(page)
    shot(page, "signalen-gefilterd")
    found = axe(page)

    # The menu's "Signalen" shows the list without filters; the back button brings them back.
    page.get_by_role("link", name="Signalen", exact=True).click()
    page.wait_for_url("**/signalen")
    page.wait_for_function("() => document.getElementById('zoeken').value === ''")
    assert cards.count() > 1
    page.go_back()
    page.wait_for_url("**/signalen?q=bibliotheek&categorie=jeugd")
    page.wait_for_function("() => document.getElementById('zoeken').value === 'bibliotheek'")
    assert cards.count() == 1
    context.close()
    assert found == []


def test_follow_up_due_today_and_hand_over_show_under_opvolgen(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    create(server, "regisseur", description="Terugbellen over de hangplek bij de kerk", follow_up_date=today())
    create(server, "regisseur", description="Opvolging afgesloten signaal", follow_up_date=today(),
           status="afgesloten")
    create(server, "teamleider", description="Ga jij even langs bij de speeltuin?",
           assignee="regisseur", assignment_note="Buurvrouw belde twee keer; graag deze week.")
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    page.locator(".signal-list .signal-item__open").filter(has_text="speeltuin").wait_for()
    page.get_by_role("link", name="Opvolgen", exact=True).click()
    page.wait_for_url("**/opvolgen")

    due = page.locator("section.follow-up__section").filter(
        has=page.get_by_role("heading", name="Op te volgen", exact=True))
    due.locator(".signal-item__open").filter(has_text="hangplek bij de kerk").wait_for()
    card = due.locator(".signal-item__open").filter(has_text="hangplek bij de kerk")
    assert "Vandaag opvolgen" in card.inner_text()
    assert due.locator(".signal-item__open").filter(has_text="afgesloten signaal").count() == 0

    assigned = page.locator("section.follow-up__section").filter(
        has=page.get_by_role("heading", name="Aan mij toegewezen"))
    handed = assigned.locator(".signal-item__open").filter(has_text="speeltuin")
    assert "Buurvrouw belde twee keer" in handed.inner_text()
    assert "Overgedragen door teamleider" in handed.inner_text()
    no_sideways_scroll(page)
    shot(page, "opvolgen")
    found = axe(page)

    card.click()
    page.wait_for_url("**/signalen/*")
    # Terug brings the user back to Opvolgen, where they came from (not to the list of all signals).
    page.get_by_role("link", name="Terug").click()
    page.wait_for_function("() => location.pathname === '/opvolgen'")
    card.wait_for()
    context.close()
    assert found == []


def test_more_shows_the_next_page_where_the_user_is(browser, server):
    """'Meer tonen' at the end of 100 cards: the focus goes to card 101, in view (not to the top of the page)."""
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "teamleider")  # the demo month: more than 100 signals
    more = page.get_by_role("button", name="Meer tonen")
    more.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    more.scroll_into_view_if_needed()
    more.click()
    page.wait_for_function("""() => {
        const cards = [...document.querySelectorAll('.signal-list--local .signal-item__open')];
        return cards.length > 100 && document.activeElement === cards[100]; }""", timeout=5_000)
    box = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
    assert box["top"] > -1 and box["bottom"] <= PHONE["height"], box
    assert page.evaluate("() => scrollY") > 2_000
    context.close()
