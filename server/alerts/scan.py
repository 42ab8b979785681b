"""Method 2: the prospective space-time permutation scan statistic (Kulldorff et
al. 2005), for clusters that cut across area borders.

It needs only the signals: where and when. A cylinder is a circle (centred on a
signal, with one of a few radii) times a window of the most recent days. Its
expected count under "no space-time interaction" is

    μ = (signals in the circle over the whole study period)
        × (signals anywhere in the window) / (all signals),

so a village that always reports a lot, or a busy month everywhere, raises
nothing by itself. Cylinders are scored by the Poisson log-likelihood ratio;
the p-value of the best one comes from Monte Carlo replicates in which the days
are shuffled among the signals, which keeps both margins exactly. Secondary
clusters (sharing no signal with a better one) are compared with the same
distribution of replicate maxima, as SaTScan does.

Points are in metres (RD New); days are whole days before the moment of
detection (0 = the last 24 hours).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class ScanSettings:
    """The cylinders searched and when a cluster alarms."""

    radii_m: tuple[float, ...] = (150.0, 300.0, 600.0, 1200.0, 2500.0)
    windows_days: tuple[int, ...] = (7, 14, 28)
    #: The study period the expected counts come from.
    study_days: int = 365
    permutations: int = 999
    #: Alarm when p ≤ this. Run about daily per category, 1/365 means one false
    #: cluster a year per category (a recurrence interval of a year).
    p_threshold: float = 1 / 365
    #: Never alarm on fewer signals than this.
    min_observed: int = 3
    #: A circle may hold at most this share of the study's signals (SaTScan's 50 % rule).
    max_share: float = 0.5
    #: Circles are centred on the signals' places snapped to a grid of this size: the
    #: same circles for every replicate, and far fewer of them in a busy town.
    centre_grid_m: float = 100.0
    #: With more signals than this only the most recent this many are scanned (ties in
    #: the order given), so a busy municipality, or thousands of signals on one day,
    #: costs bounded time and memory: circles × signals is at most 5 radii × this².
    max_signals: int = 2000


@dataclass(frozen=True)
class ScanCluster:
    """One space-time cluster and its evidence."""

    centre: tuple[float, float]
    radius_m: float
    window_days: int
    observed: int
    expected: float
    llr: float
    p_value: float
    #: Indices (into the input arrays) of the signals in the cylinder.
    members: tuple[int, ...]


#: Circle × window counts of the replicates held in memory at once (a batch of replicates).
REPLICATE_VALUES = 1 << 20


def _llr(n: np.ndarray, mu: np.ndarray, total: int) -> np.ndarray:
    """Poisson log-likelihood ratio, 0 where there is no excess."""
    n = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        inside = np.where(n > 0, n * np.log(n / mu), 0.0)
        rest = total - n
        outside = np.where(rest > 0, rest * np.log(rest / (total - mu)), 0.0)
        value = inside + outside
    return np.where(n > mu, np.nan_to_num(value, nan=0.0, posinf=0.0), 0.0)


def _circles(xy: np.ndarray, settings: ScanSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct circles: membership matrix (circles × signals), centre, radius."""
    grid = settings.centre_grid_m
    centres_xy = np.unique(np.round(xy / grid) * grid, axis=0)
    d = np.hypot(centres_xy[:, None, 0] - xy[None, :, 0], centres_xy[:, None, 1] - xy[None, :, 1])
    limit = settings.max_share * len(xy)
    rows, centres, radii, seen = [], [], [], set()
    for r in settings.radii_m:
        inside = d <= r
        for c in range(len(centres_xy)):
            m = inside[c]
            k = int(m.sum())
            if k < settings.min_observed or k > limit:
                continue
            key = np.packbits(m).tobytes()
            if key in seen:
                continue
            seen.add(key)
            rows.append(m)
            centres.append(centres_xy[c])
            radii.append(r)
    if not rows:
        return np.zeros((0, len(xy)), dtype=np.float32), np.zeros((0, 2)), np.zeros(0)
    return np.array(rows, dtype=np.float32), np.array(centres), np.array(radii)


