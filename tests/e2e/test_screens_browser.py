"""Screens with their own URLs: the navigation, the back button, deep links (online and
offline) and a signal's own screen, on a 390 × 844 phone with axe-core on every screen."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest
from playwright.sync_api import expect

from e2e_support import (
    AXE,
    PHONE,
    api_token,
    axe_violations,
    log_in,
    no_sideways_scroll,
    require,
    shots_dir,
    wait_for_status,
)

axe = axe_violations

pytestmark = pytest.mark.browser
SHOTS = shots_dir("screens")

# A 2×2 PNG (red): small, but a real picture the browser decodes.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def heading(page) -> str:
    return page.locator("main h1").inner_text()


def context_for(browser, **extra):
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids.
    return browser.new_context(bypass_csp=True, viewport=PHONE, locale="nl-NL",
                               timezone_id="Europe/Amsterdam", **extra)


SCREENS = [  # link name, path, heading, title
    ("Signalen", "/signalen", "Signalen", "Signalen · Gebiedsradar"),
    ("Opvolgen", "/opvolgen", "Opvolgen", "Opvolgen · Gebiedsradar"),
    ("Kaart", "/kaart", "Kaart", "Kaart · Gebiedsradar"),
    ("Waarschuwingen", "/waarschuwingen", "Waarschuwingen", "Waarschuwingen · Gebiedsradar"),
    ("Kwesties", "/kwesties", "Kwesties", "Kwesties · Gebiedsradar"),
]


def test_every_screen_by_nav_link_and_by_url(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "teamleider")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    assert [a.inner_text() for a in nav.get_by_role("link").all()] == [s[0] for s in SCREENS]
    found = {}
    for name, path, title, doc_title in SCREENS:
        nav.get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(server + path)
        page.wait_for_function(f"() => document.title === {doc_title!r}")
        assert heading(page) == title
        # The focus is on the new screen's heading; the link says where the user is.
        assert page.evaluate("() => document.activeElement.tagName") == "H1"
        assert nav.get_by_role("link", name=name, exact=True).get_attribute("aria-current") == "page"
        assert nav.locator("[aria-current=page]").count() == 1
        assert page.get_by_role("status").count() == 1
        page.wait_for_load_state("networkidle")
        found[name] = axe(page)
        no_sideways_scroll(page)
        shot(page, f"scherm-{path.strip('/')}")
    # The Kaart screen is the heatmap; Waarschuwingen and Kwesties show their lists.
    page.goto(server + "/kaart")
    page.locator(".heatmap .leaflet-container").first.wait_for()
    assert heading(page) == "Kaart"

    # "Nieuw signaal" goes to /nieuw; pressing it again keeps the form and what is in it.
    page.get_by_role("button", name="Nieuw signaal").click()
    page.wait_for_url(server + "/nieuw")
    assert heading(page) == "Nieuw signaal"
    page.get_by_label("Omschrijving").fill("Half ingevuld")
    page.get_by_role("button", name="Nieuw signaal").click()
    assert page.get_by_label("Omschrijving").input_value() == "Half ingevuld"
    assert page.url == server + "/nieuw"
    found["Nieuw signaal"] = axe(page)
    shot(page, "scherm-nieuw")

    # Every screen by its URL too (a reload on a deep URL gets the app from the server).
    for _name, path, title, doc_title in [*SCREENS, ("", "/nieuw", "Nieuw signaal", "Nieuw signaal · Gebiedsradar")]:
        page.goto(server + path)
        page.wait_for_function(f"() => document.title === {doc_title!r}")
        assert heading(page) == title
    # The back button walks the screens back.
    page.go_back()
    page.wait_for_url(server + "/kwesties")
    page.wait_for_function("() => document.title === 'Kwesties · Gebiedsradar'")

    # A kwestie has its own URL too (the demo has one), under the Kwesties link; a reload keeps it.
    first = page.locator(".kwestie-item a[href^='/kwesties/']").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(server + "/kwesties/*")
    page.get_by_role("heading", level=2, name=name).wait_for()
    assert nav.get_by_role("link", name="Kwesties").get_attribute("aria-current") == "page"
    page.reload()
    page.get_by_role("heading", level=2, name=name).wait_for()
    assert {k: v for k, v in found.items() if v} == {}
    context.close()


def test_kaart_only_for_team_leads(browser, server):
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    assert [a.inner_text() for a in nav.get_by_role("link").all()] == [
        "Signalen", "Opvolgen", "Waarschuwingen", "Kwesties"]
    page.goto(server + "/kaart")
    page.get_by_text("De kaart is er voor teamleiders en beheerders.").wait_for()
    context.close()


def test_back_from_a_signal_returns_to_the_same_place_in_the_list(browser, server):
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    cards = page.locator(".signal-list a[href^='/signalen/']")
    cards.nth(29).wait_for()  # at least 30 demo signals on the phone
    wait_for_status(page, "Alles verzonden")
    page.wait_for_load_state("networkidle")  # the list is drawn after the last pull
    card = cards.nth(25)
    card.scroll_into_view_if_needed()
    page.mouse.wheel(0, 120)
    page.wait_for_timeout(200)
    before = page.evaluate("() => window.scrollY")
    assert before > 1000
    href = card.get_attribute("href")
    card.click()
    page.wait_for_url(server + href)
    page.get_by_role("link", name="Terug").wait_for()
    assert page.evaluate("() => window.scrollY") < before  # the signal's screen starts at its top
    page.go_back()
    page.wait_for_url(server + "/signalen")
    page.wait_for_function(f"() => Math.abs(window.scrollY - {before}) <= 2")
    assert heading(page) == "Signalen"

    # The Terug link goes back to the list the same way.
    card = cards.nth(20)
    card.scroll_into_view_if_needed()
    page.wait_for_timeout(200)
    before = page.evaluate("() => window.scrollY")
    href = card.get_attribute("href")
    card.click()
    page.wait_for_url(server + href)
    page.get_by_role("link", name="Terug").click()
    page.wait_for_url(server + "/signalen")
    page.wait_for_function(f"() => Math.abs(window.scrollY - {before}) <= 2")
    assert cards.nth(20).get_attribute("href") == href  # the same signal where it was
    context.close()


def make_signal(server: str) -> tuple[str, str]:
    """A signal with a photo, changed once (status): (id, sha256 of the photo)."""
    token = api_token(server, "regisseur")
    auth = {"Authorization": f"Bearer {token}"}
    sha = hashlib.sha256(PNG).hexdigest()
    put = httpx.put(f"{server}/api/v1/attachments/{sha}", content=PNG, headers={**auth, "Content-Type": "image/png"})
    assert put.status_code in (200, 201, 204), put.text
    body = {"category": "jeugd", "subcategory": None,
            "description": "Groep jongeren bij de sporthal, " + "lange omschrijving die moet afbreken " * 6,
            "urgency": "hoog", "source": "dorpsbelang", "status": "nieuw", "contains_personal_data": True,
            "location": {"lat": 52.7092, "lon": 5.864, "accuracy_m": 12, "method": "gps"},
            "observed_at": "2026-11-28T10:15:00+01:00", "attachments": [sha], "follow_up_date": "2026-12-09"}
    created = httpx.post(f"{server}/api/v1/signals", json=body, headers=auth)
    assert created.status_code == 201, created.text
    signal = created.json()
    changed = httpx.patch(f"{server}/api/v1/signals/{signal['id']}", json={"status": "doorgezet"},
                          headers={**auth, "If-Match": f'"{signal["version"]}"'})
    assert changed.status_code == 200, changed.text
    return signal["id"], sha


def test_a_signal_has_its_own_screen_with_everything_it_has(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    sid, _sha = make_signal(server)
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    page.wait_for_load_state("networkidle")  # the signal is on the phone: its screen has the controls
    page.goto(f"{server}/signalen/{sid}")
    title = page.get_by_role("heading", level=1, name="Jeugd — Marknesse")
    title.wait_for()
    page.wait_for_function("() => document.title === 'Signaal: Jeugd — Marknesse · Gebiedsradar'")
    screen = page.locator(".signal-screen")
    text = screen.inner_text()
    for shown in ["28 nov 2026, 10:15", "Marknesse", "regisseur", "Hoog", "Dorpsbelang", "Doorgezet",
                  "9 dec 2026", "Bevat persoonsgegevens", "Groep jongeren bij de sporthal"]:
        assert shown in text, shown
    for raw in ["jeugd", "dorpsbelang", "2026-12-09", "doorgezet"]:
        assert raw not in text.replace("Groep jongeren", ""), raw
    # The description wraps: no line wider than the phone.
    no_sideways_scroll(page)
    # At 200 % text the values stay readable words: "Dorpsbelang" on one line, not cut into letters.
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.wait_for_function("""() => [...document.querySelectorAll('.detail-list dd')].some((dd) => {
        if (dd.textContent !== 'Dorpsbelang') return false;
        const r = document.createRange(); r.selectNodeContents(dd); return r.getClientRects().length === 1; })""",
        timeout=5_000)
    no_sideways_scroll(page)
    shot(page, "scherm-signaal-200pct")
    page.evaluate("document.documentElement.style.fontSize = ''")
    # The place on a small map.
    page.locator(".detail-map.leaflet-container path.leaflet-interactive").first.wait_for()
    # The photo as a thumbnail (loaded from the server), and larger on a tap.
    thumb = page.get_by_role("button", name="Foto 1 bij dit signaal vergroten")
    page.wait_for_function("() => document.querySelector('.detail-photo__img')?.naturalWidth > 0")
    thumb.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("img", name="Foto 1 bij dit signaal").wait_for()
    shot(page, "scherm-signaal-foto")
    dialog.get_by_role("button", name="Sluiten").click()
    dialog.wait_for(state="hidden")
    # The history: who changed what, when, in Dutch.
    history = page.locator(".history-list")
    history.get_by_text("regisseur: Status: Nieuw → Doorgezet").wait_for()
    assert "signaal vastgelegd" in history.inner_text()
    page.wait_for_load_state("networkidle")
    assert axe(page) == []
    shot(page, "scherm-signaal")

    # Change it here: the change is saved (outbox) and shows.
    page.get_by_label("Opvolgen op").fill("2026-12-15")
    page.get_by_label("Status").select_option(label="Afgesloten")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    page.get_by_text("Wijziging opgeslagen.").wait_for()
    page.wait_for_function("() => document.querySelector('.detail-list').textContent.includes('15 dec 2026')")
    assert "Afgesloten" in page.locator(".detail-list").inner_text()
    # Changing the form again: the message about the last save goes (it is not about this change).
    page.get_by_label("Urgentie van dit signaal").select_option(label="Laag")
    expect(page.get_by_text("Wijziging opgeslagen.")).to_be_hidden()
    # The delete question also goes when the user turns back to the form: one tap no longer deletes.
    page.get_by_role("button", name="Verwijderen").click()
    page.get_by_text("Weet je het zeker?").wait_for()
    page.get_by_label("Notitie voor je collega").fill("Even bellen")
    expect(page.get_by_text("Weet je het zeker?")).to_be_hidden()
    expect(page.get_by_role("button", name="Verwijderen", exact=True)).to_be_visible()
    context.close()


def test_deep_link_reload_offline_from_the_service_worker(browser, server):
    sid, _sha = make_signal(server)
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    page.wait_for_load_state("networkidle")
    page.reload()
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    page.goto(f"{server}/signalen/{sid}")
    page.get_by_role("heading", level=1, name="Jeugd — Marknesse").wait_for()

    context.set_offline(True)
    page.reload()  # the app comes from the service worker, the signal from the phone
    page.get_by_role("heading", level=1, name="Jeugd — Marknesse").wait_for()
    page.get_by_text("De geschiedenis is alleen met internet te zien.").wait_for()
    page.get_by_role("link", name="Terug").click()
    page.wait_for_url(server + "/signalen")
    for path, title in [("/nieuw", "Nieuw signaal"), ("/kwesties", "Kwesties"), ("/opvolgen", "Opvolgen")]:
        page.goto(server + path)
        page.wait_for_function(f"() => document.querySelector('main h1')?.textContent === {title!r}")
    context.close()


def test_after_saving_the_form_is_offered_empty_with_a_link_to_the_signal(browser, server, tmp_path):
    context = context_for(browser)
    page = context.new_page()
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    context.set_offline(True)  # the photo stays on the phone: the signal's screen shows it from there
    page.get_by_role("button", name="Nieuw signaal").click()
    page.wait_for_url(server + "/nieuw")
    page.get_by_label("Categorie").select_option(label="Jeugd")
    page.get_by_label("Omschrijving").fill("Jongeren bij het dorpshuis")
    photo = tmp_path / "foto.png"
    photo.write_bytes(PNG)
    page.get_by_label("Foto toevoegen").set_input_files(str(photo))
    page.locator(".photo-list img").first.wait_for()
    page.get_by_role("button", name="Signaal opslaan").click()
    saved = page.locator(".capture__saved")
    saved.get_by_text("Signaal opgeslagen").wait_for()
    assert page.url == server + "/nieuw"
    assert page.get_by_label("Omschrijving").input_value() == ""
    assert page.evaluate("() => document.activeElement.classList.contains('capture__saved')")
    link = page.get_by_role("link", name="Bekijk het opgeslagen signaal")
    # In the app's blue, not the browser's default link blue; tall enough for a thumb.
    assert link.evaluate("a => getComputedStyle(a).color") == "rgb(21, 66, 115)"
    assert link.bounding_box()["height"] >= 44
    link.click()
    page.wait_for_url(f"{server}/signalen/**")
    page.get_by_role("heading", level=1, name="Jeugd").wait_for()
    assert "Jongeren bij het dorpshuis" in page.locator(".signal-screen").inner_text()
    assert "Wacht op verzending" in page.locator(".detail-list").inner_text()
    page.wait_for_function("() => document.querySelector('.detail-photo__img')?.naturalWidth > 0")
    page.get_by_text("De geschiedenis begint zodra de server het signaal heeft", exact=False).wait_for()
    context.close()
