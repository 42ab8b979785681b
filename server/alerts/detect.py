"""Running the three detection methods over the stored signals and storing alerts.

1. `basislijn`: per kern × category, this week and the last 14 days against a
   quasi-Poisson baseline (baseline.py).
2. `scan`: space-time clusters across area borders, a permutation scan (scan.py).
3. `regel`: N signals of one (sub)category within R metres within D days (rules.py).

Running detection again over the same signals changes nothing (findings.py).
"""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np
import shapely

from geo.metric import to_metric

from ..areas.store import AreaCatalog
from ..categories.models import Category
from ..categories.store import list_categories
from ..db import Database
from ..timeutil import from_utc_text, now, utc_text
from .baseline import BaselineSettings, assess
from .findings import Finding, dutch_number, upsert
from .rules import DEFAULT_RULES, RuleSettings, find_clusters
from .scan import ScanSettings, scan


@dataclass(frozen=True)
class DetectionSettings:
    """Settings of all three methods (defaults are the production settings)."""

    #: The target both statistical methods are tuned to: false alarms per kern per year.
    false_alarms_per_area_year: float = 1.0
    baseline: BaselineSettings = BaselineSettings()
    scan: ScanSettings = ScanSettings()
    rules: dict[str, RuleSettings] = field(default_factory=lambda: dict(DEFAULT_RULES))
    rule: RuleSettings = RuleSettings()

    def tuned(self, kernen: int, categories: int) -> tuple[BaselineSettings, ScanSettings]:
        """Thresholds for this many kernen and categories. The baseline tests every
        kern × category weekly; the scan runs about daily per category over the whole
        municipality, so p ≤ target × kernen / (365 × categories) spreads the same budget."""
        categories, kernen = max(categories, 1), max(kernen, 1)
        return (replace(self.baseline, false_alarms_per_area_year=self.false_alarms_per_area_year,
                        series_per_area=categories),
                replace(self.scan, p_threshold=self.false_alarms_per_area_year * kernen
                        / (365 * categories)))


def detect(db: Database, catalog: AreaCatalog, at: datetime | None = None,
           settings: DetectionSettings = DetectionSettings()) -> list[str]:
    """Run every method as of `at` (default now) and store what they find; returns the ids of
    the alerts created or updated, without repeats."""
    at = at or now()
    categories = list_categories(db)
    names = _names(categories)
    kernen = sum(1 for a in catalog.areas if a.level == "kern" and not a.water)
    baseline, scan_settings = settings.tuned(kernen, len(categories))
    return _store(db, at, [*baseline_findings(db, catalog, at, baseline, names),
                           *scan_findings(db, catalog, at, scan_settings, names),
                           *rule_findings(db, catalog, at, settings.rules, settings.rule, names)])


def detect_rule_clusters(db: Database, catalog: AreaCatalog, at: datetime | None = None,
                         rules: dict[str, RuleSettings] | None = None,
                         default: RuleSettings = RuleSettings()) -> list[str]:
    """Method 3 alone: find N-within-R-within-D clusters and store them."""
    at = at or now()
    rules = rules if rules is not None else DEFAULT_RULES
    return _store(db, at, rule_findings(db, catalog, at, rules, default,
                                        _names(list_categories(db))))


def _store(db: Database, at: datetime, findings: list[Finding]) -> list[str]:
    """Store the findings in one transaction; the alert ids, without repeats."""
    with db.transaction() as conn:
        ids = [upsert(conn, f, at) for f in findings]
    return list(dict.fromkeys(ids))


# --- method 1: counts against a baseline -------------------------------------------------

