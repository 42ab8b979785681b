"""Team leads see early-warning alerts in the app and turn one into a kwestie."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from e2e_support import api_token, log_in
from test_accessibility import violations

pytestmark = pytest.mark.browser
EXE = Path(sys.executable).with_name("gebiedsradar")


def test_alert_list_and_kwestie(browser, server, tmp_path):
    headers = {"Authorization": f"Bearer {api_token(server, 'regisseur')}"}
    for i in range(4):
        httpx.post(server + "/api/v1/signals", headers=headers, json={
            "category": "jeugd", "subcategory": "jeugdoverlast", "source": "inwoner",
            "description": f"Jongeren bij het dorpshuis ({i})",
            "location": {"lat": 52.6335 + i * 0.0002, "lon": 5.8330, "accuracy_m": 10},
            "observed_at": datetime.now(timezone.utc).isoformat()}).raise_for_status()
    r = subprocess.run([str(EXE), "--db", str(tmp_path / "browser.db"), "alerts", "detect"],
                       capture_output=True, text=True, timeout=60)
    assert "Jeugdoverlast in Ens: 4 signalen" in r.stdout, r.stdout + r.stderr

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    log_in(page, server, "teamleider")
    page.get_by_role("button", name="Waarschuwingen").click()
    page.get_by_text("Jeugdoverlast in Ens: 4 signalen in 14 dagen binnen 300 m").wait_for()
    assert violations(page) == []
    page.get_by_role("button", name="Maak kwestie").click()
    page.get_by_text("Kwestie gemaakt.").wait_for()
    page.get_by_text("Status: Kwestie").wait_for()
    context.close()
    lead = {"Authorization": f"Bearer {api_token(server)}"}
    kwesties = httpx.get(server + "/api/v1/kwesties", headers=lead).json()
    assert [k["signal_count"] for k in kwesties] == [4]
