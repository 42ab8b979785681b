"""Running detection and storing alerts, deduplicated across runs."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import datetime, timedelta

from ..areas.store import AreaCatalog
from ..categories.store import list_categories
from ..db import Database
from ..timeutil import from_utc_text, now, utc_text
from .rules import DEFAULT_RULES, RuleSettings, find_clusters

OPEN = ("nieuw", "bekeken")


def _names(db: Database) -> dict[str, str]:
    names = {}
    for c in list_categories(db):
        names[c.code] = c.name
        names.update({s.code: s.name for s in c.subcategories})
    return names


def detect_rule_clusters(db: Database, catalog: AreaCatalog, at: datetime | None = None,
                         rules: dict[str, RuleSettings] | None = None,
                         default: RuleSettings = RuleSettings()) -> list[str]:
    """Find N-within-R-metres-within-D-days clusters and store them; returns the alert ids
    created or updated. Running it again over the same signals changes nothing."""
    at = at or now()
    rules = rules if rules is not None else DEFAULT_RULES
    longest = max([default.days, *[r.days for r in rules.values()]])
    rows = db.query(
        "SELECT id, category, subcategory, lat, lon, kern_code, observed_utc FROM signals"
        " WHERE deleted = 0 AND lat IS NOT NULL AND observed_utc >= ? AND observed_utc <= ?",
        (utc_text(at - timedelta(days=longest)), utc_text(at)))
    by_category: dict[str, list[dict]] = {}
    kern_of = {}
    for r in rows:
        # A subcategory is the sharper signal ("jeugdoverlast"): group by it when given.
        key = r["subcategory"] or r["category"]
        by_category.setdefault(key, []).append(
            {"id": r["id"], "lat": r["lat"], "lon": r["lon"], "category": key,
             "when": from_utc_text(r["observed_utc"])})
        kern_of[r["id"]] = r["kern_code"]
    names = _names(db)
    touched = []
    with db.transaction() as conn:
        for category, items in by_category.items():
            settings = rules.get(category, default)
            items = [i for i in items if i["when"] > at - timedelta(days=settings.days)]
            for cluster in find_clusters(items, settings):
                touched.append(_store(conn, catalog, cluster, settings, names, kern_of, at))
    return touched


def _store(conn, catalog, cluster, settings, names, kern_of, at) -> str:
    kern = Counter(kern_of[i] for i in cluster.signal_ids).most_common(1)[0][0]
    place = catalog.ref("kern", kern).name if kern and catalog.ref("kern", kern) else "een gebied"
    n = len(cluster.signal_ids)
    title = (f"{names.get(cluster.category, cluster.category)} in {place}: {n} signalen in"
             f" {settings.days} dagen binnen {int(settings.radius_m)} m")
    why = (f"Regel: minstens {settings.min_signals} signalen van één soort binnen"
           f" {int(settings.radius_m)} m en {settings.days} dagen. Gevonden: {n}, van"
           f" {cluster.first:%d-%m} tot {cluster.last:%d-%m}.")
    stamp = at.isoformat()
    ids = set(cluster.signal_ids)
    for row in conn.execute("SELECT id, signal_ids, status FROM alerts WHERE method = 'regel'"
                            " AND category = ?", (cluster.category,)).fetchall():
        if ids & set(json.loads(row["signal_ids"])):
            merged = sorted(ids | set(json.loads(row["signal_ids"])))
            if len(merged) != len(json.loads(row["signal_ids"])):
                conn.execute(
                    "UPDATE alerts SET title = ?, observed = ?, signal_ids = ?, extent = ?, why = ?,"
                    " window_end = ?, updated_at = ? WHERE id = ?",
                    (title, len(merged), json.dumps(merged), json.dumps(cluster.bbox), why,
                     cluster.last.isoformat(), stamp, row["id"]))
            return row["id"]
    alert_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO alerts (id, key, method, title, category, kern_code, observed, signal_ids,"
        " extent, why, window_start, window_end, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (alert_id, f"regel:{cluster.category}:{cluster.signal_ids[0]}", "regel", title,
         cluster.category, kern, n, json.dumps(sorted(ids)), json.dumps(cluster.bbox), why,
         cluster.first.isoformat(), cluster.last.isoformat(), stamp, stamp))
    return alert_id
