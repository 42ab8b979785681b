"""The team lead downloads the signals of the list and the map as CSV and GeoJSON, with the
filters shown; a gebiedsregisseur has no download buttons."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from e2e_support import AXE, PHONE, api_token, axe_violations, log_in, no_sideways_scroll, require, shots_dir

pytestmark = pytest.mark.browser

SHOTS = shots_dir("downloads")


def read_csv(path) -> list[dict[str, str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode()), "UTF-8 with BOM, for Dutch Excel"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


CARDS = ".signal-list--local .signal-item[data-id]"


def shown_ids(page) -> set[str]:
    return set(page.eval_on_selector_all(CARDS, "els => els.map(e => e.dataset.id)"))


def test_team_lead_downloads_what_the_list_and_map_show(browser, server, tmp_path):
    require(AXE, "axe-core (npm ci in pwa/)")
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    # A filter with a good handful of demo signals: the kern and category seen most together.
    items = httpx.get(server + "/api/v1/signals", params={"limit": 500}, headers=lead).json()["items"]
    pairs = Counter((s["kern"]["code"], s["kern"]["name"], s["category"]) for s in items if s.get("kern"))
    (kern, kern_name, category), _ = next((p, n) for p, n in pairs.most_common() if 3 <= n <= 90)
    want = httpx.get(server + "/api/v1/signals", params={"limit": 500, "area": kern, "category": category},
                     headers=lead).json()
    assert 3 <= want["total"] <= 90

    context = browser.new_context(bypass_csp=True, viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.goto(f"{server}/signalen?kern={kern}&categorie={category}")
    csv_button = page.get_by_role("button", name="Download CSV")
    csv_button.wait_for()
    # The phone has pulled every signal of this filter: the list shows them all.
    page.wait_for_function(f"document.querySelectorAll({CARDS!r}).length === {want['total']}", timeout=30_000)
    on_screen = shown_ids(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".list-downloads").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "01-lijst-downloads.png"))
    assert axe_violations(page) == []
    no_sideways_scroll(page)

    with page.expect_download() as info:
        csv_button.click()
    download = info.value
    today = datetime.now(UTC).astimezone().date().isoformat()
    assert download.suggested_filename.startswith(f"gebiedsradar-signalen-{kern_name.lower()}-")
    assert download.suggested_filename.endswith(".csv")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = read_csv(path)
    assert {r["id"] for r in rows} == on_screen
    assert {r["category"] for r in rows} == {category} and {r["kern_code"] for r in rows} == {kern}
    page.get_by_text(f"{download.suggested_filename} is gedownload.").wait_for()

    with page.expect_download() as info:
        page.get_by_role("button", name="Download GeoJSON").click()
    geo = info.value
    assert geo.suggested_filename.endswith(".geojson")
    geo_path = tmp_path / geo.suggested_filename
    geo.save_as(geo_path)
    features = json.loads(geo_path.read_text(encoding="utf-8"))["features"]
    assert {f["id"] for f in features} == on_screen
    page.screenshot(path=str(SHOTS / "02-lijst-gedownload.png"))

    # Search words match as the list matches them: the kern's and category's names too, not only
    # the description (the server's `q` alone would give far fewer rows).
    search = page.get_by_role("searchbox", name="Zoeken")
    for words in (kern_name, kern_name[:4].lower() + " " + category[:3]):
        search.fill(words)
        page.wait_for_function(f"new URLSearchParams(location.search).get('q') === {words!r}")
        page.wait_for_function(f"document.querySelectorAll({CARDS!r}).length > 0")
        searched = shown_ids(page)
        with page.expect_download() as info:
            csv_button.click()
        found = tmp_path / f"gezocht-{info.value.suggested_filename}"
        info.value.save_as(found)
        assert {r["id"] for r in read_csv(found)} == searched, words
    search.fill("")
    page.wait_for_function(f"document.querySelectorAll({CARDS!r}).length === {want['total']}", timeout=30_000)

    # Offline: a clear message, no file.
    context.set_offline(True)
    csv_button.click()
    page.get_by_text("Downloaden kan alleen met internet. De CSV is niet gemaakt.").wait_for()
    page.screenshot(path=str(SHOTS / "03-lijst-offline.png"))
    context.set_offline(False)

    # The map: the period and category chosen there.
    page.get_by_role("link", name="Kaart", exact=True).click()
    page.get_by_label("Soort signaal").select_option(category)
    page.get_by_label("Periode").select_option("91")
    map_csv = page.locator(".heatmap").get_by_role("button", name="Download CSV")
    map_csv.wait_for()
    page.get_by_text("signalen in").wait_for()
    map_csv.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "04-kaart-downloads.png"))
    assert axe_violations(page) == []
    no_sideways_scroll(page)
    with page.expect_download() as info:
        map_csv.click()
    map_path = tmp_path / info.value.suggested_filename
    info.value.save_as(map_path)
    map_rows = read_csv(map_path)
    since = date.today() - timedelta(days=92)
    assert map_rows and {r["category"] for r in map_rows} == {category}
    assert all(date.fromisoformat(r["observed_at"][:10]) >= since for r in map_rows)
    expected = httpx.get(server + "/api/v1/signals", headers=lead, params={
        "limit": 1, "category": category, "since": (date.today() - timedelta(days=91)).isoformat(),
        "until": today}).json()["total"]
    assert len(map_rows) == expected
    context.close()


def test_a_regisseur_has_no_download_buttons(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "regisseur")
    page.locator(".signal-list--local .signal-item[data-id]").first.wait_for()
    page.locator(".app-user__role").filter(has_text="Gebiedsregisseur").wait_for()  # the role is known
    assert page.get_by_role("button", name="Download CSV").count() == 0
    assert page.get_by_role("button", name="Download GeoJSON").count() == 0
    assert page.locator(".list-downloads").is_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "05-regisseur-lijst.png"))
    # The server refuses them the export too.
    token = api_token(server, "regisseur")
    refused = httpx.get(server + "/api/v1/export/signals.csv", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403
    context.close()
