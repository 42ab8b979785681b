"""Offline edits that meet a team lead's change: the phone is told, nothing is lost."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from e2e_support import api_token, log_in, wait_for_status

pytestmark = pytest.mark.browser


def test_delete_of_a_signal_changed_elsewhere_is_refused_and_shown(browser, server, tmp_path):
    regisseur = {"Authorization": f"Bearer {api_token(server, 'regisseur')}"}
    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    sid = str(uuid.uuid4())
    created = httpx.post(server + "/api/v1/signals", headers=regisseur, json={
        "id": sid, "category": "overlast", "description": "E2E wissen: geluidsoverlast bij de haven",
        "urgency": "normaal", "source": "inwoner",
        "location": {"lat": 52.6333, "lon": 5.8333, "accuracy_m": 10, "method": "gps"},
        # Newest first: at the top of the list (an observation may be at most a day ahead).
        "observed_at": (datetime.now(UTC) + timedelta(hours=20)).isoformat()})
    assert created.status_code == 201, created.text

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server, "regisseur")
    wait_for_status(page, "Alles verzonden")
    item = page.locator(".signal-item__open").filter(has_text="E2E wissen")
    item.wait_for()

    # On the street without a connection, the regisseur deletes the signal ...
    context.set_offline(True)
    item.click()
    page.get_by_role("button", name="Verwijderen").click()
    page.get_by_role("button", name="Ja, verwijderen").click()
    page.get_by_text("Signaal verwijderd.").wait_for()
    wait_for_status(page, "1 ")
    page.get_by_role("link", name="Terug").click()
    # ... while at the office the team lead adds what the resident said on the phone.
    changed = httpx.patch(f"{server}/api/v1/signals/{sid}", headers=lead,
                          json={"description": "Buurman belde: het speelt elke vrijdagavond."})
    assert changed.status_code == 200, changed.text

    context.set_offline(False)
    page.get_by_role("button", name="Nu verzenden").click()
    wait_for_status(page, "Alles verzonden")
    # The server kept the signal with the team lead's words; the phone shows it again and why.
    on_server = httpx.get(f"{server}/api/v1/signals/{sid}", headers=lead).json()
    assert on_server["description"] == "Buurman belde: het speelt elke vrijdagavond."
    back = page.locator(".signal-item__open").filter(has_text="Buurman belde")
    back.wait_for()
    assert "Niet verwijderd: elders gewijzigd" in back.inner_text()
    back.click()
    notice = page.locator(".conflict-notice")
    notice.wait_for()
    assert "niet verwijderd" in notice.inner_text()
    page.screenshot(path=str(tmp_path / "delete-refused-list.png"))
    notice.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "delete-refused-detail.png"))
    context.close()
