"""The team lead's day on a 390 x 844 phone: the map with the villages, the team overview,
and working on a kwestie from start to close, each change checked through the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect
from test_accessibility import AXE, violations

from e2e_support import PHONE, api_token, log_in, require, shots_dir

pytestmark = pytest.mark.browser

SHOTS = shots_dir("lead")
MONTHS = "jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec"


def shot(page, name: str) -> None:
    """Screenshots for people to look at (never compared): the whole page, one phone screen each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    for i, y in enumerate(range(0, min(height, 6 * PHONE["height"]), PHONE["height"])):
        clip = {"x": 0, "y": y, "width": PHONE["width"], "height": min(PHONE["height"], height - y)}
        page.screenshot(path=str(SHOTS / f"{name}-{i}.png"), full_page=True, clip=clip)


def no_page_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def test_lead_map_and_team(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.get_by_role("link", name="Kaart", exact=True).click()
    page.wait_for_url("**/kaart")
    page.locator(".heatmap-map path.leaflet-interactive").first.wait_for()
    page.get_by_text(re.compile(r"signalen in \d+ gebieden")).wait_for()
    page.wait_for_timeout(500)  # fitBounds and the labels settle

    # The map on the first screen: wholly visible without scrolling.
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(".heatmap-map").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert box["height"] >= 220

    # The villages' names on the map, readable: shown labels do not overlap.
    labels = page.evaluate("""() => [...document.querySelectorAll('.heatmap-map .area-label')]
        .filter((el) => getComputedStyle(el).visibility !== 'hidden')
        .map((el) => { const r = el.getBoundingClientRect();
                       return {text: el.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; })""")
    names = {label["text"] for label in labels}
    assert {"Emmeloord", "Ens", "Marknesse"} <= names, names
    assert len(names) >= 6, names
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            overlap = a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]
            assert not overlap, (a, b)
    no_page_overflow(page)
    shot(page, "kaart")

    # A tooltip's numbers the Dutch way (as in the table).
    stats = httpx.get(server + "/api/v1/stats/areas", headers=lead, params={
        "level": "kern", "from": (datetime.now(UTC) - timedelta(days=30)).date().isoformat(),
        "to": datetime.now(UTC).date().isoformat()}).json()
    rated = [f["properties"] for f in stats["features"] if f["properties"]["per_1000"] is not None]
    assert rated, "the demo has counts per kern"
    page.locator(".heatmap-map path.leaflet-interactive").first.hover()
    tip = page.locator(".leaflet-tooltip:not(.area-label)").first
    tip.wait_for()
    assert re.fullmatch(r"\S.*: [\d.]+ signa(al|len), (\d+(,\d+)?|geen inwonertal)( per 1\.000 inwoners)?",
                        tip.inner_text()), tip.inner_text()
    table = page.get_by_role("region", name="Tabel met cijfers per gebied")
    rates = table.locator("tbody td:nth-child(3)").all_inner_texts()
    rate = re.compile(r"\d+(,\d+)?( \(te weinig signalen\))?|geen inwonertal|–")
    assert rates and all(rate.fullmatch(r) for r in rates), rates
    # The table fits the phone: nothing to scroll sideways.
    assert page.evaluate("""() => { const r = document.querySelector('.heatmap > .table-scroll');
                                    return r.scrollWidth <= r.clientWidth; }""")

    # The legend never reads the same range twice.
    legend = page.get_by_role("list", name="Legenda").locator("li").all_inner_texts()
    assert len(set(legend)) == len(legend), legend
    assert not any(re.search(r"(\S+) – \1 per", row) for row in legend), legend

    # The drill-down: category names, not codes; weeks in Dutch.
    busiest = max(rated, key=lambda p: p["count"])
    table.get_by_role("button", name=busiest["name"], exact=True).click()
    heading = page.get_by_role("heading", name=re.compile(rf"^{busiest['name']}: laatste 26 weken"))
    heading.wait_for()
    trend = page.locator(".trend")
    text = trend.inner_text()
    top = re.search(r"Meest genoemd: (.*)\.", text).group(1)
    categories = {c["code"]: c["name"] for c in httpx.get(server + "/api/v1/categories", headers=lead).json()}
    assert not any(code in top for code in categories if code != categories[code].lower()), top
    assert any(name in top for name in categories.values()), top
    assert "_" not in text, text
    weeks = trend.locator(".trend-bars__week").all_inner_texts()
    assert len(weeks) == 26
    assert all(re.fullmatch(rf"week van \d{{1,2}} ({MONTHS})( \d{{4}})?", w) for w in weeks), weeks
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    no_page_overflow(page)

    # The team overview: every regisseur with open, overdue (in words) and assigned counts.
    team = httpx.get(server + "/api/v1/stats/regisseurs", headers=lead).json()["items"]
    assert any(r["overdue"] for r in team), "the demo has overdue follow-ups"
    overview = page.get_by_role("table", name=re.compile("^Open signalen per gebiedsregisseur"))
    overview.wait_for()
    assert overview.locator("thead th").all_inner_texts() == [
        "Regisseur", "Open signalen", "Te laat", "Aan hen toegewezen"]
    rows = {}
    for row in overview.locator("tbody tr").all():
        rows[row.locator("th").inner_text()] = row.locator("td").all_inner_texts()
    assert rows == {r["username"]: [str(r["open"]), f"{r['overdue']} te laat" if r["overdue"] else "geen",
                                    str(r["assigned_open"])] for r in team}
    no_page_overflow(page)
    assert violations(page) == []
    shot(page, "kaart-trend-team")
    context.close()