def scan(xy: np.ndarray, days_ago: np.ndarray, settings: ScanSettings = ScanSettings(),
         rng: np.random.Generator | None = None) -> list[ScanCluster]:
    """Clusters ending now among signals at `xy` (n × 2 metres) observed `days_ago`
    (n, whole days). Returns the significant clusters (p ≤ threshold), best first."""
    return [c for c in scan_all(xy, days_ago, settings, rng) if c.p_value <= settings.p_threshold]


def scan_all(xy: np.ndarray, days_ago: np.ndarray, settings: ScanSettings = ScanSettings(),
             rng: np.random.Generator | None = None) -> list[ScanCluster]:
    """Like `scan`, but every non-overlapping candidate with an excess, whatever its p-value
    (for calibration and the benchmark)."""
    rng = rng or np.random.default_rng(0)
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    days = np.asarray(days_ago)
    keep = (days >= 0) & (days < settings.study_days)
    if keep.sum() > settings.max_signals:
        # Exactly the most recent max_signals (ties in input order): a cap by day alone
        # kept every signal of a busy day, and the circles grow with signals × centres.
        recent = np.flatnonzero(keep)[np.argsort(days[keep], kind="stable")[: settings.max_signals]]
        keep = np.zeros(len(days), bool)
        keep[recent] = True
    index = np.flatnonzero(keep)
    xy, days = xy[keep], days[keep]
    total = len(days)
    if total < settings.min_observed:
        return []
    member, centre, radius = _circles(xy, settings)
    if not len(member):
        return []
    windows = np.array(settings.windows_days)
    in_window = (days[:, None] < windows[None, :]).astype(np.float32)  # signals × windows
    circle_total = member.sum(axis=1)
    mu = circle_total[:, None] * in_window.sum(axis=0)[None, :] / total
    observed = member @ in_window
    llr = _llr(observed, mu, total)
    llr[observed < settings.min_observed] = 0.0

    # Replicates: shuffle the days among the signals; the circles and both margins stay.
    # Only the few signals that land in the longest window matter, so each replicate is
    # a sparse selection of columns (cost: circles × recent signals, not × all).
    # Batches hold about REPLICATE_VALUES circle × window counts, whatever the circles.
    maxima = np.empty(settings.permutations)
    member_t = np.ascontiguousarray(member.T)
    batch = max(1, min(2048 // len(windows), REPLICATE_VALUES // (len(member) * len(windows))))
    for start in range(0, settings.permutations, batch):
        stop = min(start + batch, settings.permutations)
        cols = []
        for _ in range(stop - start):
            shuffled = rng.permutation(days)
            cols.append(shuffled[:, None] < windows[None, :])
        w = sparse.csr_matrix(np.concatenate(cols, axis=1).T.astype(np.float32))
        n = (w @ member_t).T.reshape(len(member), stop - start, len(windows))  # circles × replicates × windows
        sim = _llr(n, mu[:, None, :], total)
        sim[n < settings.min_observed] = 0.0
        maxima[start:stop] = sim.max(axis=(0, 2))

    clusters, used = [], np.zeros(total, bool)
    order = np.argsort(llr, axis=None)[::-1]
    for flat in order:
        c, j = np.unravel_index(flat, llr.shape)
        if llr[c, j] <= 0:
            break
        members = (member[c] > 0) & (in_window[:, j] > 0)
        if (members & used).any():
            continue
        used |= members
        p = (1 + np.sum(maxima >= llr[c, j] - 1e-9)) / (settings.permutations + 1)
        clusters.append(ScanCluster(
            centre=(float(centre[c][0]), float(centre[c][1])), radius_m=float(radius[c]),
            window_days=int(windows[j]), observed=int(observed[c, j]), expected=float(mu[c, j]),
            llr=float(llr[c, j]), p_value=float(p),
            members=tuple(int(index[i]) for i in np.flatnonzero(members))))
    return clusters
