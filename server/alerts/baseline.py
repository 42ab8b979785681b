"""Method 1: counts per area × category against a baseline that copes with low
counts, trend and seasonality, in the spirit of Farrington-flexible (Noufaily
et al. 2013).

One series is the weekly count of one category in one area. For the current week
we fit a quasi-Poisson GLM (intercept, linear trend, one yearly harmonic) on the
past weeks, leaving out the most recent `gap_weeks` so that a growing problem
does not raise its own baseline. Past outbreaks are down-weighted by their
Anscombe residuals and the model is fitted again. The count of the current week
and the count of the last two weeks (14 days) are then compared with a negative
binomial predictive distribution with the fitted mean and dispersion; the upper
tail probability, Bonferroni-corrected for the two windows, is the p-value.

The threshold comes from a target false-alarm rate: with `series_per_area`
categories watched weekly, an area gets at most `false_alarms_per_area_year`
false alarms a year when every series alarms at p < rate / (series × 52) (times a
calibration factor measured in the benchmark). The estimation error of the
baseline mean widens the predictive distribution, as in Farrington's original.

This module holds the statistics only; `detect.py` builds the series from the
signals and stores alerts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

#: Weeks in a year, for the seasonal harmonic.
YEAR_WEEKS = 365.2425 / 7


@dataclass(frozen=True)
class BaselineSettings:
    """How the baseline is fitted and when it alarms."""

    #: Recent weeks left out of the baseline (a problem may already be growing there).
    gap_weeks: int = 4
    #: Weeks of history the baseline uses at most (three years, as Farrington's b=3).
    history_weeks: int = 156
    #: Fewer weeks than this: no baseline yet, no alarm.
    min_history_weeks: int = 26
    #: Weeks of history before trend and before seasonality enter the model.
    trend_weeks: int = 52
    season_weeks: int = 104
    #: Anscombe residual above which a past week counts as an outbreak and is down-weighted.
    reweight_threshold: float = 2.58
    #: Target number of false alarms per area per year, over all its categories.
    false_alarms_per_area_year: float = 1.0
    series_per_area: int = 8
    #: Never alarm on fewer signals than this in the window, whatever the p-value.
    min_observed: int = 2
    #: Share of the nominal level actually used, measured on simulated village series:
    #: weekly tests of an estimated baseline run hotter than nominal in some settings
    #: (constant dispersion 1.5: the full level gave 1.15 false alarms per area per year
    #: for a target of 1, 0.75 of it 0.94) and cooler in others (bench/early_warning.py:
    #: half the level gave 0.54). 0.75 stays within the target in both.
    calibration: float = 0.75

    @property
    def alpha(self) -> float:
        """Per-series, per-week significance level that meets the false-alarm target."""
        return self.calibration * self.false_alarms_per_area_year / (self.series_per_area * 52)


@dataclass(frozen=True)
class Assessment:
    """The current week of one series against its baseline."""

    #: Signals in the window (the last week, or the last two weeks).
    observed: int
    #: Expected signals in that window.
    expected: float
    #: 1 or 2: the window that was most unusual.
    weeks: int
    #: Upper-tail probability of the observed count, corrected for testing two windows.
    p_value: float
    #: Quasi-Poisson dispersion of the baseline (1 = Poisson).
    dispersion: float
    #: True when p_value < alpha and observed ≥ min_observed.
    alarm: bool

    @property
    def score(self) -> float:
        """-log10(p): the strength of the evidence, for sorting alerts."""
        return -math.log10(max(self.p_value, 1e-300))


def upper_tail(observed: int, mean: float, dispersion: float) -> float:
    """P(Y ≥ observed) for Y negative binomial with this mean and variance dispersion × mean
    (Poisson when dispersion is 1)."""
    if observed <= 0:
        return 1.0
    if dispersion <= 1.0 + 1e-9:
        return float(stats.poisson.sf(observed - 1, mean))
    size = mean / (dispersion - 1.0)
    return float(stats.nbinom.sf(observed - 1, size, 1.0 / dispersion))


def _design(t: np.ndarray, trend: bool, season: bool) -> np.ndarray:
    cols = [np.ones_like(t)]
    if trend:
        cols.append(t / YEAR_WEEKS)
    if season:
        angle = 2 * np.pi * t / YEAR_WEEKS
        cols += [np.cos(angle), np.sin(angle)]
    return np.column_stack(cols)


def _fit(y: np.ndarray, X: np.ndarray, weights: np.ndarray | None = None):
    with warnings.catch_warnings():
        # A series of mostly zeros is normal here; the fit is still the best estimate.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return sm.GLM(y, X, family=sm.families.Poisson(), var_weights=weights).fit(scale="X2")


def _anscombe(y: np.ndarray, mu: np.ndarray, phi: float) -> np.ndarray:
    mu = np.maximum(mu, 1e-9)
    return 1.5 * (np.cbrt(y) ** 2 - np.cbrt(mu) ** 2) / (math.sqrt(phi) * mu ** (1 / 6))


def baseline(y: np.ndarray, t: np.ndarray, t_new: np.ndarray,
             settings: BaselineSettings) -> tuple[np.ndarray, float, float]:
    """Expected counts at times `t_new` from the history (y at times t, in weeks), the
    dispersion, and the relative variance of the estimated mean. Past outbreaks are
    down-weighted; a trend is kept only when it is significant and does not predict more
    than the history ever saw."""
    n = len(y)
    season = n >= settings.season_weeks
    if y.sum() == 0:
        # Nothing in the history: a small mean (half a signal over the whole history), not zero.
        return np.full(len(t_new), 0.5 / n), 1.0, 0.0
    for trend in ([True, False] if n >= settings.trend_weeks else [False]):
        X = _design(t, trend, season)
        fit = _fit(y, X)
        phi = max(1.0, float(fit.scale))
        r = _anscombe(y, fit.mu, phi)
        w = np.where(r > settings.reweight_threshold, 1.0 / np.maximum(r, 1e-9) ** 2, 1.0)
        if (w < 1).any():
            # Past outbreaks must not raise the mean. The dispersion stays that of the
            # unweighted fit: at village counts, down-weighting ordinary high weeks too
            # made it too small and doubled the false alarms (measured).
            w *= n / w.sum()
            fit = _fit(y, X, w)
        X_new = _design(t_new, trend, season)
        mu_new = np.exp(X_new @ fit.params)
        if trend and (fit.pvalues[1] >= 0.05 or mu_new.max() > y.max()):
            continue  # drop an unconvincing or runaway trend and fit again without it
        # The mean itself is estimated: its relative variance widens the prediction.
        var_eta = np.einsum("ij,jk,ik->i", X_new, fit.cov_params(), X_new)
        return np.maximum(mu_new, 0.5 / n), phi, float(np.mean(np.expm1(var_eta)))
    raise AssertionError("the fit without trend always returns")


def assess(counts: np.ndarray, t: np.ndarray | None = None,
           settings: BaselineSettings = BaselineSettings()) -> Assessment | None:
    """Assess the last element of `counts` (weekly counts, oldest first) and the last two
    together. `t` gives each week's time in weeks (for seasonality; default 0..n-1).
    None when there is not enough history for a baseline."""
    counts = np.asarray(counts, dtype=float)
    t = np.arange(len(counts), dtype=float) if t is None else np.asarray(t, dtype=float)
    now = len(counts) - 1
    end = now - 1 - settings.gap_weeks  # history ends before the 2-week window and the gap
    start = max(0, end - settings.history_weeks)
    if end - start < settings.min_history_weeks:
        return None
    mu, phi, relvar = baseline(counts[start:end], t[start:end], t[now - 1:], settings)
    week, fortnight = int(counts[now]), int(counts[now - 1] + counts[now])
    # Var(Y) = φμ + μ²·relvar: the estimation error of μ as extra dispersion.
    p1 = upper_tail(week, float(mu[1]), phi + float(mu[1]) * relvar)
    p2 = upper_tail(fortnight, float(mu.sum()), phi + float(mu.sum()) * relvar)
    if p2 < p1:
        observed, expected, weeks, p = fortnight, float(mu.sum()), 2, p2
    else:
        observed, expected, weeks, p = week, float(mu[1]), 1, p1
    p = min(1.0, 2 * p)
    return Assessment(observed=observed, expected=expected, weeks=weeks, p_value=p,
                      dispersion=phi,
                      alarm=p < settings.alpha and observed >= settings.min_observed)

