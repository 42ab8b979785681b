"""A team lead hands a kwestie and signals off to the case system, in the browser, against
the ZGW test double (tests/zgw_double.py): the confirmation, the zaak's state coming back,
a failed hand-off tried again, and the zaak's status after the case system moved it on."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from PIL import Image

from e2e_support import AXE, PHONE, api_token, axe_violations, log_in, no_sideways_scroll, require, shots_dir

pytestmark = pytest.mark.browser

GEBIEDSRADAR = Path(sys.executable).with_name("gebiedsradar")
WEBLINK = "https://zaken.noordoostpolder.example/zaak/{identificatie}"
NOTIFICATIES = {"client_id": "notificaties-api", "secret": "notificaties-test-secret-0123456789"}
SHOTS = shots_dir("handoff")


def photo(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, format="JPEG")
    return out.getvalue()


def auth(server: str, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(server, username)}"}


def make_signal(server: str, headers: dict[str, str], text: str, *, days_ago: int, photos: list[bytes] = (),
                personal: bool = False, i: int = 0) -> str:
    """A signal in Marknesse made through the API, with its photos uploaded."""
    shas = []
    for data in photos:
        sha = hashlib.sha256(data).hexdigest()
        httpx.put(f"{server}/api/v1/attachments/{sha}", content=data,
                  headers={**headers, "Content-Type": "image/jpeg"}).raise_for_status()
        shas.append(sha)
    r = httpx.post(server + "/api/v1/signals", headers=headers, json={
        "category": "woonomgeving", "subcategory": "straat_en_stoep", "source": "inwoner", "urgency": "normaal",
        "description": text, "contains_personal_data": personal, "attachments": shas,
        "location": {"lat": 52.7092 + i * 0.0003, "lon": 5.8640, "accuracy_m": 10},
        "observed_at": (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()})
    r.raise_for_status()
    return r.json()["id"]


def configure(server: str, double, **extra) -> None:
    """The beheerder points Gebiedsradar at the double (PUT /export/zgw/config)."""
    r = httpx.put(server + "/api/v1/export/zgw/config", headers=auth(server, "beheerder"),
                  json=double.config(zaak_weblink=WEBLINK, **extra))
    assert r.status_code == 200, r.text


def notify(server: str, zaak_url: str) -> None:
    """What the Notificaties API sends when a zaak changed (kanaal zaken), signed with its JWT."""
    token = jwt.encode({"iss": NOTIFICATIES["client_id"], "client_id": NOTIFICATIES["client_id"],
                        "iat": int(datetime.now(UTC).timestamp())}, NOTIFICATIES["secret"], algorithm="HS256")
    r = httpx.post(server + "/api/v1/notificaties/zgw", headers={"Authorization": f"Bearer {token}"}, json={
        "kanaal": "zaken", "hoofdObject": zaak_url, "resource": "status", "resourceUrl": zaak_url, "actie": "create",
        "aanmaakdatum": datetime.now(UTC).isoformat()})
    assert r.status_code == 204, r.text


def poll(db: Path) -> None:
    """`gebiedsradar export zgw poll` on the server's database: read every open zaak now."""
    done = subprocess.run([str(GEBIEDSRADAR), "--db", str(db), "export", "zgw", "poll"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def shot(page, name: str, locator=None) -> None:
    """A screenshot at phone size of the part that changed (for people to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if locator is not None:
        locator.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def open_signal(page, server: str, sid: str) -> None:
    """A signal's screen, once the phone has the signal (first shown as the server has it, then
    drawn again with its controls when the first pull brings it) and its hand-off part is drawn."""
    page.goto(f"{server}/signalen/{sid}")
    page.get_by_role("heading", name="Wijzigen").wait_for()
    page.locator(".detail-zaak[data-handoff=klaar]").wait_for(state="attached")


def check_page(page) -> None:
    assert axe_violations(page) == []
    no_sideways_scroll(page)


def test_team_lead_hands_a_kwestie_to_the_case_system(browser, server, zgw_double, tmp_path):
    """The acceptance test of issue 13: a kwestie with three signals and two photos becomes one
    zaak with three signal zaakobjecten and two documents; its status comes back in the app."""
    require(AXE, "axe-core (npm ci in pwa/)")
    double = zgw_double
    configure(server, double, notificaties=NOTIFICATIES)
    regisseur = auth(server, "regisseur")
    ids = [make_signal(server, regisseur, "Lantaarnpaal bij de school brandt niet", days_ago=12,
                       photos=[photo((200, 30, 30))], i=0),
           make_signal(server, regisseur, "Tweede lantaarnpaal in dezelfde straat uit", days_ago=6,
                       photos=[photo((30, 30, 200))], i=1),
           make_signal(server, regisseur, "Straat is 's avonds donker, bewoners bellen", days_ago=2, i=2)]
    lead = auth(server, "teamleider")
    r = httpx.post(server + "/api/v1/kwesties", headers=lead, json={
        "title": "Straatverlichting Marknesse", "signal_ids": ids, "description": "Lantaarnpalen vallen steeds uit."})
    r.raise_for_status()
    kwestie = r.json()["id"]

    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.goto(f"{server}/kwesties/{kwestie}")
    page.get_by_role("heading", name="Straatverlichting Marknesse", level=2).wait_for()
    offer = page.get_by_role("button", name="Doorzetten naar zaaksysteem")
    offer.wait_for()
    shot(page, "01-kwestie-aanbod", offer)
    check_page(page)

    # The confirmation: the zaaktype it becomes, the description, a note; Annuleren sends nothing.
    offer.click()
    panel = page.locator("form.handoff__panel")
    panel.wait_for()
    assert page.evaluate("document.activeElement.textContent") == "Deze kwestie doorzetten"
    text = panel.inner_text()
    assert "Melding openbare ruimte" in text and "Intern" in text
    assert "De titel en de beschrijving van de kwestie gaan mee" in text
    page.get_by_role("button", name="Annuleren").click()
    assert panel.count() == 0
    assert page.evaluate("document.activeElement.textContent") == "Doorzetten naar zaaksysteem"
    assert double.zaken == []

    offer.click()
    note = "Graag voor de wijkschouw van vrijdag bekijken."
    page.get_by_label("Toelichting voor de behandelaar").fill(note)
    shot(page, "02-kwestie-bevestigen", panel)
    check_page(page)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/zaak") else None)
    page.get_by_role("button", name="Doorzetten", exact=True).dblclick()  # an impatient double tap

    # The state comes back in words (the screen asks again every few seconds while it is sent);
    # the focus goes to it, so a screen reader reads it.
    state = page.locator(".zaak__state")
    state.wait_for()
    page.wait_for_function("document.activeElement?.classList.contains('zaak__state')")
    assert posts == [f"{server}/api/v1/kwesties/{kwestie}/zaak"]
    shot(page, "03-kwestie-onderweg", state)
    page.get_by_text("Doorgezet als zaak ").wait_for(timeout=60_000)
    assert len(double.zaken) == 1
    zaak = double.zaken[0]
    assert state.inner_text() == f"Doorgezet als zaak {zaak['identificatie']}"
    section = page.locator(".handoff")
    link = section.get_by_role("link", name="Open in zaaksysteem")
    assert link.get_attribute("href") == WEBLINK.format(identificatie=zaak["identificatie"])
    assert "Ontvangen" in section.inner_text()  # the first status
    shot(page, "04-kwestie-doorgezet", section)
    check_page(page)

    # Exactly one zaak, with the three signals as zaakobjecten and the two photos as documents.
    objects = [o for o in double.zaakobjecten if o["zaak"] == zaak["url"]]
    signal_objects = [o for o in objects if o["objectType"] == "overige"]
    assert sorted(o["objectIdentificatie"]["overigeData"]["identificatie"] for o in signal_objects) == sorted(ids)
    links = [z for z in double.zaakinformatieobjecten if z["zaak"] == zaak["url"]]
    assert len(links) == 2
    assert {hashlib.sha256(double.document_content(z["informatieobject"])).hexdigest() for z in links} \
        == {hashlib.sha256(p).hexdigest() for p in (photo((200, 30, 30)), photo((30, 30, 200)))}
    assert note in zaak["toelichting"]

    # Asking again (a second tap, another team lead) makes no second zaak.
    again = httpx.post(f"{server}/api/v1/kwesties/{kwestie}/zaak", headers=lead, json={})
    assert again.status_code == 202 and again.json()["identificatie"] == zaak["identificatie"]
    assert len(double.zaken) == 1

    # A signal of the kwestie shows the zaak too.
    open_signal(page, server, ids[0])
    page.locator(".detail-zaak .zaak__state").filter(has_text=zaak["identificatie"]).wait_for()
    shot(page, "05-signaal-van-kwestie", page.locator(".detail-zaak"))
    check_page(page)

    # The case worker moves the zaak on; the Notificaties API tells the server, which reads the
    # zaak again; the app shows the new status.
    double.advance(zaak["url"])
    notify(server, zaak["url"])
    page.goto(f"{server}/kwesties/{kwestie}")
    page.locator(".handoff").get_by_text("In behandeling").wait_for()
    shot(page, "06-kwestie-nieuwe-status", page.locator(".handoff"))
    check_page(page)

    # The case worker closes the zaak (resultaat, eindstatus); `gebiedsradar export zgw poll` on
    # the server's database reads it at once; the app shows the eindstatus and the result.
    double.close(zaak["url"])
    poll(tmp_path / "browser.db")
    page.goto(f"{server}/kwesties/{kwestie}")
    facts = page.locator(".handoff .zaak__facts")
    facts.get_by_text("Afgehandeld").first.wait_for()
    assert "Resultaat" in facts.inner_text()
    shot(page, "07-kwestie-afgehandeld", page.locator(".handoff"))
    check_page(page)
    context.close()


def test_failed_hand_off_says_why_and_can_be_tried_again(browser, server, zgw_double, tmp_path):
    """The case system refuses the first try: the Dutch reason shows, "Opnieuw proberen" works.
    Two signals handed off one after the other keep each their own note."""
    require(AXE, "axe-core (npm ci in pwa/)")
    double = zgw_double
    configure(server, double)
    regisseur = auth(server, "regisseur")
    first = make_signal(server, regisseur, "Losliggende stoeptegels bij de bushalte", days_ago=3, i=0)
    second = make_signal(server, regisseur, "Bewoner belt over losse tegels; naam in het dossier", days_ago=1,
                         personal=True, i=1)
    # The case system refuses the zaak once (403: the client may not use this zaaktype).
    double.fail("POST", r"/zaken/api/v1/zaken$", status=403, times=1)

    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "teamleider")
    notes = {first: "Eerste: graag met de aannemer afstemmen.", second: "Tweede: bewoner wil teruggebeld worden."}
    open_signal(page, server, first)
    page.get_by_role("button", name="Doorzetten naar zaaksysteem").wait_for()
    shot(page, "08a-signaal-aanbod", page.locator(".detail-zaak"))
    page.get_by_role("button", name="Doorzetten naar zaaksysteem").click()
    page.get_by_label("Toelichting voor de behandelaar").fill(notes[first])
    page.get_by_role("button", name="Doorzetten", exact=True).click()
    state = page.locator(".detail-zaak .zaak__state")
    state.filter(has_text="Mislukt: ").wait_for(timeout=60_000)
    retry = page.get_by_role("button", name="Opnieuw proberen")
    retry.wait_for()
    message = state.inner_text()
    assert "403" not in message.split(":")[0] and message != "Mislukt: "
    shot(page, "08-signaal-mislukt", page.locator(".detail-zaak"))
    check_page(page)
    assert double.zaken == []

    retry.click()
    state.filter(has_text="Doorgezet als zaak ").wait_for(timeout=60_000)
    assert retry.count() == 0
    shot(page, "09-signaal-opnieuw-gelukt", page.locator(".detail-zaak"))

    # The second signal (personal data: the description stays home, and the panel says so).
    open_signal(page, server, second)
    page.get_by_role("button", name="Doorzetten naar zaaksysteem").click()
    panel = page.locator("form.handoff__panel")
    assert "De omschrijving gaat niet mee: dit signaal bevat persoonsgegevens" in panel.inner_text()
    assert page.get_by_label("Toelichting voor de behandelaar").input_value() == ""  # nothing of the first
    page.get_by_label("Toelichting voor de behandelaar").fill(notes[second])
    shot(page, "10-signaal-persoonsgegevens", panel)
    check_page(page)
    # This time the case system is down for a while (503): the hand-off waits and is retried,
    # and the screen says so; once it is back, the zaak is made.
    double.fail("POST", r"/zaken/api/v1/zaken$", status=503, times=None)
    page.get_by_role("button", name="Doorzetten", exact=True).click()
    state = page.locator(".detail-zaak .zaak__state")
    state.filter(has_text=re.compile(r"^In de wachtrij\. \S")).wait_for(timeout=60_000)  # with the server's reason
    shot(page, "10a-signaal-opnieuw-in-de-wachtrij", page.locator(".detail-zaak"))
    check_page(page)
    double.clear_faults()
    state.filter(has_text="Doorgezet als zaak ").wait_for(timeout=90_000)

    # What the case system holds is what was chosen for each.
    assert len(double.zaken) == 2
    by_signal = {}
    for z in double.zaken:
        kenmerken = {k["kenmerk"] for k in z["kenmerken"]}
        owner = first if any(first in k for k in kenmerken) else second
        by_signal[owner] = z
    assert notes[first] in by_signal[first]["toelichting"] and notes[second] not in by_signal[first]["toelichting"]
    assert notes[second] in by_signal[second]["toelichting"] and notes[first] not in by_signal[second]["toelichting"]
    assert "naam in het dossier" not in by_signal[second]["toelichting"]  # personal data stays home
    context.close()


def test_without_a_case_system_a_team_lead_is_told_so(browser, server):
    """Nothing configured: words for the team lead, no control; a regisseur sees nothing."""
    require(AXE, "axe-core (npm ci in pwa/)")
    sid = make_signal(server, auth(server, "regisseur"), "Bankje in het park is kapot", days_ago=1)
    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "teamleider")
    open_signal(page, server, sid)
    note = page.locator(".detail-zaak .handoff__note")
    note.wait_for()
    assert "zaaksysteem" in note.inner_text() and "_" not in note.inner_text()
    assert page.get_by_role("button", name="Doorzetten naar zaaksysteem").count() == 0
    shot(page, "11-niet-ingesteld", page.locator(".detail-zaak"))
    check_page(page)

    # Offline: it says it needs a connection.
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    page.get_by_text("Doorzetten naar het zaaksysteem kan alleen met internet.").wait_for()
    shot(page, "12-offline", page.locator(".detail-zaak"))
    context.set_offline(False)
    context.close()

    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "regisseur")
    open_signal(page, server, sid)  # drawn with the preview's answer
    assert page.locator(".detail-zaak").is_hidden()
    context.close()


def test_a_signal_handed_off_with_its_kwestie_names_it_and_retries_the_kwestie(browser, server, zgw_double):
    """A signal whose zaak is its kwestie's says "Doorgezet met kwestie <title>" (a link to the
    kwestie) and offers no hand-off of its own; "Opnieuw proberen" there asks the kwestie again."""
    require(AXE, "axe-core (npm ci in pwa/)")
    double = zgw_double
    configure(server, double)
    regisseur = auth(server, "regisseur")
    ids = [make_signal(server, regisseur, "Hek van de speeltuin staat open", days_ago=4, i=0),
           make_signal(server, regisseur, "Speeltuinhek klemt en valt niet dicht", days_ago=2, i=1)]
    lead = auth(server, "teamleider")
    r = httpx.post(server + "/api/v1/kwesties", headers=lead,
                   json={"title": "Speeltuinhek Marknesse", "signal_ids": ids})
    r.raise_for_status()
    kwestie = r.json()["id"]
    double.fail("POST", r"/zaken/api/v1/zaken$", status=403, times=1)
    assert httpx.post(f"{server}/api/v1/kwesties/{kwestie}/zaak", headers=lead, json={}).status_code == 202

    context = browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    log_in(page, server, "teamleider")
    open_signal(page, server, ids[0])
    box = page.locator(".detail-zaak")
    box.locator(".zaak__state").filter(has_text="Mislukt: ").wait_for(timeout=60_000)
    via = box.locator(".handoff__via")
    via.filter(has_text="Doorgezet met kwestie Speeltuinhek Marknesse").wait_for()
    assert via.get_by_role("link", name="Speeltuinhek Marknesse").get_attribute("href") == f"/kwesties/{kwestie}"
    assert page.get_by_role("button", name="Doorzetten naar zaaksysteem").count() == 0
    shot(page, "13-signaal-kwestie-mislukt", box)
    check_page(page)

    posts = []
    page.on("request", lambda q: posts.append(q.url) if q.method == "POST" and q.url.endswith("/zaak") else None)
    page.get_by_role("button", name="Opnieuw proberen").click()
    box.locator(".zaak__state").filter(has_text="Doorgezet als zaak ").wait_for(timeout=60_000)
    assert posts == [f"{server}/api/v1/kwesties/{kwestie}/zaak"]
    assert "Doorgezet met kwestie Speeltuinhek Marknesse" in via.inner_text()
    assert len(double.zaken) == 1
    shot(page, "14-signaal-kwestie-gelukt", box)
    check_page(page)

    # The link opens the kwestie, with the same zaak.
    via.get_by_role("link", name="Speeltuinhek Marknesse").click()
    page.get_by_role("heading", name="Speeltuinhek Marknesse", level=2).wait_for()
    page.locator(".kwestie-zaak .zaak__state").filter(has_text=double.zaken[0]["identificatie"]).wait_for()
    context.close()
