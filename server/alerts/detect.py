"""Running the three detection methods over the stored signals and storing alerts.

1. `basislijn`: per kern × category, this week and the last 14 days against a
   quasi-Poisson baseline (baseline.py).
2. `scan`: space-time clusters across area borders, a permutation scan (scan.py).
3. `regel`: N signals of one (sub)category within R metres within D days (rules.py).

Running detection again over the same signals changes nothing (findings.py).

Signals linked by "hoort bij" (`related_to`) are one problem with several reporters:
every method counts each chain once, at its root's time and place, and the alert lists
every report of the chain (chains.py).

One bad value must not silence early warning for the whole municipality: every
unit of work (the count query, each kern × category series, each category of the
scan and of the rule, storing each finding) runs on its own. A unit that fails is
logged with its method, category and kern and reported in the `DetectionRun`; the
others still run. A signal whose observation time cannot be read (or lies before
2000, as an old server could store) is left out and counted, never fatal.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np
import shapely

from geo.metric import to_metric

from ..areas.store import AreaCatalog
from ..categories.models import Category
from ..categories.store import list_categories
from ..db import Database
from ..timeutil import OBSERVED_FLOOR, from_utc_text, now, utc_text
from .baseline import BaselineSettings, assess
from .chains import Chains, load_chains
from .findings import Episodes, Finding, dutch_number, upsert
from .rules import DEFAULT_RULES, RuleSettings, find_clusters
from .scan import ScanSettings, scan

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Failure:
    """A unit of detection that failed, and why."""

    method: str
    category: str | None
    kern_code: str | None
    error: str

    def describe(self) -> str:
        """One line (Dutch) for the command line and the log."""
        where = ", ".join(f"{k} {v}" for k, v in (("categorie", self.category), ("kern", self.kern_code)) if v)
        return f"{self.method}{f' ({where})' if where else ''}: {self.error}"


@dataclass
class DetectionRun:
    """What one detection run did: the alerts it created or updated, the units of work it
    ran, those that failed, and the signals it left out for an unreadable time."""

    at: datetime
    alert_ids: list[str] = field(default_factory=list)
    units: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped_ids: set[str] = field(default_factory=set)

    @property
    def skipped(self) -> int:
        return len(self.skipped_ids)

    @property
    def all_failed(self) -> bool:
        return self.units > 0 and len(self.failures) >= self.units

    @contextmanager
    def unit(self, method: str, category: str | None = None, kern: str | None = None, *,
             step: bool = False) -> Iterator[None]:
        """Run one unit of work: an error in it is logged and recorded, not raised. A `step`
        around the units (reading the categories, the one transaction) counts only if it fails."""
        self.units += not step
        try:
            yield
        except Exception as e:  # any bug or bad row: the other units must still run
            self.units += step
            failure = Failure(method, category, kern, f"{type(e).__name__}: {e}")
            log.exception("early-warning detection failed: %s", failure.describe())
            self.failures.append(failure)

    def time(self, signal_id: str, text: str | None) -> datetime | None:
        """A signal's stored observation time, or None (the signal is counted as skipped)
        when it cannot be read or lies before 2000."""
        try:
            moment = from_utc_text(text)
        except (TypeError, ValueError):
            moment = None
        if moment is None or moment < OBSERVED_FLOOR:
            self.skipped_ids.add(signal_id)
            return None
        return moment

    def log_skipped(self) -> None:
        if self.skipped_ids:
            log.warning("early-warning detection skipped %d signal(s) whose observation time cannot be"
                        " read or lies before 2000, e.g. %s", self.skipped, ", ".join(sorted(self.skipped_ids)[:5]))


def detect(db: Database, catalog: AreaCatalog, at: datetime | None = None,
           settings: DetectionSettings = DetectionSettings()) -> DetectionRun:
    """Run every method as of `at` (default now) and store what they find. A unit that
    fails is reported in the result (and logged); the rest still runs."""
    run = DetectionRun(at or now())
    categories: list[Category] = []
    with run.unit("categorieën", step=True):
        categories = list_categories(db)
    names = _names(categories)
    kernen = sum(1 for a in catalog.areas if a.level == "kern" and not a.water)
    baseline, scan_settings = settings.tuned(kernen, len(categories))
    _store(db, run, [*baseline_findings(db, catalog, run, baseline, names),
                     *scan_findings(db, catalog, run, scan_settings, names),
                     *rule_findings(db, catalog, run, settings.rules, settings.rule, names)])
    run.log_skipped()
    return run


def detect_rule_clusters(db: Database, catalog: AreaCatalog, at: datetime | None = None,
                         rules: dict[str, RuleSettings] | None = None,
                         default: RuleSettings = RuleSettings()) -> list[str]:
    """Method 3 alone: find N-within-R-within-D clusters and store them; the alert ids."""
    run = DetectionRun(at or now())
    rules = rules if rules is not None else DEFAULT_RULES
    _store(db, run, rule_findings(db, catalog, run, rules, default, _names(list_categories(db))))
    run.log_skipped()
    return run.alert_ids


def _store(db: Database, run: DetectionRun, findings: list[Finding]) -> None:
    """Store the findings in one transaction, each on its own savepoint so one that fails
    leaves no trace; the alert ids go to `run`, without repeats."""
    if not findings:
        return
    ids = []
    with run.unit("opslaan", step=True):  # e.g. the database stays locked: nothing is stored
        with db.transaction() as conn:
            episodes = Episodes(conn)
            for f in findings:
                conn.execute("SAVEPOINT finding")
                with run.unit(f"{f.method}: opslaan", f.category, f.kern_code):
                    try:
                        ids.append(upsert(conn, f, run.at, episodes))
                    except BaseException:
                        conn.execute("ROLLBACK TO finding")
                        episodes = Episodes(conn)  # read again what the rollback undid
                        raise
                conn.execute("RELEASE finding")
        run.alert_ids = list(dict.fromkeys(ids))


# --- method 1: counts against a baseline -------------------------------------------------

def baseline_findings(db: Database, catalog: AreaCatalog, run: DetectionRun,
                      settings: BaselineSettings, names: dict[str, str]) -> list[Finding]:
    """Series of 7-day counts per kern × category ending at `at` (oldest first), assessed;
    each series on its own."""
    series: dict[tuple[str, str], np.ndarray] = {}
    t = np.zeros(0)
    chains = Chains()
    with run.unit("basislijn"):
        chains = load_chains(db.conn)
        series, t = _series(db, run, settings, chains)
    findings = []
    for (kern, category), counts in sorted(series.items()):
        if counts[-2:].sum() < settings.min_observed:
            continue  # cannot alarm: skip the fit
        with run.unit("basislijn", category, kern):
            if (finding := _assessed(db, catalog, run.at, settings, names, kern, category, counts, t,
                                     chains)):
                findings.append(finding)
    return findings


def _series(db: Database, run: DetectionRun, settings: BaselineSettings, chains: Chains | None = None
            ) -> tuple[dict[tuple[str, str], np.ndarray], np.ndarray]:
    """Weekly counts per (kern, category), oldest first, and each week's time in weeks; a
    "hoort bij" chain counts once, at its root."""
    at = run.at
    weeks = settings.history_weeks + settings.gap_weeks + 2
    since = at - timedelta(weeks=weeks)
    stamp = utc_text(at)
    rows = db.query(
        "SELECT kern_code, category, CAST((julianday(?) - julianday(observed_utc)) / 7 AS INTEGER)"
        " AS ago, count(*) AS n FROM signals WHERE deleted = 0 AND kern_code IS NOT NULL"
        " AND observed_utc > ? AND observed_utc <= ?"
        " AND id NOT IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3",
        (stamp, utc_text(since), stamp, json.dumps(list(chains.roots) if chains else [])))
    if any(r["ago"] is None for r in rows):  # a time SQLite cannot read either: name them
        for r in db.query("SELECT id, observed_utc FROM signals WHERE deleted = 0 AND kern_code IS NOT NULL"
                          " AND observed_utc > ? AND observed_utc <= ? AND julianday(observed_utc) IS NULL",
                          (utc_text(since), stamp)):
            run.time(r["id"], r["observed_utc"])
    oldest = None
    for r in db.conn.execute("SELECT id, observed_utc FROM signals WHERE deleted = 0 ORDER BY observed_utc"):
        if (oldest := run.time(r["id"], r["observed_utc"])) is not None:
            break  # the first readable one; unreadable ones sort anywhere
    if not rows or oldest is None:
        return {}, np.zeros(0)
    # The series start when the first signal was recorded: before that is unknown, not zero.
    length = max(1, min(weeks, int((at - oldest).total_seconds() // (7 * 86400)) + 1))
    series: dict[tuple[str, str], np.ndarray] = {}
    for r in rows:
        if r["ago"] is not None and 0 <= r["ago"] < length:
            s = series.setdefault((r["kern_code"], r["category"]), np.zeros(length))
            s[length - 1 - r["ago"]] += r["n"]
    return series, (at.timestamp() / 86400 - 7 * np.arange(length)[::-1]) / 7


def _assessed(db: Database, catalog: AreaCatalog, at: datetime, settings: BaselineSettings,
              names: dict[str, str], kern: str, category: str, counts: np.ndarray,
              t: np.ndarray, chains: Chains | None = None) -> Finding | None:
    """The finding of one series, or None when it does not alarm."""
    stamp = utc_text(at)
    result = assess(counts, t, settings)
    if result is None or not result.alarm:
        return None
    days = 7 * result.weeks
    start = at - timedelta(days=days)
    signals = db.query(
        "SELECT id, subcategory, lat, lon FROM signals WHERE deleted = 0 AND kern_code = ?"
        " AND category = ? AND observed_utc > ? AND observed_utc <= ? ORDER BY observed_utc",
        (kern, category, utc_text(start), stamp))
    chains = chains or Chains()
    counted = [s["id"] for s in signals if chains.counted(s["id"])]
    signals = _with_chains(db, signals, chains)
    label = _label(category, [s["subcategory"] for s in signals])
    place = _place(catalog, kern)
    alpha = settings.alpha
    return Finding(
        method="basislijn", category=category, kern_code=kern,
        title=(f"{names.get(label, label)} in {place}: {result.observed} signalen in {days}"
               f" dagen, verwacht {dutch_number(result.expected)}"),
        why=(f"Telling per kern en categorie tegen een basislijn met trend en seizoen"
             f" (quasi-Poisson, zoals Farrington-flexibel): {result.observed} signalen in de"
             f" laatste {days} dagen waar {dutch_number(result.expected)} verwacht was."
             f" Kans bij toeval p = {result.p_value:.2g} (drempel {alpha:.2g}:"
             f" {dutch_number(settings.false_alarms_per_area_year)} vals alarm per kern per jaar)."
             f"{_reporters(chains, counted)}"),
        signal_ids=[s["id"] for s in signals], extent=_extent(signals, catalog, kern),
        window_start=start, window_end=at, observed=result.observed,
        expected=result.expected, score=result.score, p_value=result.p_value)


# --- method 2: space-time permutation scan -----------------------------------------------

def scan_findings(db: Database, catalog: AreaCatalog, run: DetectionRun, settings: ScanSettings,
                  names: dict[str, str]) -> list[Finding]:
    """Per category (each on its own), the significant space-time clusters ending at `at`."""
    at = run.at
    categories: list[str] = []
    chains = Chains()
    with run.unit("scan"):
        chains = load_chains(db.conn)
        period = (utc_text(at - timedelta(days=settings.study_days)), utc_text(at))
        categories = sorted(r[0] for r in db.query(
            "SELECT DISTINCT category FROM signals WHERE deleted = 0 AND lat IS NOT NULL"
            " AND observed_utc > ? AND observed_utc <= ?", period))
    findings = []
    for category in categories:
        with run.unit("scan", category):
            # The scan uses the most recent max_signals at most: read no more, so memory is
            # bounded by it however many signals a category has (oldest first, as before).
            rows = db.query(
                "SELECT id, category, subcategory, lat, lon, kern_code, observed_utc FROM signals"
                " WHERE deleted = 0 AND lat IS NOT NULL AND category = ? AND observed_utc > ?"
                " AND observed_utc <= ? ORDER BY observed_utc DESC, rowid DESC LIMIT ?",
                (category, *period, settings.max_signals))[::-1]
            items = [i for i in _by_category(run, rows, lambda r: r["category"]).get(category, [])
                     if chains.counted(i["id"])]  # a "hoort bij" chain counts once, at its root
            findings += _scanned(catalog, at, settings, names, category, items, chains)
    return findings


def _scanned(catalog: AreaCatalog, at: datetime, settings: ScanSettings, names: dict[str, str],
             category: str, items: list[dict], chains: Chains | None = None) -> list[Finding]:
    """The significant clusters of one category."""
    findings = []
    ago = np.array([(at - r["when"]).total_seconds() // 86400 for r in items], dtype=int)
    if (ago < max(settings.windows_days)).sum() < settings.min_observed:
        return []  # too few recent signals for any cluster: skip the replicates
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
                 f" (drempel {settings.p_threshold:.2g}). Het cluster kan over kerngrenzen gaan."
                 f"{_reporters(chains, [m['id'] for m in members])}"),
            signal_ids=(chains or Chains()).expand(m["id"] for m in members), extent=_extent(members, catalog, kern),
            window_start=at - timedelta(days=c.window_days), window_end=at,
            observed=c.observed, expected=c.expected, score=c.llr, p_value=c.p_value))
    return findings


# --- method 3: the rule ------------------------------------------------------------------

def rule_findings(db: Database, catalog: AreaCatalog, run: DetectionRun,
                  rules: dict[str, RuleSettings], default: RuleSettings,
                  names: dict[str, str]) -> list[Finding]:
    """N-within-R-metres-within-D-days clusters per (sub)category, each on its own."""
    at = run.at
    by_category: dict[str, list[dict]] = {}
    chains = Chains()
    with run.unit("regel"):
        longest = max([default.days, *[r.days for r in rules.values()]])
        chains = load_chains(db.conn)
        # A subcategory is the sharper signal ("jeugdoverlast"): group by it when given.
        # A "hoort bij" chain counts once, at its root.
        by_category = _by_category(run, [r for r in _located(db, at - timedelta(days=longest), at)
                                         if chains.counted(r["id"])],
                                   lambda r: r["subcategory"] or r["category"])
    findings = []
    for category, items in sorted(by_category.items()):
        with run.unit("regel", category):
            findings += _ruled(catalog, at, rules.get(category, default), names, category, items, chains)
    return findings


def _ruled(catalog: AreaCatalog, at: datetime, rule: RuleSettings, names: dict[str, str],
           category: str, items: list[dict], chains: Chains | None = None) -> list[Finding]:
    """The rule's clusters in one (sub)category."""
    findings = []
    kern_of = {i["id"]: i["kern_code"] for i in items}
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
                 f" {cluster.first:%d-%m} tot {cluster.last:%d-%m}."
                 f"{_reporters(chains, cluster.signal_ids)}"),
            signal_ids=(chains or Chains()).expand(cluster.signal_ids), extent=cluster.bbox,
            window_start=cluster.first, window_end=cluster.last, observed=n))
    return findings


