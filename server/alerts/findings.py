"""A detection by any method, and storing it as an alert without duplicates.

One episode is one alert: a finding that shares signals with an existing alert of
the same method and category (or, for counts, the same kern and an overlapping
window) updates that alert's evidence and keeps its status, so an alert that was
rejected or turned into a kwestie is not raised again for the same signals.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime

from ..timeutil import utc_text


@dataclass
class Finding:
    method: str
    category: str
    kern_code: str | None
    title: str
    why: str
    signal_ids: list[str]
    extent: tuple[float, float, float, float]
    window_start: datetime
    window_end: datetime
    observed: int
    expected: float | None = None
    score: float | None = None
    p_value: float | None = None


def _same_episode(finding: Finding, row: sqlite3.Row) -> bool:
    if set(finding.signal_ids) & set(json.loads(row["signal_ids"])):
        return True
    if finding.method != "basislijn" or row["kern_code"] != finding.kern_code:
        return False
    # Counts: consecutive windows of one series are one episode.
    return (datetime.fromisoformat(row["window_start"]) <= finding.window_end
            and datetime.fromisoformat(row["window_end"]) >= finding.window_start)


class Episodes:
    """The stored alerts of each method and category, read once per run and kept up to
    date, with an index from signal id to alert: matching a finding costs its own size,
    not that of every stored alert (thousands of small clusters made each run quadratic)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._rows: dict[tuple[str, str], dict[str, sqlite3.Row]] = {}
        self._by_signal: dict[tuple[str, str], dict[str, set[str]]] = {}

    def _load(self, key: tuple[str, str]) -> None:
        if key in self._rows:
            return
        self._rows[key], self._by_signal[key] = {}, {}
        for row in self.conn.execute("SELECT rowid, * FROM alerts WHERE method = ? AND category = ?", key):
            self._keep(key, row)

    def _keep(self, key: tuple[str, str], row: sqlite3.Row) -> None:
        self._rows[key][row["id"]] = row
        for signal_id in json.loads(row["signal_ids"]):
            self._by_signal[key].setdefault(signal_id, set()).add(row["id"])

    def refresh(self, finding: Finding, alert_id: str) -> None:
        """Read an alert again after it was written."""
        key = (finding.method, finding.category)
        self._keep(key, self.conn.execute("SELECT rowid, * FROM alerts WHERE id = ?", (alert_id,)).fetchone())

    def episode(self, finding: Finding) -> sqlite3.Row | None:
        """The alert whose episode `finding` belongs to: the oldest (created first) that shares
        a signal with it, or for counts has the same kern and an overlapping window."""
        key = (finding.method, finding.category)
        self._load(key)
        rows, index = self._rows[key], self._by_signal[key]
        matches = [rows[a] for s in set(finding.signal_ids) for a in index.get(s, ())]
        if finding.method == "basislijn":  # few: one series' alerts
            matches += [r for r in rows.values() if _same_episode(finding, r)]
        return min(matches, key=lambda r: (r["created_at"], r["rowid"]), default=None)


def upsert(conn: sqlite3.Connection, finding: Finding, at: datetime, episodes: Episodes | None = None) -> str:
    """Store `finding` as a new alert or as fresh evidence on its episode's alert; returns
    the alert id. Storing the same finding twice changes nothing. Pass one `Episodes` for
    all findings of a run."""
    episodes = episodes or Episodes(conn)
    stamp = utc_text(at)
    if (row := episodes.episode(finding)) is not None:
        old = json.loads(row["signal_ids"])
        merged = sorted(set(old) | set(finding.signal_ids))
        grew = len(merged) != len(old) or finding.observed > row["observed"]
        if grew:
            start = min(datetime.fromisoformat(row["window_start"]), finding.window_start)
            conn.execute(
                "UPDATE alerts SET title = ?, why = ?, observed = ?, expected = ?, score = ?,"
                " p_value = ?, signal_ids = ?, extent = ?, window_start = ?, window_end = ?,"
                " updated_at = ? WHERE id = ?",
                (finding.title, finding.why, max(finding.observed, row["observed"]),
                 finding.expected, finding.score, finding.p_value, json.dumps(merged),
                 json.dumps(_union(json.loads(row["extent"]), finding.extent)), utc_text(start),
                 utc_text(max(finding.window_end, datetime.fromisoformat(row["window_end"]))),
                 stamp, row["id"]))
            episodes.refresh(finding, row["id"])
        return row["id"]
    alert_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO alerts (id, key, method, title, category, kern_code, observed, expected,"
        " score, p_value, signal_ids, extent, why, window_start, window_end, created_at,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (alert_id, f"{finding.method}:{finding.category}:{finding.kern_code}:{alert_id}",
         finding.method, finding.title, finding.category, finding.kern_code, finding.observed,
         finding.expected, finding.score, finding.p_value, json.dumps(sorted(finding.signal_ids)),
         json.dumps(list(finding.extent)), finding.why, utc_text(finding.window_start),
         utc_text(finding.window_end), stamp, stamp))
    episodes.refresh(finding, alert_id)
    return alert_id


def _union(a, b) -> list[float]:
    return [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]


def dutch_number(x: float) -> str:
    """0.8 → '0,8' (one decimal, Dutch comma)."""
    return f"{x:.1f}".replace(".", ",")