def _signal(server, headers, text, days_ago, lat):
    r = httpx.post(server + "/api/v1/signals", headers=headers, json={
        "category": "woonomgeving", "subcategory": "straat_en_stoep", "source": "inwoner",
        "urgency": "normaal", "description": text,
        "location": {"lat": lat, "lon": 5.8640, "accuracy_m": 10},
        "observed_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()})
    r.raise_for_status()
    return r.json()["id"]


def test_lead_works_on_a_kwestie(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    regisseur = {"Authorization": f"Bearer {api_token(server, 'regisseur')}"}
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    texts = ["Zonnewijzer op het plein beklad met verf", "Zonnewijzer opnieuw beklad, nu ook het bankje",
             "Zonnewijzer: bordje bij de zonnewijzer weggehaald"]
    ids = [_signal(server, regisseur, t, d, 52.7092 + i * 0.0003) for i, (t, d) in enumerate(zip(texts, (6, 4, 1),
                                                                                                  strict=True))]

    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "teamleider")
    # The phone holds the signals once its first pull is done.
    page.get_by_text(texts[2]).first.wait_for(timeout=30_000)
    page.get_by_role("link", name="Kwesties", exact=True).click()
    page.wait_for_url("**/kwesties")
    page.get_by_role("button", name="Nieuwe kwestie").click()
    form = page.locator(".kwestie-new")
    form.get_by_label("Zoek in je signalen").fill("zonnewijzer")
    items = form.locator(".picker__item")
    items.filter(has_text=texts[2]).wait_for()
    assert items.count() == 3
    no_page_overflow(page)
    # Nothing filled in: the form says what is missing.
    form.get_by_role("button", name="Kwestie maken").click()
    form.get_by_text("Geef de kwestie een titel.").wait_for()
    form.get_by_label("Titel").fill("Zonnewijzer beklad")
    form.get_by_label("Beschrijving").fill("Steeds weer verf op de zonnewijzer.")
    for text in texts[:2]:
        items.filter(has_text=text).get_by_role("checkbox").check()
    shot(page, "kwestie-nieuw")
    form.get_by_role("button", name="Kwestie maken").click()
    page.wait_for_url(re.compile(r".*/kwesties/[^/]+$"))
    kid = page.url.rsplit("/", 1)[1]
    title = page.locator(".kwestie-title")
    title.filter(has_text="Zonnewijzer beklad").wait_for()

    def kwestie():
        r = httpx.get(f"{server}/api/v1/kwesties/{kid}", headers=lead)
        r.raise_for_status()
        return r.json()

    k = kwestie()
    assert k["title"] == "Zonnewijzer beklad"
    assert k["description"] == "Steeds weer verf op de zonnewijzer."
    assert sorted(s["id"] for s in k["timeline"]) == sorted(ids[:2])
    assert violations(page) == []

    # A signal of the kwestie opens its own screen; "Terug" comes back to the kwestie.
    first = page.locator(".kwestie-signal").filter(has_text=texts[0])
    first.locator(".kwestie-signal__what").get_by_role("link").click()
    page.wait_for_url(f"**/signalen/{ids[0]}")
    page.get_by_text(texts[0]).first.wait_for()
    page.get_by_role("link", name="Terug").click()
    page.wait_for_function("(p) => location.pathname === p", arg=f"/kwesties/{kid}")
    title.filter(has_text="Zonnewijzer beklad").wait_for()

    # Rename.
    page.get_by_text("Naam en beschrijving wijzigen").click()
    rename = page.locator(".kwestie-form--rename")
    rename.get_by_label("Titel").fill("Zonnewijzer Marknesse beklad")
    rename.get_by_role("button", name="Opslaan").click()
    title.filter(has_text="Zonnewijzer Marknesse beklad").wait_for()
    page.get_by_text("Naam en beschrijving opgeslagen.").wait_for()
    assert kwestie()["title"] == "Zonnewijzer Marknesse beklad"

    # Add the third signal, then take the first out.
    page.get_by_text("Signalen toevoegen").click()
    add = page.locator(".kwestie-form--add")
    add.get_by_label("Zoek in je signalen").fill("bordje")
    add.locator(".picker__item").filter(has_text=texts[2]).get_by_role("checkbox").check()
    add.get_by_role("button", name="Toevoegen").click()
    page.get_by_text("1 signaal toegevoegd.").wait_for()
    assert sorted(s["id"] for s in kwestie()["timeline"]) == sorted(ids)
    first = page.locator("ol.kwestie-signals > li").filter(has_text=texts[0])
    first.get_by_role("button", name="Uit kwestie halen").click()
    page.get_by_text("Signaal uit de kwestie gehaald.").wait_for()
    assert page.locator("ol.kwestie-signals > li").filter(has_text=texts[0]).count() == 0
    assert sorted(s["id"] for s in kwestie()["timeline"]) == sorted(ids[1:])

    # A short update, with a Dutch date.
    updates = page.locator(".kwestie-updates")
    updates.get_by_label("Update", exact=True).fill("Gemeld bij de wijkagent; camera wordt bekeken.")
    updates.get_by_role("button", name="Update toevoegen").click()
    page.get_by_text("Update toegevoegd.").wait_for()
    meta = updates.locator(".kwestie-update__meta").first.inner_text()
    assert re.fullmatch(rf"\d{{1,2}} ({MONTHS}) \d{{4}}, \d\d:\d\d · teamleider", meta), meta
    assert [u["text"] for u in kwestie()["updates"]] == ["Gemeld bij de wijkagent; camera wordt bekeken."]
    no_page_overflow(page)
    assert violations(page) == []
    shot(page, "kwestie")

    # Close: only with an outcome.
    page.get_by_text("Kwestie sluiten", exact=True).first.click()
    close = page.locator(".kwestie-form--close")
    close.get_by_role("button", name="Kwestie sluiten").click()
    close.get_by_text("Schrijf kort de uitkomst op").wait_for()
    assert kwestie()["status"] == "open"
    close.get_by_label("Uitkomst").fill("Bankje en zonnewijzer schoongemaakt; camera geplaatst.")
    # While the outcome is typed, the earlier "Update toegevoegd." no longer stands under Updates.
    expect(page.get_by_text("Update toegevoegd.")).to_be_hidden()
    close.get_by_role("button", name="Kwestie sluiten").click()
    page.get_by_text("Kwestie gesloten.").wait_for()
    page.get_by_text(re.compile(rf"^Status: Gesloten sinds \d{{1,2}} ({MONTHS}) \d{{4}}$")).wait_for()
    k = kwestie()
    assert (k["status"], k["outcome"]) == ("gesloten", "Bankje en zonnewijzer schoongemaakt; camera geplaatst.")
    assert k["closed_at"]
    assert violations(page) == []
    shot(page, "kwestie-gesloten")

    # Its own URL: a reload lands on the same kwestie; back to the list shows it closed.
    page.reload()
    title.filter(has_text="Zonnewijzer Marknesse beklad").wait_for()
    page.get_by_role("link", name="Terug naar kwesties").click()
    page.wait_for_url("**/kwesties")
    item = page.locator(".kwestie-item").filter(has_text="Zonnewijzer Marknesse beklad")
    item.wait_for()
    assert "2 signalen" in item.inner_text() and "Status: Gesloten" in item.inner_text()
    no_page_overflow(page)
    assert violations(page) == []
    shot(page, "kwesties")

    # Offline the kwesties say they need internet (they live on the server).
    context.set_offline(True)
    page.get_by_role("link", name="Kwesties", exact=True).click()
    page.get_by_text("De kwesties werken alleen met internet.").wait_for()
    assert page.locator(".kwestie-item").count() == 0
    # So do the map and the alerts, in their own words (not "Geen verbinding met de server").
    page.get_by_role("link", name="Kaart", exact=True).click()
    page.get_by_text("De kaart werkt alleen met internet. Probeer het later opnieuw.").wait_for()
    page.get_by_role("link", name="Waarschuwingen", exact=True).click()
    page.get_by_text("De waarschuwingen werken alleen met internet.").wait_for()
    assert page.get_by_text("Geen verbinding met de server").count() == 0
    context.close()


def test_regisseur_sees_and_works_on_kwesties_of_their_areas(browser, server):
    regisseur = {"Authorization": f"Bearer {api_token(server, 'regisseur')}"}
    sid = _signal(server, regisseur, "Lantaarnpaal bij de school knippert", 2, 52.7092)
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    r = httpx.post(server + "/api/v1/kwesties", headers=lead, json={
        "title": "Straatverlichting Marknesse", "signal_ids": [sid], "description": ""})
    r.raise_for_status()
    kid = r.json()["id"]
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "regisseur")
    page.get_by_role("link", name="Kwesties", exact=True).click()
    page.locator(".kwestie-item").filter(has_text="Straatverlichting Marknesse").get_by_role("link").click()
    page.wait_for_url(f"**/kwesties/{kid}")
    updates = page.locator(".kwestie-updates")
    updates.get_by_label("Update", exact=True).fill("Storing gemeld bij de netbeheerder.")
    updates.get_by_role("button", name="Update toevoegen").click()
    page.get_by_text("Update toegevoegd.").wait_for()
    k = httpx.get(f"{server}/api/v1/kwesties/{kid}", headers=lead).json()
    assert [(u["by"], u["text"]) for u in k["updates"]] == [("regisseur", "Storing gemeld bij de netbeheerder.")]
    context.close()