def baseline_findings(db: Database, catalog: AreaCatalog, at: datetime,
                      settings: BaselineSettings, names: dict[str, str]) -> list[Finding]:
    """Series of 7-day counts per kern × category ending at `at` (oldest first), assessed."""
    weeks = settings.history_weeks + settings.gap_weeks + 2
    since = at - timedelta(weeks=weeks)
    stamp = utc_text(at)
    rows = db.query(
        "SELECT kern_code, category, CAST((julianday(?) - julianday(observed_utc)) / 7 AS INTEGER)"
        " AS ago, count(*) AS n FROM signals WHERE deleted = 0 AND kern_code IS NOT NULL"
        " AND observed_utc > ? AND observed_utc <= ? GROUP BY 1, 2, 3",
        (stamp, utc_text(since), stamp))
    oldest = db.query_one("SELECT min(observed_utc) FROM signals WHERE deleted = 0")[0]
    if not rows or oldest is None:
        return []
    # The series start when the first signal was recorded: before that is unknown, not zero.
    length = min(weeks, int((at - from_utc_text(oldest)).total_seconds() // (7 * 86400)) + 1)
    series: dict[tuple[str, str], np.ndarray] = {}
    for r in rows:
        if r["ago"] < length:
            s = series.setdefault((r["kern_code"], r["category"]), np.zeros(length))
            s[length - 1 - r["ago"]] += r["n"]
    t = (at.timestamp() / 86400 - 7 * np.arange(length)[::-1]) / 7
    findings = []
    for (kern, category), counts in sorted(series.items()):
        if counts[-2:].sum() < settings.min_observed:
            continue  # cannot alarm: skip the fit
        result = assess(counts, t, settings)
        if result is None or not result.alarm:
            continue
        days = 7 * result.weeks
        start = at - timedelta(days=days)
        signals = db.query(
            "SELECT id, subcategory, lat, lon FROM signals WHERE deleted = 0 AND kern_code = ?"
            " AND category = ? AND observed_utc > ? AND observed_utc <= ? ORDER BY observed_utc",
            (kern, category, utc_text(start), stamp))
        label = _label(category, [s["subcategory"] for s in signals])
        place = _place(catalog, kern)
        alpha = settings.alpha
        findings.append(Finding(
            method="basislijn", category=category, kern_code=kern,
            title=(f"{names.get(label, label)} in {place}: {result.observed} signalen in {days}"
                   f" dagen, verwacht {dutch_number(result.expected)}"),
            why=(f"Telling per kern en categorie tegen een basislijn met trend en seizoen"
                 f" (quasi-Poisson, zoals Farrington-flexibel): {result.observed} signalen in de"
                 f" laatste {days} dagen waar {dutch_number(result.expected)} verwacht was."
                 f" Kans bij toeval p = {result.p_value:.2g} (drempel {alpha:.2g}:"
                 f" {dutch_number(settings.false_alarms_per_area_year)} vals alarm per kern per jaar)."),
            signal_ids=[s["id"] for s in signals], extent=_extent(signals, catalog, kern),
            window_start=start, window_end=at, observed=result.observed,
            expected=result.expected, score=result.score, p_value=result.p_value))
    return findings


# --- method 2: space-time permutation scan -----------------------------------------------

def scan_findings(db: Database, catalog: AreaCatalog, at: datetime, settings: ScanSettings,
                  names: dict[str, str]) -> list[Finding]:
    """Per category, the significant space-time clusters ending at `at`."""
    rows = _located(db, at - timedelta(days=settings.study_days), at)
    by_category: dict[str, list] = {}
    for r in rows:
        by_category.setdefault(r["category"], []).append(r)
    findings = []
    for category, items in sorted(by_category.items()):
        ago = np.array([(at - from_utc_text(r["observed_utc"])).total_seconds() // 86400
                        for r in items], dtype=int)
        if (ago < max(settings.windows_days)).sum() < settings.min_observed:
            continue  # too few recent signals for any cluster: skip the replicates
        xy = shapely.get_coordinates(to_metric(shapely.points(
            [r["lon"] for r in items], [r["lat"] for r in items])))
        # Seeded per category and day: a rerun gives the same p-values, so no flapping alerts.
        rng = np.random.default_rng(zlib.crc32(f"{category}:{at:%Y-%m-%d}".encode()))
        for c in scan(xy, ago, settings, rng):
            members = [items[i] for i in c.members]
            kern = Counter(m["kern_code"] for m in members).most_common(1)[0][0]
            label = _label(category, [m["subcategory"] for m in members])
            place = _place(catalog, kern)
            findings.append(Finding(
                method="scan", category=category, kern_code=kern,
                title=(f"{names.get(label, label)} rond {place}: {c.observed} signalen in"
                       f" {c.window_days} dagen binnen {int(c.radius_m)} m,"
                       f" verwacht {dutch_number(c.expected)}"),
                why=(f"Ruimte-tijdcluster (permutatiescan, Kulldorff 2005): {c.observed} signalen"
                     f" binnen {int(c.radius_m)} m in de laatste {c.window_days} dagen, waar"
                     f" {dutch_number(c.expected)} verwacht was als plaats en tijd los van elkaar"
                     f" staan. p = {c.p_value:.2g} uit {settings.permutations} herhalingen"
                     f" (drempel {settings.p_threshold:.2g}). Het cluster kan over kerngrenzen gaan."),
                signal_ids=[m["id"] for m in members], extent=_extent(members, catalog, kern),
                window_start=at - timedelta(days=c.window_days), window_end=at,
                observed=c.observed, expected=c.expected, score=c.llr, p_value=c.p_value))
    return findings


# --- method 3: the rule ------------------------------------------------------------------

def rule_findings(db: Database, catalog: AreaCatalog, at: datetime,
                  rules: dict[str, RuleSettings], default: RuleSettings,
                  names: dict[str, str]) -> list[Finding]:
    """N-within-R-metres-within-D-days clusters per (sub)category."""
    longest = max([default.days, *[r.days for r in rules.values()]])
    rows = _located(db, at - timedelta(days=longest), at)
    by_category: dict[str, list[dict]] = {}
    kern_of = {}
    for r in rows:
        # A subcategory is the sharper signal ("jeugdoverlast"): group by it when given.
        key = r["subcategory"] or r["category"]
        by_category.setdefault(key, []).append(
            {"id": r["id"], "lat": r["lat"], "lon": r["lon"], "category": key,
             "when": from_utc_text(r["observed_utc"])})
        kern_of[r["id"]] = r["kern_code"]
    findings = []
    for category, items in sorted(by_category.items()):
        rule = rules.get(category, default)
        items = [i for i in items if i["when"] > at - timedelta(days=rule.days)]
        for cluster in find_clusters(items, rule):
            kern = Counter(kern_of[i] for i in cluster.signal_ids).most_common(1)[0][0]
            n = len(cluster.signal_ids)
            findings.append(Finding(
                method="regel", category=category, kern_code=kern,
                title=(f"{names.get(category, category)} in {_place(catalog, kern)}: {n} signalen"
                       f" in {rule.days} dagen binnen {int(rule.radius_m)} m"),
                why=(f"Regel: minstens {rule.min_signals} signalen van één soort binnen"
                     f" {int(rule.radius_m)} m en {rule.days} dagen. Gevonden: {n}, van"
                     f" {cluster.first:%d-%m} tot {cluster.last:%d-%m}."),
                signal_ids=cluster.signal_ids, extent=cluster.bbox,
                window_start=cluster.first, window_end=cluster.last, observed=n))
    return findings


# --- shared ------------------------------------------------------------------------------

def _located(db: Database, since: datetime, at: datetime) -> list:
    """Live signals with a location observed after `since` up to `at`."""
    return db.query(
        "SELECT id, category, subcategory, lat, lon, kern_code, observed_utc FROM signals"
        " WHERE deleted = 0 AND lat IS NOT NULL AND observed_utc > ? AND observed_utc <= ?",
        (utc_text(since), utc_text(at)))


def _names(categories: list[Category]) -> dict[str, str]:
    names = {}
    for c in categories:
        names[c.code] = c.name
        names.update({s.code: s.name for s in c.subcategories})
    return names


def _place(catalog: AreaCatalog, kern: str | None) -> str:
    ref = catalog.ref("kern", kern)
    return ref.name if ref else "een gebied"


def _label(category: str, subcategories: list[str | None]) -> str:
    """The subcategory when at least half of the signals share it, else the category."""
    subs = Counter(s for s in subcategories if s)
    top = subs.most_common(1)[0] if subs else None
    return top[0] if top and top[1] * 2 >= len(subcategories) else category


def _extent(rows, catalog: AreaCatalog, kern: str | None) -> tuple[float, float, float, float]:
    located = [r for r in rows if r["lat"] is not None]
    if located:
        lons, lats = [r["lon"] for r in located], [r["lat"] for r in located]
        return (min(lons), min(lats), max(lons), max(lats))
    area = catalog.by_key.get(("kern", kern))
    return tuple(area.geometry.bounds) if area else (0.0, 0.0, 0.0, 0.0)
