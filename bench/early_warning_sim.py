"""Simulated signals for the early-warning benchmark (bench/early_warning.py).

Five years of weekly counts for the 11 kernen of Noordoostpolder × 8 categories at
village-scale rates, Noufaily-style: a negative-binomial baseline with a yearly
season and a mild trend, and injected outbreaks. Every count is also a point (RD New
metres, a day), so the spatial methods see the very same signals as the count methods.

Seeded: `simulate(seed, replicate)` gives the same data on every run and machine
(numpy's PCG64 streams are stable across versions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import Transformer

REPO = Path(__file__).resolve().parents[1]
#: The kern centres come from the project's own facts file.
FACTS = REPO / "geo" / "defaults" / "noordoostpolder.json"

CATEGORIES = ["woonomgeving", "overlast", "jeugd", "verkeer", "burenconflict",
              "eenzaamheid_zorg", "veiligheid", "initiatief"]
YEARS = 5
WEEKS = 52 * YEARS  # 260: weeks 0..259
#: Lead-in weeks before week 0: farringtonFlexible with b=3, w=3 needs 3 years + 3 weeks
#: of history before its first assessed week. Arrays carry them at index 0..LEAD-1, so
#: week w is array index w + LEAD. No outbreak is put there.
LEAD = 3
EVAL_FIRST = 156  # evaluation window: the last 104 weeks (2 years), weeks 156..259
EVAL_WEEKS = WEEKS - EVAL_FIRST
YEAR_WEEKS = 365.2425 / 7

MEAN_RANGE = (0.2, 5.0)  # log-uniform mean count a week
SEASON_LOG_AMPLITUDE = (0.0, 0.5)
TREND_PER_YEAR = 0.10  # uniform in ±10 % a year
DISPERSION_RANGE = (1.0, 2.0)  # variance = φ · mean
OUTBREAK_FACTOR = (2.0, 4.0)  # k: the outbreak weeks have k × the baseline mean
OUTBREAK_LENGTHS = (2, 3, 4)
SIGMA_KERN_M = 800.0
SIGMA_TOWN_M = 1500.0  # Emmeloord
SIGMA_OUTBREAK_M = 150.0  # a street


@dataclass(frozen=True)
class Kern:
    code: str
    name: str
    x: float  # RD New metres
    y: float
    sigma_m: float


def kernen() -> list[Kern]:
    facts = json.loads(FACTS.read_text(encoding="utf-8"))
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    out = []
    for k in facts["kernen"]:
        x, y = to_rd.transform(k["lon"], k["lat"])
        town = k.get("core_radius_m", 0) > 0  # Emmeloord, the town
        out.append(Kern(k["code"], k["name"], float(x), float(y),
                        SIGMA_TOWN_M if town else SIGMA_KERN_M))
    return out


@dataclass
class Replicate:
    """One simulated municipality. Series s = area × 8 + category."""

    seed: int
    replicate: int
    areas: list[Kern]
    #: (series, LEAD + WEEKS) observed counts and baseline means.
    counts: np.ndarray
    mean: np.ndarray
    #: Per series: the parameters drawn.
    level: np.ndarray
    dispersion: np.ndarray
    #: Outbreaks (one row each): series, start week, length, factor k, extra signals,
    #: in_eval (False: the one in the history).
    ob_series: np.ndarray
    ob_start: np.ndarray
    ob_length: np.ndarray
    ob_factor: np.ndarray
    ob_extra: np.ndarray
    ob_eval: np.ndarray
    #: Points (one per signal): RD x, y; day (0 = first day of array index 0); series;
    #: outbreak row or -1 for the baseline.
    px: np.ndarray
    py: np.ndarray
    pday: np.ndarray
    pseries: np.ndarray
    poutbreak: np.ndarray

    @property
    def n_series(self) -> int:
        return self.counts.shape[0]

    @property
    def n_areas(self) -> int:
        return len(self.areas)

    def series_area(self, s):
        return np.asarray(s) // len(CATEGORIES)

    def series_category(self, s):
        return np.asarray(s) % len(CATEGORIES)

    def eval_outbreaks(self) -> np.ndarray:
        return np.flatnonzero(self.ob_eval)

    def to_npz(self, path: Path) -> None:
        np.savez_compressed(path, **{k: v for k, v in self.__dict__.items()
                                     if isinstance(v, np.ndarray)})

    @classmethod
    def from_npz(cls, path: Path, seed: int, replicate: int) -> Replicate:
        with np.load(path) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(seed=seed, replicate=replicate, areas=kernen(), **arrays)


def _negbin(rng: np.random.Generator, mean: np.ndarray, phi: float) -> np.ndarray:
    if phi <= 1.0 + 1e-9:
        return rng.poisson(mean)
    return rng.negative_binomial(mean / (phi - 1.0), 1.0 / phi)


def simulate(seed: int, replicate: int = 0) -> Replicate:
    areas = kernen()
    rng = np.random.default_rng(np.random.SeedSequence([seed, replicate]))
    n_series = len(areas) * len(CATEGORIES)
    length = LEAD + WEEKS
    week = np.arange(length) - LEAD  # week number of each array index
    counts = np.zeros((n_series, length), dtype=np.int64)
    base = np.zeros((n_series, length), dtype=np.int64)  # without the outbreaks
    means = np.zeros((n_series, length))
    level = np.exp(rng.uniform(*np.log(MEAN_RANGE), n_series))
    amplitude = rng.uniform(*SEASON_LOG_AMPLITUDE, n_series)
    phase = rng.uniform(0, 2 * np.pi, n_series)
    trend = rng.uniform(-TREND_PER_YEAR, TREND_PER_YEAR, n_series)
    phi = rng.uniform(*DISPERSION_RANGE, n_series)
    mid = WEEKS / 2  # the level is the mean in the middle of the five years
    ob = {k: [] for k in ("series", "start", "length", "factor", "extra", "eval")}
    extra_counts: list[np.ndarray] = []
    for s in range(n_series):
        mu = (level[s] * np.exp(amplitude[s] * np.cos(2 * np.pi * week / YEAR_WEEKS + phase[s]))
              * (1 + trend[s]) ** ((week - mid) / 52))
        means[s] = mu
        base[s] = _negbin(rng, mu, phi[s])
        counts[s] = base[s]
        # One outbreak in the history (weeks 0..155) and one in the evaluation window,
        # ending inside it.
        for in_eval, lo, hi in ((False, 0, EVAL_FIRST), (True, EVAL_FIRST, WEEKS)):
            n = int(rng.choice(OUTBREAK_LENGTHS))
            start = int(rng.integers(lo, hi - n + 1))
            k = float(rng.uniform(*OUTBREAK_FACTOR))
            idx = LEAD + start + np.arange(n)
            extra = rng.poisson((k - 1.0) * mu[idx])
            counts[s, idx] += extra
            for key, v in zip(ob, (s, start, n, k, int(extra.sum()), in_eval), strict=True):
                ob[key].append(v)
            extra_counts.append(extra)

    # Points: every signal a place and a day.
    px, py, pday, pseries, pob = [], [], [], [], []
    for row, (s, start, n) in enumerate(zip(ob["series"], ob["start"], ob["length"], strict=True)):
        extra = extra_counts[row]
        if not extra.sum():
            continue
        area = areas[s // len(CATEGORIES)]
        spot = rng.normal((area.x, area.y), area.sigma_m)
        m = int(extra.sum())
        xy = rng.normal(spot, SIGMA_OUTBREAK_M, (m, 2))
        idx = np.repeat(LEAD + start + np.arange(n), extra)
        px.append(xy[:, 0])
        py.append(xy[:, 1])
        pday.append(7 * idx + rng.integers(0, 7, m))
        pseries.append(np.full(m, s))
        pob.append(np.full(m, row))
    for s in range(n_series):
        area = areas[s // len(CATEGORIES)]
        idx = np.repeat(np.arange(length), base[s])
        m = len(idx)
        xy = rng.normal((area.x, area.y), area.sigma_m, (m, 2))
        px.append(xy[:, 0])
        py.append(xy[:, 1])
        pday.append(7 * idx + rng.integers(0, 7, m))
        pseries.append(np.full(m, s))
        pob.append(np.full(m, -1))
    return Replicate(
        seed=seed, replicate=replicate, areas=areas, counts=counts, mean=means, level=level,
        dispersion=phi, ob_series=np.array(ob["series"]), ob_start=np.array(ob["start"]),
        ob_length=np.array(ob["length"]), ob_factor=np.array(ob["factor"]),
        ob_extra=np.array(ob["extra"]), ob_eval=np.array(ob["eval"], dtype=bool),
        px=np.concatenate(px), py=np.concatenate(py), pday=np.concatenate(pday).astype(np.int64),
        pseries=np.concatenate(pseries).astype(np.int64),
        poutbreak=np.concatenate(pob).astype(np.int64))
