"""The served OpenAPI document passes the NL API Design Rules linter (Spectral)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import DATA, REPO

RULESET = DATA / "nl-api-design-rules.spectral.yaml"  # Logius ADR linter, CC BY 4.0
SPECTRAL = REPO / "tools" / "node_modules" / ".bin" / "spectral"


def test_served_openapi_has_no_adr_errors(client, tmp_path: Path):
    assert SPECTRAL.exists(), f"spectral is not installed ({SPECTRAL}): run `make tools`"
    doc = client.get("/api/v1/openapi.json").json()
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(doc))
    r = subprocess.run([str(SPECTRAL), "lint", "-r", str(RULESET), "-f", "json", "--quiet",
                        "--fail-severity", "error", str(spec)],
                       capture_output=True, text=True, timeout=300)
    results = json.loads(r.stdout or "[]")
    errors = [f"{'.'.join(map(str, x['path']))}: {x['code']}: {x['message']}"
              for x in results if x["severity"] == 0]
    assert errors == [], "\n".join(errors)
    assert r.returncode == 0, r.stderr
