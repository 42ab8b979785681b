"""Capture on a phone (390 × 844): every choice is stored exactly, the form starts afresh
after each save, and "In de buurt" suggests an earlier signal offline ("hoort bij")."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from e2e_support import AXE, api_token, axe_violations, log_in, require, server_signals, shots_dir, wait_for_status

pytestmark = pytest.mark.browser
SHOTS = shots_dir("capture")
TZ = ZoneInfo("Europe/Amsterdam")
# A street in Marknesse; the earlier signal lies about 35 m further north.
SPOT = {"latitude": 52.7092, "longitude": 5.8640, "accuracy": 12}
EARLIER = (52.70951, 5.8640)


def png(width: int = 64, height: int = 48, shade: int = 120) -> bytes:
    """A small valid PNG (each `shade` another picture, so another hash)."""
    import struct
    import zlib

    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, shade))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def seed_earlier_signal(base: str) -> dict:
    """A jeugd signal of two days ago, by the team lead, next to SPOT."""
    body = {
        "id": str(uuid.uuid4()), "category": "jeugd", "subcategory": None,
        "description": "E2E eerder: jongeren met brommers bij de speeltuin aan de Hoofdweg, elke avond",
        "urgency": "normaal", "source": "inwoner",
        "location": {"lat": EARLIER[0], "lon": EARLIER[1], "accuracy_m": 10, "method": "gps"},
        "observed_at": (datetime.now(TZ) - timedelta(days=2)).isoformat(timespec="seconds"),
        "status": "nieuw", "contains_personal_data": False, "attachments": [],
    }
    r = httpx.post(base + "/api/v1/signals", json=body,
                   headers={"Authorization": f"Bearer {api_token(base, 'teamleider')}"})
    assert r.status_code in (200, 201), r.text
    return r.json()


def wait_on_phone(page, signal_id: str) -> None:
    """Wait until the phone's own copy (IndexedDB) holds this signal."""
    page.wait_for_function("""(id) => new Promise((resolve) => {
        const open = indexedDB.open('gebiedsradar');
        open.onsuccess = () => {
          const get = open.result.transaction('signals').objectStore('signals').get(id);
          get.onsuccess = () => { resolve(!!get.result); open.result.close(); };
          get.onerror = () => resolve(false);
        };
        open.onerror = () => resolve(false);
      })""", arg=signal_id, timeout=30_000)


# What sticks out to the right of the viewport in the capture form: elements and text
# (outside the map, whose tiles are clipped, and visually hidden text).
WIDE = """() => {
  const form = document.querySelector('form.capture-form');
  const skip = (e) => e.closest('.leaflet-container, .visually-hidden, .visually-hidden-file');
  const wide = [...form.querySelectorAll('*')]
    .filter((e) => !skip(e) && e.getBoundingClientRect().right > innerWidth + 1)
    .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
  const text = [...form.querySelectorAll('*')].filter((e) => !skip(e)).flatMap((e) =>
    [...e.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim())).filter((n) => {
      const r = document.createRange();
      r.selectNodeContents(n);
      return r.getBoundingClientRect().right > innerWidth + 1;
    }).map((n) => `text "${n.textContent.trim().slice(0, 40)}" in ${n.parentElement.className}`);
  return [...wide, ...text];
}"""


