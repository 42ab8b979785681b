"""The Opvolgen screen follows the phone's signals while it is open: a hand-over that a sync
brings appears, and a signal the sync removes goes, without leaving the screen."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import expect

from e2e_support import api_token, log_in, wait_for_status

pytestmark = pytest.mark.browser
TEXT = "E2E opvolgen: kijk jij bij het bankje aan de Noordzijde?"


def test_opvolgen_shows_what_a_sync_brings_and_drops_what_it_removes(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    page.get_by_role("link", name="Opvolgen", exact=True).click()
    assigned = page.locator("section.follow-up__section").filter(
        has=page.get_by_role("heading", name="Aan mij toegewezen"))
    assigned.wait_for()
    card = assigned.locator(".signal-item__open").filter(has_text="bankje aan de Noordzijde")
    assert card.count() == 0

    # The team lead hands a signal to the regisseur meanwhile.
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    sid = str(uuid.uuid4())
    body = {"id": sid, "category": "overlast", "description": TEXT, "urgency": "normaal", "source": "inwoner",
            "location": {"lat": 52.7092, "lon": 5.8640, "accuracy_m": 12, "method": "gps"},
            "observed_at": (datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(hours=1)).isoformat(),
            "status": "nieuw", "contains_personal_data": False, "attachments": [],
            "assignee": "regisseur", "assignment_note": "Graag deze week."}
    res = httpx.post(server + "/api/v1/signals", json=body, headers=lead)
    assert res.status_code in (200, 201), res.text
    page.get_by_role("button", name="Nu verzenden").click()
    expect(card).to_have_count(1, timeout=15_000)
    assert page.evaluate("() => location.pathname") == "/opvolgen"

    # …and deletes it again: it leaves the screen with the next sync.
    assert httpx.delete(server + f"/api/v1/signals/{sid}", headers=lead).status_code in (200, 204)
    page.get_by_role("button", name="Nu verzenden").click()
    expect(card).to_have_count(0, timeout=15_000)
    context.close()
