"""A team lead opens a kwestie in the app and follows its timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from test_accessibility import AXE, violations

from e2e_support import api_token, log_in, require

pytestmark = pytest.mark.browser


def test_kwestie_timeline(browser, server):
    require(AXE, "axe-core (npm ci in pwa/)")
    regisseur = {"Authorization": f"Bearer {api_token(server, 'regisseur')}"}
    now = datetime.now(UTC)
    # Three signals, sent out of order; the timeline shows them in the order they were observed.
    days_ago = {"tweede": 9, "eerste": 20, "derde": 2}
    ids = {}
    for i, (word, days) in enumerate(days_ago.items()):
        r = httpx.post(server + "/api/v1/signals", headers=regisseur, json={
            "category": "woonomgeving", "subcategory": "straat_en_stoep", "source": "inwoner",
            "urgency": "hoog" if word == "derde" else "normaal",
            "description": f"Kapotte lantaarnpaal, {word} melding",
            "location": {"lat": 52.7092 + i * 0.0003, "lon": 5.8640, "accuracy_m": 10},
            "observed_at": (now - timedelta(days=days)).isoformat()})
        r.raise_for_status()
        ids[word] = r.json()["id"]

    lead = {"Authorization": f"Bearer {api_token(server, 'teamleider')}"}
    r = httpx.post(server + "/api/v1/kwesties", headers=lead, json={
        "title": "Straatverlichting Marknesse", "signal_ids": list(ids.values()),
        "description": "Lantaarnpalen vallen steeds uit."})
    r.raise_for_status()
    assert r.json()["signal_count"] == 3

    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.get_by_role("link", name="Kwesties", exact=True).click()
    page.wait_for_url("**/kwesties")
    item = page.locator(".kwestie-item").filter(has_text="Straatverlichting Marknesse")
    item.wait_for()
    assert "3 signalen" in item.inner_text()
    assert "Status: Open" in item.inner_text()
    assert violations(page) == []

    # Each kwestie is its own screen, /kwesties/<id>.
    item.get_by_role("link", name="Straatverlichting Marknesse").click()
    page.wait_for_url(f"**/kwesties/{r.json()['id']}")
    heading = page.get_by_role("heading", name="Straatverlichting Marknesse", level=2)
    heading.wait_for()
    page.wait_for_function("document.activeElement.textContent === 'Straatverlichting Marknesse'")
    page.get_by_text("3 signalen van").wait_for()
    page.get_by_text("Lantaarnpalen vallen steeds uit.").wait_for()
    texts = page.locator("ol.kwestie-signals > li .kwestie-signal__text").all_inner_texts()
    assert texts == [f"Kapotte lantaarnpaal, {w} melding" for w in ("eerste", "tweede", "derde")]
    signals = page.locator("ol.kwestie-signals > li").all_inner_texts()
    assert all("Woonomgeving – Straat en stoep" in t and "Marknesse" in t for t in signals), signals
    assert "urgentie hoog" in signals[-1]
    weeks = page.get_by_role("table", name="Signalen per week (ook weken zonder signalen)")
    counts = [int(c) for c in weeks.locator("tbody td").all_inner_texts()]
    assert sum(counts) == 3 and len(counts) >= 3
    assert violations(page) == []

    # Back (the link, or the browser's back button) to the list.
    page.get_by_role("link", name="Terug naar kwesties").click()
    page.wait_for_url("**/kwesties")
    item.get_by_role("link", name="Straatverlichting Marknesse").wait_for()
    page.go_back()
    heading.wait_for()
    page.go_back()
    item.wait_for()
    context.close()
