"""The monthly overview PDF for management."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from server.areas.store import AreaCatalog
from server.bootstrap import open_database
from server.demo import load_demo
from server.settings import Settings

EXE = Path(sys.executable).with_name("gebiedsradar")


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_report_writes_a_two_page_pdf(tmp_path):
    db_path = tmp_path / "report.db"
    db = open_database(Settings(db_path=db_path)).db
    load_demo(db, AreaCatalog(db))
    db.close()
    out = tmp_path / "overzicht.pdf"
    r = subprocess.run([str(EXE), "--db", str(db_path), "report", "--month", "2026-11", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "2 pages" in r.stdout
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and pages(data) == 2
    assert b"maandoverzicht 2026-11" in data  # the document title


def test_report_refuses_a_bad_month(tmp_path):
    r = subprocess.run([str(EXE), "--db", str(tmp_path / "x.db"), "report", "--month", "november",
                        "-o", str(tmp_path / "x.pdf")], capture_output=True, text=True)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "YYYY-MM" in r.stderr
    assert not (tmp_path / "x.pdf").exists()
