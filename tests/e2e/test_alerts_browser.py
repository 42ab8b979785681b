"""Team leads see early-warning alerts in the app with their evidence (the signals
in a list and on a map), reject one with a reason and turn another into a kwestie."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from test_accessibility import AXE, violations

from e2e_support import api_token, log_in, require

pytestmark = pytest.mark.browser
EXE = Path(sys.executable).with_name("gebiedsradar")
# Rutten, not Ens: the demo data already holds a week of youth nuisance in Ens.
ENS = "Jeugdoverlast in Rutten: 4 signalen in 14 dagen binnen 300 m"
MARKNESSE = "Geluid in Marknesse: 4 signalen in 14 dagen binnen 300 m"
REASON = "Bekende bouwwerkzaamheden aan de Hoofdweg, geen overlast."


def test_alert_list_evidence_reject_and_kwestie(browser, server, tmp_path):
    require(AXE, "axe-core (npm ci in pwa/)")
    headers = {"Authorization": f"Bearer {api_token(server, 'regisseur')}"}
    now = datetime.now(UTC)
    # Sent out of order: the alert's list shows them in the order they were observed.
    hours_ago = [3, 1, 4, 2]
    for i in range(4):
        httpx.post(server + "/api/v1/signals", headers=headers, json={
            "category": "jeugd", "subcategory": "jeugdoverlast", "source": "inwoner",
            "description": f"Jongeren bij het dorpshuis ({i})",
            "location": {"lat": 52.8003 + i * 0.0002, "lon": 5.6830, "accuracy_m": 10},
            "observed_at": (now - timedelta(hours=hours_ago[i])).isoformat()}).raise_for_status()
    for i in range(4):  # a second cluster, to reject
        httpx.post(server + "/api/v1/signals", headers=headers, json={
            "category": "overlast", "subcategory": "geluid", "source": "inwoner",
            "description": f"Harde muziek bij de loods ({i})",
            "location": {"lat": 52.7092 + i * 0.0002, "lon": 5.8640, "accuracy_m": 10},
            "observed_at": (now - timedelta(hours=i + 1)).isoformat()}).raise_for_status()
    r = subprocess.run([str(EXE), "--db", str(tmp_path / "browser.db"), "alerts", "detect"],
                       capture_output=True, text=True, timeout=60)
    assert ENS in r.stdout and MARKNESSE in r.stdout, r.stdout + r.stderr

    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.get_by_role("link", name="Waarschuwingen").click()
    ens = page.locator("li.alert-item").filter(has_text=ENS)
    ens.wait_for()
    assert "Regel: signalen dicht bij elkaar · Periode " in ens.locator(".alert-item__evidence").inner_text()
    assert violations(page) == []

    # The evidence: the signals in the order they were observed, and a map with a marker each.
    toggle = ens.get_by_role("button", name="Bekijk signalen")
    toggle.click()
    signals = ens.locator("ol.alert-signals > li")
    ens.locator(".alert-map__marker").nth(3).wait_for()
    assert signals.locator(".alert-signal__text").all_inner_texts() == [
        f"Jongeren bij het dorpshuis ({i})" for i in (2, 0, 3, 1)]
    assert all("Jeugd – Jeugdoverlast" in t and "Rutten" in t for t in signals.all_inner_texts())
    # Each names its signal as a link to the signal's own screen.
    assert all(href.startswith("/signalen/") for href in signals.locator(".alert-signal__what a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")) and signals.locator(".alert-signal__what a").count() == 4
    assert ens.locator(".alert-map__marker").count() == 4
    the_map = ens.get_by_role("region", name="Kaart met de signalen van deze waarschuwing", exact=False)
    assert the_map.count() == 1 and "leaflet-container" in the_map.get_attribute("class")
    button = ens.get_by_role("button", name="Verberg signalen")
    assert button.get_attribute("aria-expanded") == "true"
    assert violations(page) == []
    button.click()
    assert ens.locator(".alert-evidence").is_hidden()

    # Reject the other alert: first without a reason, then with one.
    marknesse = page.locator("li.alert-item").filter(has_text=MARKNESSE)
    marknesse.get_by_role("button", name="Afwijzen").click()
    marknesse.get_by_role("button", name="Afwijzen bevestigen").click()
    marknesse.get_by_role("alert").filter(has_text="Geef een reden.").wait_for()
    assert violations(page) == []
    marknesse.get_by_label("Reden").fill(REASON)
    marknesse.get_by_role("button", name="Afwijzen bevestigen").click()
    page.get_by_text("Waarschuwing afgewezen.").wait_for()
    marknesse.get_by_text("Status: Afgewezen").wait_for()
    marknesse.get_by_text(f"Reden: {REASON}").wait_for()
    assert marknesse.get_by_role("button", name="Afwijzen").count() == 0

    ens.get_by_role("button", name="Maak kwestie").click()
    page.get_by_text("Kwestie gemaakt.").wait_for()
    ens.get_by_text("Status: Kwestie gemaakt").wait_for()
    context.close()
    lead = {"Authorization": f"Bearer {api_token(server)}"}
    kwesties = httpx.get(server + "/api/v1/kwesties", headers=lead).json()
    assert [k["signal_count"] for k in kwesties if k["title"] == ENS] == [4]
    alerts = httpx.get(server + "/api/v1/alerts", headers=lead).json()
    rejected = [a for a in alerts if a["title"] == MARKNESSE]
    assert [(a["status"], a["reason"]) for a in rejected] == [("afgewezen", REASON)]
