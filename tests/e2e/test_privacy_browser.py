"""A phone shared by two users: log-out leaves nothing of A's but what A has not sent,
B never sends A's signals, and A's go out with A's name when A is back.
Also "Bevat persoonsgegevens": chosen in the form, kept on the server, marked in the list;
and signals that leave the user's areas leave the phone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import expect

from e2e_support import AXE, api_token, axe_violations, log_in, require, server_signals, shots_dir, wait_for_status

axe = axe_violations

pytestmark = pytest.mark.browser
SHOTS = shots_dir("privacy")
ANNAS = "E2E privacy: moeder alleen met drie kinderen, Zuiderweg"
ANNAS_NEXT = "E2E privacy: bankje bij de kerk is los"
BERTS = "E2E privacy: lantaarnpaal bij de school is kapot"

# Every store of the app's database: keys everywhere, and the outbox entries' owner and text.
READ_IDB = """async () => {
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('gebiedsradar'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error);
  });
  const ask = (r) => new Promise((ok) => { r.onsuccess = () => ok(r.result); });
  const out = {};
  for (const name of db.objectStoreNames) out[name] = await ask(db.transaction(name).objectStore(name).getAllKeys());
  out.waiting = (await ask(db.transaction('outbox').objectStore('outbox').getAll()))
    .map((m) => ({ user: m.user, op: m.op, description: m.data.description }));
  db.close();
  const cached = [];
  for (const name of await caches.keys()) {
    for (const req of await (await caches.open(name)).keys()) cached.push(new URL(req.url).pathname);
  }
  out.cached = cached;
  return out;
}"""


def log_out(page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_label("Gebruikersnaam").wait_for()


def test_shared_phone_keeps_each_users_signals_apart(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    # bypass_csp: axe is injected as an inline script, which the app's CSP rightly forbids.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    screens = {}

    # A (regisseur) makes a signal with personal data on the street, without a connection.
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    context.set_offline(True)
    page.get_by_role("button", name="Nieuw signaal").click()
    page.get_by_label("Categorie").select_option(label="Jeugd")
    page.get_by_label("Omschrijving").fill(ANNAS)
    page.get_by_label("Urgentie").select_option(label="Hoog")
    page.get_by_label("Bevat persoonsgegevens").check()
    page.get_by_label("Bevat persoonsgegevens").evaluate("el => el.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SHOTS / "capture-form-personal-data.png"))
    screens["capture form with the mark"] = axe(page)
    page.get_by_role("button", name="Signaal opslaan").click()
    wait_for_status(page, "1 signaal wacht")
    # The form is ready for the next resident: defaults back, the mark off. A second one as it comes.
    assert page.get_by_label("Urgentie").input_value() == "normaal"
    assert not page.get_by_label("Bevat persoonsgegevens").is_checked()
    page.get_by_label("Categorie").select_option(label="Woonomgeving")
    page.get_by_label("Omschrijving").fill(ANNAS_NEXT)
    page.get_by_role("button", name="Signaal opslaan").click()
    wait_for_status(page, "2 signalen wachten")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    item = page.locator(".signal-item__open").filter(has_text="E2E privacy: moeder")
    expect(item).to_contain_text("Bevat persoonsgegevens")  # waits out the list's re-render
    item.evaluate("el => el.scrollIntoView({block: 'center'})")
    page.screenshot(path=str(SHOTS / "list-personal-data-mark.png"))
    screens["list with the mark"] = axe(page)

    # A logs out while the signal waits: the app asks first; staying keeps everything.
    page.get_by_role("button", name="Uitloggen").click()
    dialog = page.get_by_role("dialog", name="Nog niet alles is verzonden")
    dialog.wait_for()
    assert "Er wachten nog 2 signalen op verzending." in dialog.inner_text()
    page.screenshot(path=str(SHOTS / "logout-warning.png"))
    screens["log-out warning"] = axe(page)
    dialog.get_by_role("button", name="Ingelogd blijven en verzenden").click()
    dialog.wait_for(state="detached")
    wait_for_status(page, "2 signalen wachten")
    assert item.is_visible()
    page.get_by_role("button", name="Uitloggen").click()
    dialog.get_by_role("button", name="Toch uitloggen").click()
    page.get_by_label("Gebruikersnaam").wait_for()

    # Nothing of A's is left but the unsent signal, bound to A.
    left = page.evaluate(READ_IDB)
    assert left["signals"] == [] and left["session"] == [] and left["notices"] == [] and left["acked"] == []
    assert "cursor" not in left["sync"]
    assert set(left["cache"]) <= {"areas"}
    annas_waiting = [{"user": "regisseur", "op": "create", "description": text} for text in (ANNAS, ANNAS_NEXT)]
    assert left["waiting"] == annas_waiting
    assert not [p for p in left["cached"] if p.startswith("/api/")]

    # B (teamleider) signs in on the same phone, online: B's sync leaves A's signal alone.
    context.set_offline(False)
    log_in(page, server, "teamleider")
    wait_for_status(page, "Alles verzonden")
    page.locator(".signal-item__open").first.wait_for()  # B's own scope, pulled
    assert ANNAS not in page.locator(".signals").inner_text()
    page.get_by_role("button", name="Nieuw signaal").click()
    page.get_by_label("Categorie").select_option(label="Verkeer")
    page.get_by_label("Omschrijving").fill(BERTS)
    page.get_by_role("button", name="Signaal opslaan").click()
    wait_for_status(page, "Alles verzonden")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    page.locator(".signal-item__open").filter(has_text="E2E privacy: lantaarnpaal").wait_for()
    on_server = server_signals(server)
    assert [s["created_by"] for s in on_server if s["description"] == BERTS] == ["teamleider"]
    assert not [s for s in on_server if s["description"] in (ANNAS, ANNAS_NEXT)]
    assert "E2E privacy: moeder" not in page.locator(".signals").inner_text()
    assert "E2E privacy: bankje" not in page.locator(".signals").inner_text()
    assert page.evaluate(READ_IDB)["waiting"] == annas_waiting

    # B's outbox is empty: no question, straight out.
    log_out(page)
    assert page.get_by_role("dialog").count() == 0

    # A is back: A's signal goes out under A's name, as chosen.
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    annas = {s["description"]: s for s in server_signals(server) if s["description"] in (ANNAS, ANNAS_NEXT)}
    assert [(s["created_by"], s["urgency"], s["contains_personal_data"]) for s in (annas[ANNAS], annas[ANNAS_NEXT])] \
        == [("regisseur", "hoog", True), ("regisseur", "normaal", False)]
    mine = page.locator(".signal-item__open").filter(has_text="E2E privacy: moeder")
    mine.wait_for()
    assert "Bevat persoonsgegevens" in mine.inner_text()
    mine.click()
    detail = page.locator(".signal-screen")
    detail.get_by_text("Bevat persoonsgegevens").first.wait_for()
    assert detail.get_by_label("Bevat persoonsgegevens").is_checked()
    detail.get_by_label("Bevat persoonsgegevens").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "detail-personal-data-mark.png"))
    screens["detail with the mark"] = axe(page)

    # Logging out with nothing waiting leaves the device empty of A's data.
    log_out(page)
    assert page.get_by_role("dialog").count() == 0
    empty = page.evaluate(READ_IDB)
    for store in ("signals", "session", "outbox", "photos", "notices", "acked"):
        assert empty[store] == [], store
    assert "cursor" not in empty["sync"]
    context.close()
    assert {name: found for name, found in screens.items() if found} == {}


def test_signals_that_leave_the_users_areas_leave_the_phone(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    marknesse = {"lat": 52.7092, "lon": 5.8640, "accuracy_m": 10, "method": "gps"}
    emmeloord = {"lat": 52.7110, "lon": 5.7495, "accuracy_m": 10, "method": "gps"}
    ids = {}
    for name, text in (("read", "E2E weg: mevrouw op de Hoofdweg is gevallen"),
                       ("edited", "E2E weg: ruzie tussen buren over de heg")):
        ids[name] = str(uuid.uuid4())
        # Made by the team lead: a regisseur keeps seeing the signals they made themselves.
        made = httpx.post(server + "/api/v1/signals", headers=lead, json={
            "id": ids[name], "category": "overlast", "description": text, "urgency": "normaal",
            "source": "inwoner", "location": marknesse, "contains_personal_data": True,
            "observed_at": datetime.now(UTC).isoformat(timespec="seconds")})
        assert made.status_code == 201, made.text

    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    page.locator(".signal-item__open").filter(has_text="E2E weg: mevrouw").wait_for()

    # Offline, the regisseur changes one of them ...
    context.set_offline(True)
    page.locator(".signal-item__open").filter(has_text="E2E weg: ruzie").click()
    page.locator("#detail-urgentie").select_option("hoog")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    wait_for_status(page, "1 signaal wacht")
    # ... while at the office both are moved to Emmeloord, which the regisseur does not cover.
    for sid in ids.values():
        moved = httpx.patch(f"{server}/api/v1/signals/{sid}", headers=lead, json={"location": emmeloord})
        assert moved.status_code == 200, moved.text

    context.set_offline(False)
    page.get_by_role("button", name="Nu verzenden").click()
    wait_for_status(page, "Alles verzonden")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    page.wait_for_function("() => !document.querySelector('.signals').textContent.includes('E2E weg: mevrouw')")
    listed = page.locator(".signals").inner_text()
    assert "E2E weg" not in listed
    kept = page.evaluate(READ_IDB)["signals"]
    assert ids["read"] not in kept and ids["edited"] not in kept
    # The change that was on its way is not dropped silently: the list says what happened, without content.
    gone = page.locator(".signal-item--gone")
    gone.wait_for()
    assert "niet meer zichtbaar voor jou" in gone.inner_text()
    assert "E2E weg" not in gone.inner_text() and ids["edited"] not in gone.inner_text()
    gone.evaluate("el => el.scrollIntoView({block: 'center'})")  # re-found if the list was redrawn
    page.screenshot(path=str(SHOTS / "list-signal-gone.png"))
    assert axe(page) == []
    context.close()