# --- shared ------------------------------------------------------------------------------

def _located(db: Database, since: datetime, at: datetime) -> list:
    """Live signals with a location observed after `since` up to `at`."""
    return db.query(
        "SELECT id, category, subcategory, lat, lon, kern_code, observed_utc FROM signals"
        " WHERE deleted = 0 AND lat IS NOT NULL AND observed_utc > ? AND observed_utc <= ?",
        (utc_text(since), utc_text(at)))


def _with_chains(db: Database, rows: list, chains: Chains) -> list:
    """`rows` (id, subcategory, lat, lon) with the other reports of their chains added."""
    have = {r["id"] for r in rows}
    extra = [i for i in chains.expand(have) if i not in have]
    if not extra:
        return rows
    return [*rows, *db.query("SELECT id, subcategory, lat, lon FROM signals WHERE deleted = 0 AND id IN"
                             " (SELECT value FROM json_each(?)) ORDER BY observed_utc", (json.dumps(extra),))]


def _reporters(chains: Chains | None, counted: list[str]) -> str:
    """A sentence on the reports that were counted with an earlier one ("hoort bij")."""
    others = sum(len(chains.members.get(i, ())) for i in counted) if chains else 0
    if not others:
        return ""
    return (f" Meldingen die bij een eerdere horen tellen mee als één probleem: {len(counted)}"
            f" {'probleem' if len(counted) == 1 else 'problemen'} met samen {len(counted) + others}"
            " meldingen.")


def _by_category(run: DetectionRun, rows: list, key) -> dict[str, list[dict]]:
    """Rows as dicts with their time read (`when`), grouped by `key`; a row whose time cannot
    be read is left out and counted in `run`."""
    grouped: dict[str, list[dict]] = {}
    for r in rows:
        if (when := run.time(r["id"], r["observed_utc"])) is not None:
            category = key(r)
            grouped.setdefault(category, []).append({**dict(r), "category": category, "when": when})
    return grouped


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
