"""`gebiedsradar export csv|geojson|open311`, run as a real process: good input writes the
file and one audit entry under the operator's name; wrong input is one line and exit 1,
a wrong command line exit 2."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.exports.columns import columns
from server.settings import Settings
from server.signals.models import Location, SignalCreate

from conftest import EMMELOORD, MARKNESSE, store_signals

EXE = Path(sys.executable).with_name("gebiedsradar")
ENS_POINT = (52.6333, 5.8333)


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "GEBIEDSRADAR_DB"}
    return subprocess.run([str(EXE), "--db", str(db), "export", *args], capture_output=True,
                          env=env, timeout=120)


@pytest.fixture
def filled(db_path: Path) -> dict[str, str]:
    db = open_database(Settings(db_path=db_path)).db
    at = datetime.now(UTC) - timedelta(days=2)
    specs = {
        "emmeloord": SignalCreate(category="jeugd", description="Hangplek bij de Lange Nering; ‘café’",
                                  source="inwoner", observed_at=at,
                                  location=Location(lat=EMMELOORD[0], lon=EMMELOORD[1])),
        "marknesse": SignalCreate(category="verkeer", description="=1+1 te hard", source="inwoner",
                                  observed_at=at - timedelta(days=20),
                                  location=Location(lat=MARKNESSE[0], lon=MARKNESSE[1])),
        "ens_personal": SignalCreate(category="burenconflict", description="Familie De Vries, nr 4",
                                     source="inwoner", observed_at=at, contains_personal_data=True,
                                     location=Location(lat=ENS_POINT[0], lon=ENS_POINT[1])),
    }
    rows = store_signals(db, AreaCatalog(db), list(specs.values()))
    db.close()
    return {name: row["id"] for name, row in zip(specs, rows, strict=True)}


def _audit(db_path: Path) -> list[tuple]:
    db = open_database(Settings(db_path=db_path)).db
    rows = db.query("SELECT username, object FROM audit_log WHERE action = 'export_signals' ORDER BY id")
    db.close()
    return [tuple(r) for r in rows]


def test_csv_to_a_file_and_to_standard_output(db_path, filled, tmp_path):
    out = tmp_path / "signalen.csv"
    r = run(db_path, "csv", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"" and b"3 signalen" in r.stderr
    text = out.read_bytes().decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert header == [c.name for c in columns(False)] and len(rows) == 3
    descriptions = {row[header.index("description")] for row in rows}
    assert "'=1+1 te hard" in descriptions and "Hangplek bij de Lange Nering; ‘café’" in descriptions
    stdout = run(db_path, "csv", "--since", (datetime.now(UTC) - timedelta(days=5)).date().isoformat())
    assert stdout.returncode == 0 and stdout.stdout.startswith(b"\xef\xbb\xbfid;")
    assert stdout.stdout.count(b"\r\n") == 1 + 2  # header and the two recent signals
    user, obj = _audit(db_path)[-1]
    assert user.startswith("beheer") and obj.startswith("signals.csv since=") and obj.endswith(" rows=2")


def test_geojson_by_area_and_pseudonymised(db_path, filled, tmp_path):
    out = tmp_path / "ens.geojson"
    r = run(db_path, "geojson", "--area", "WK017106", "--pseudonymised", "-o", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["id"] for f in doc["features"]] == [filled["ens_personal"]]
    props = doc["features"][0]["properties"]
    assert "description" not in props and "created_by" not in props
    assert doc["features"][0]["geometry"] is None  # personal data: no location when pseudonymised
    assert _audit(db_path)[-1][1] == "signals.geojson area=WK017106 pseudonymised rows=1"


def test_open311_writes_the_public_requests(db_path, filled, tmp_path):
    out = tmp_path / "requests.json"
    r = run(db_path, "open311", "-o", str(out))
    assert r.returncode == 0, r.stderr
    requests = json.loads(out.read_text(encoding="utf-8"))
    assert {q["service_request_id"] for q in requests} == {filled["emmeloord"], filled["marknesse"]}
    assert all(q["description"] is None and q["agency_responsible"] for q in requests)
    assert _audit(db_path)[-1][1] == "open311 requests.json rows=2"


@pytest.mark.parametrize("args, message", [
    (("csv", "--since", "gisteren"), "--since"),
    (("geojson", "--until", "2026-13-45"), "--until"),
    (("csv", "--area", "GM9999"), "GM9999"),
    (("open311", "--area", "WK999999"), "WK999999"),
    (("csv", "-o", "/nonexistent-dir/x.csv"), "/nonexistent-dir"),
])
def test_wrong_input_is_one_line_and_exit_1(db_path, filled, args, message):
    r = run(db_path, *args)
    assert r.returncode == 1, r.stderr
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gebiedsradar: error: ") and message in lines[0]
    assert r.stdout == b""
    assert _audit(db_path) == []  # nothing exported, nothing logged


def test_an_unwritable_file_is_exit_1(db_path, filled, tmp_path):
    locked = tmp_path / "alleen-lezen"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            target = tmp_path / "een-map"  # running as root: a directory cannot be written as a file
            target.mkdir()
        else:
            target = locked / "x.csv"
        r = run(db_path, "csv", "-o", str(target))
    finally:
        locked.chmod(0o700)
    assert r.returncode == 1
    error = r.stderr.decode().strip()
    assert error.startswith("gebiedsradar: error: ") and len(error.splitlines()) == 1
    assert "is een map, geen bestand" in error or "geen toestemming om" in error, error
    assert "directory" not in error and "denied" not in error


@pytest.mark.parametrize("kind", ["csv", "geojson", "open311"])
def test_a_directory_or_a_missing_directory_as_output_is_said_in_dutch(db_path, filled, tmp_path,
                                                                        kind):
    r = run(db_path, kind, "-o", str(tmp_path))
    assert r.returncode == 1
    assert r.stderr.decode() == f"gebiedsradar: error: {tmp_path} is een map, geen bestand\n"
    missing = tmp_path / "geen-map" / "x.json"
    r = run(db_path, kind, "-o", str(missing))
    assert r.returncode == 1
    assert r.stderr.decode() == (f"gebiedsradar: error: kan {missing} niet schrijven: map"
                                 f" {missing.parent} bestaat niet\n")
    assert _audit(db_path) == []


@pytest.mark.parametrize("args", [("csv", "--bogus"), ("geojson", "--status", "weg"), ("xml",),
                                  ("open311", "--pseudonymised")])
def test_usage_errors_exit_2(db_path, args):
    r = run(db_path, *args)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.decode().strip().splitlines()) == 1