def at_local(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(TZ)


def test_capture_stores_each_choice_and_suggests_nearby_offline(browser, server, tmp_path):
    require(AXE, "axe-core (npm ci in pwa/)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    earlier = seed_earlier_signal(server)
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    kwestie = httpx.post(server + "/api/v1/kwesties", headers=lead,
                         json={"title": "Brommers bij de speeltuin", "signal_ids": [earlier["id"]]}).json()
    photos = []
    for shade in (30, 120, 210):
        path = tmp_path / f"foto-{shade}.png"
        path.write_bytes(png(shade=shade))
        photos.append(str(path))

    context = browser.new_context(viewport={"width": 390, "height": 844}, geolocation=SPOT,
                                  permissions=["geolocation"], timezone_id="Europe/Amsterdam",
                                  locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    log_in(page, server, "regisseur")
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    wait_on_phone(page, earlier["id"])
    page.get_by_role("button", name="Nieuw signaal").click()
    f = page.locator("form.capture-form")  # the list screen has its own filters (Categorie, …)
    observed = f.get_by_label("Waargenomen op")
    follow_up = f.get_by_label("Opvolgen op")
    today = datetime.now(TZ).date()

    def save() -> None:
        f.get_by_role("button", name="Signaal opslaan").click()
        page.get_by_text("Signaal opgeslagen").first.wait_for()
        expect(f.get_by_label("Omschrijving")).to_have_value("")  # the form starts afresh

    def assert_defaults() -> None:
        assert f.get_by_label("Categorie").input_value() == ""
        assert f.get_by_label("Omschrijving").input_value() == ""
        assert f.get_by_label("Urgentie").input_value() == "normaal"
        assert f.get_by_label("Bron").input_value() == "inwoner"
        assert not f.get_by_label("Bevat persoonsgegevens").is_checked()
        assert follow_up.input_value() == ""
        shown = datetime.fromisoformat(observed.input_value()).replace(tzinfo=TZ)
        assert abs((datetime.now(TZ) - shown).total_seconds()) < 180, shown
        assert f.locator(".photo-item").count() == 0
        f.get_by_text("Nog geen locatie gekozen.").wait_for()

    assert_defaults()
    page.screenshot(path=str(SHOTS / "capture-empty-390.png"), full_page=True)

    # Keyboard alone: Tab goes through the form in reading order (the map may be passed by).
    f.get_by_label("Categorie").focus()
    order = []
    for _ in range(60):
        page.keyboard.press("Tab")
        name = page.evaluate("""() => { const e = document.activeElement;
            const label = e.labels && e.labels[0] ? e.labels[0].textContent : null;
            return (label || e.getAttribute('aria-label') || e.textContent).trim(); }""")
        if not order or order[-1] != name:
            order.append(name)
        if name == "Signaal opslaan":
            break
    wanted = ["Onderwerp (optioneel)", "Omschrijving", "Urgentie", "Bron", "Waargenomen op", "Gisteren", "Nu",
              "Bevat persoonsgegevens", "Gebruik mijn locatie", "Foto toevoegen", "Opvolgen op", "Signaal opslaan"]
    assert [n for n in order if n in wanted] == wanted, order

    # 1. Jeugd, hoog, dorpsbelang, seen yesterday, follow up in a week, personal data,
    #    GPS, two photos of which the first is removed again.
    f.get_by_label("Categorie").select_option(label="Jeugd")
    f.get_by_label("Omschrijving").fill("E2E een: moeder maakt zich zorgen om haar zoon bij de hangplek")
    f.get_by_label("Urgentie").select_option("hoog")
    f.get_by_label("Bron").select_option("dorpsbelang")
    f.get_by_role("button", name="Gisteren").click()
    one_observed = observed.input_value()
    follow_one = (today + timedelta(days=7)).isoformat()
    follow_up.fill(follow_one)
    f.get_by_label("Bevat persoonsgegevens").check()
    # Online the server is asked too (GET /signals/nearby), for signals not on the phone.
    with page.expect_response(lambda r: "/api/v1/signals/nearby?" in r.url) as nearby_answer:
        f.get_by_role("button", name="Gebruik mijn locatie").click()
    assert nearby_answer.value.status == 200, nearby_answer.value.text()
    assert "category=jeugd" in nearby_answer.value.url and "radius_m=250" in nearby_answer.value.url
    f.get_by_text("Marknesse").first.wait_for()
    f.get_by_label("Foto toevoegen").set_input_files(photos[0])
    f.get_by_role("button", name="Foto 1 verwijderen").wait_for()
    f.get_by_label("Foto toevoegen").set_input_files(photos[1])
    f.get_by_role("button", name="Foto 2 verwijderen").wait_for()
    assert f.get_by_role("img", name="Foto 2").evaluate("i => i.complete && i.naturalWidth > 0")
    f.get_by_role("button", name="Foto 1 verwijderen").click()
    assert f.get_by_role("button", name="Foto 2 verwijderen").count() == 0
    assert f.locator(".photo-item").count() == 1
    save()
    assert_defaults()

    # 2. Verkeer, acuut, ondernemer, a typed time this morning, nothing else.
    f.get_by_label("Categorie").select_option(label="Verkeer")
    f.get_by_label("Omschrijving").fill("E2E twee: vrachtwagens keren op het schoolplein")
    f.get_by_label("Urgentie").select_option("acuut")
    f.get_by_label("Bron").select_option("ondernemer")
    # A time tomorrow is refused in words, next to the field that gets the focus.
    observed.fill(f"{(today + timedelta(days=1)).isoformat()}T07:45")
    f.get_by_role("button", name="Signaal opslaan").click()
    f.get_by_role("alert").filter(has_text="Waargenomen op ligt in de toekomst").wait_for()
    assert observed.evaluate("e => e === document.activeElement")
    # The field with the problem comes into view (scrolled smoothly) with its own error text.
    observed.evaluate("""(o) => new Promise((resolve) => {
        const check = () => { const r = o.getBoundingClientRect();
          if (r.top >= 0 && r.bottom <= innerHeight) resolve(); else setTimeout(check, 50); };
        check(); })""")
    f.locator(".field-error").filter(has_text="Waargenomen op ligt in de toekomst").wait_for()
    page.wait_for_timeout(300)  # let the smooth scroll settle for the picture
    page.screenshot(path=str(SHOTS / "capture-error-390.png"))
    two_observed = f"{today.isoformat()}T07:45"
    observed.fill(two_observed)
    expect(f.get_by_role("alert")).to_be_hidden()
    save()
    assert_defaults()

    # 3. Woonomgeving with the defaults for urgency and source, seen "now", follow-up today,
    #    two photos kept.
    f.get_by_label("Categorie").select_option(label="Woonomgeving")
    f.get_by_label("Omschrijving").fill("E2E drie: zwerfafval langs de vaart")
    f.get_by_role("button", name="Gisteren").click()
    f.get_by_role("button", name="Nu").click()
    three_observed = observed.input_value()
    follow_up.fill(today.isoformat())
    f.get_by_label("Foto toevoegen").set_input_files(photos[0])
    f.get_by_role("button", name="Foto 1 verwijderen").wait_for()
    f.get_by_label("Foto toevoegen").set_input_files(photos[2])
    f.get_by_role("button", name="Foto 2 verwijderen").wait_for()
    save()
    assert_defaults()

    # 4. Offline: the earlier jeugd signal next to this spot is suggested from the phone's data.
    context.set_offline(True)
    f.get_by_label("Categorie").select_option(label="Jeugd")
    f.get_by_label("Omschrijving").fill("E2E vier: weer brommers bij de speeltuin, nu ook 's middags")
    f.get_by_role("button", name="Gebruik mijn locatie").click()
    region = f.get_by_role("region", name="In de buurt")
    item = region.locator(".nearby__item").filter(has_text="jongeren met brommers bij de speeltuin")
    item.wait_for()
    assert "Jeugd in Marknesse" in item.inner_text()
    assert "op 35 m" in item.inner_text() or "op 34 m" in item.inner_text() or "op 36 m" in item.inner_text()
    f.get_by_label("Foto toevoegen").set_input_files(photos[1])
    f.get_by_role("button", name="Foto 1 verwijderen").wait_for()
    f.get_by_label("Foto toevoegen").set_input_files(photos[2])
    f.get_by_role("button", name="Foto 2 verwijderen").wait_for()
    # Another category: the suggestion goes (no verkeer signal here); back to jeugd: it returns.
    f.get_by_label("Categorie").select_option(label="Verkeer")
    region.get_by_text("Geen signalen van deze categorie in de buurt (250 m, 12 weken).").wait_for()
    f.get_by_label("Categorie").select_option(label="Jeugd")
    item.wait_for()
    item.get_by_label("Hoort bij dit signaal").check()
    page.evaluate("document.activeElement.blur()")
    page.screenshot(path=str(SHOTS / "capture-nearby-photos-390.png"), full_page=True)
    found = axe_violations(page)
    assert found == [], found
    # Nothing in the form sticks out sideways at 390 px, also at 200 % text size.
    assert page.evaluate(WIDE) == []
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    page.screenshot(path=str(SHOTS / "capture-nearby-photos-200pct.png"), full_page=True)
    assert page.evaluate(WIDE) == []
    page.evaluate("document.documentElement.style.fontSize = ''")
    save()
    assert_defaults()
    assert f.get_by_role("region", name="In de buurt").count() == 0

    context.set_offline(False)
    wait_for_status(page, "Alles verzonden", timeout=60_000)

    # 5. Online: add the new signal to the kwestie the earlier one is part of.
    f.get_by_label("Categorie").select_option(label="Jeugd")
    f.get_by_label("Omschrijving").fill("E2E vijf: buurman belt over de brommers bij de speeltuin")
    f.get_by_role("button", name="Gebruik mijn locatie").click()
    item.get_by_label(f"Toevoegen aan kwestie {kwestie['title']}").check()
    save()
    wait_for_status(page, "Alles verzonden", timeout=60_000)
    five = next(s for s in server_signals(server, "regisseur") if s["description"].startswith("E2E vijf"))
    assert five["related_to"] is None
    deadline = datetime.now().timestamp() + 30
    while True:
        timeline = httpx.get(f"{server}/api/v1/kwesties/{kwestie['id']}", headers=lead).json()["timeline"]
        if any(s["id"] == five["id"] for s in timeline) or datetime.now().timestamp() > deadline:
            break
        page.wait_for_timeout(1000)
    assert {s["id"] for s in timeline} == {earlier["id"], five["id"]}
    context.close()

    mine = {s["description"].split(":")[0]: s for s in server_signals(server, "regisseur")
            if s["description"].startswith("E2E ") and s["id"] != earlier["id"]}
    assert sorted(mine) == ["E2E drie", "E2E een", "E2E twee", "E2E vier", "E2E vijf"]
    one, two, three, four = mine["E2E een"], mine["E2E twee"], mine["E2E drie"], mine["E2E vier"]

    assert (one["category"], one["urgency"], one["source"]) == ("jeugd", "hoog", "dorpsbelang")
    assert one["contains_personal_data"] is True
    assert one["follow_up_date"] == follow_one
    assert at_local(one["observed_at"]).strftime("%Y-%m-%dT%H:%M") == one_observed
    assert at_local(one["observed_at"]).date() == today - timedelta(days=1)
    assert one["location"]["method"] == "gps" and one["kern"]["name"] == "Marknesse"
    assert len(one["attachments"]) == 1
    assert one["related_to"] is None

    assert (two["category"], two["urgency"], two["source"]) == ("verkeer", "acuut", "ondernemer")
    assert two["contains_personal_data"] is False and two["follow_up_date"] is None
    assert at_local(two["observed_at"]).strftime("%Y-%m-%dT%H:%M") == two_observed
    assert two["location"] is None and two["attachments"] == [] and two["related_to"] is None

    assert (three["category"], three["urgency"], three["source"]) == ("woonomgeving", "normaal", "inwoner")
    assert three["contains_personal_data"] is False
    assert three["follow_up_date"] == today.isoformat()
    assert at_local(three["observed_at"]).strftime("%Y-%m-%dT%H:%M") == three_observed
    assert len(three["attachments"]) == 2 and three["location"] is None

    assert (four["category"], four["urgency"], four["source"]) == ("jeugd", "normaal", "inwoner")
    assert four["related_to"] == earlier["id"]
    assert len(four["attachments"]) == 2
    # Every photo reached the server under the address the phone gave it.
    token = api_token(server, "regisseur")
    for sha in one["attachments"] + three["attachments"] + four["attachments"]:
        r = httpx.get(f"{server}/api/v1/attachments/{sha}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg", (sha, r.status_code)
