"""Groups of points near each other in space and time, in linear memory.

The rule (rules.py) gives every point i a *group*: the points within R metres of it
observed in the window up to it, (t_i - D, t_i], itself included. A point whose
group holds at least N points is a *core*; groups that share a point merge,
transitively. `near_groups` finds the merged groups without comparing every pair,
so thousands of signals in one spot cost milliseconds, not gigabytes:

- Points are binned in square cells R/1.5 wide: two points in one cell are always
  within R (the diagonal is 0.94 R), and a point within R lies at most two cells away.
- Within a cell, sorted by time, a group is a contiguous run, so counting is two
  binary searches and merging a core with its group links neighbours in that order.
- Counting across cells is only needed for points whose own cell holds fewer than N
  in their window; each of them scans a time range of a neighbouring cell, and no
  point is scanned by more than N - 1 of them per cell (N - 1 would fit in one
  window of that cell): at most 24 (N - 1) candidates per point, linear.
- Linking across cells needs one core per point and neighbouring cell: the cores of
  a cell whose windows hold that point are already linked within the cell. A few
  probes settle most points; for the rest, boxes of points are split until a box is
  wholly within or beyond R of the other (identical places need one comparison).
- Components over the links: scipy's `connected_components`.

Memory is a few arrays of n, plus candidate pairs in chunks of `CHUNK`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

#: Cells are R / CELL_DIVISOR wide, so a cell's diagonal (0.94 R) stays within R.
CELL_DIVISOR = 1.5
#: Cells to either side that can hold a point within R.
REACH = 2
OFFSETS = [(dx, dy) for dx in range(-REACH, REACH + 1) for dy in range(-REACH, REACH + 1) if dx or dy]
#: Cores of a neighbouring cell probed per point before boxes are split.
PROBES = 8
#: Candidate pairs held in memory at once.
CHUNK = 1 << 20
#: Box pairs with at most this many point pairs are compared directly.
LEAF = 4096
#: Relative margin on box distances, far above rounding, so boxes never decide a pair
#: the direct comparison (np.hypot, as the pairwise definition) would decide otherwise.
MARGIN = 1e-9


def near_groups(xy: np.ndarray, t: np.ndarray, radius: float, window: float,
                min_members: int) -> list[np.ndarray]:
    """The merged groups (indices into `xy`/`t`, ascending), ordered by their last core.

    `xy`: n × 2 metres; `t`: n seconds; a point j is in the group of i when
    hypot(xy_j - xy_i) ≤ radius and t_i - window < t_j ≤ t_i. Points with a non-finite
    place are in no group. The same result as comparing every pair, in O(n) memory.
    """
    if radius <= 0 or min_members < 1:
        raise ValueError("radius must be positive and min_members at least 1")
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    t = np.asarray(t, dtype=float)
    chosen = np.flatnonzero(np.isfinite(xy).all(axis=1) & np.isfinite(t))
    if len(chosen) < min_members:
        return []
    return _Grid(xy[chosen], t[chosen], radius, window, min_members).groups(chosen)


class _Grid:
    """Points sorted by cell, then time, then input order; every array is in that order."""

    def __init__(self, xy: np.ndarray, t: np.ndarray, radius: float, window: float, min_members: int):
        self.radius, self.min = radius, min_members
        cells = np.floor(xy / (radius / CELL_DIVISOR))
        if np.abs(cells).max() >= 2 ** 40:
            raise ValueError("radius too small for the extent of the points")
        gx, gy = cells[:, 0].astype(np.int64), cells[:, 1].astype(np.int64)
        gx -= gx.min() - REACH  # offsets of up to REACH cells stay non-negative
        gy -= gy.min() - REACH
        self.width = int(gy.max()) + REACH + 1
        if (int(gx.max()) + REACH + 1) * self.width >= 2 ** 62:
            raise ValueError("radius too small for the extent of the points")
        key = gx * self.width + gy
        order = np.lexsort((np.arange(len(t)), t, key))
        self.order = order
        self.key, self.x, self.y, self.t = key[order], xy[order, 0], xy[order, 1], t[order]
        self.lo = self.t - window  # the same subtraction as the pairwise definition
        self.cells = np.unique(self.key)
        self.cell = np.searchsorted(self.cells, self.key)
        self.n = len(t)
        # Binary searches per cell: (cell, rank of time) as one integer, exact for floats.
        self.times = np.unique(self.t)
        self.tkey = self.cell * (len(self.times) + 1) + np.searchsorted(self.times, self.t)

    def _neighbour(self, points: np.ndarray, dx: int, dy: int) -> tuple[np.ndarray, np.ndarray]:
        """The points that have a non-empty cell at this offset, and that cell's number."""
        wanted = self.key[points] + dx * self.width + dy
        cell = np.minimum(np.searchsorted(self.cells, wanted), len(self.cells) - 1)
        found = self.cells[cell] == wanted
        return points[found], cell[found]

    def _after(self, cell: np.ndarray, value: np.ndarray) -> np.ndarray:
        """Position of the first point of `cell` observed after `value` (or the cell's end)."""
        rank = np.searchsorted(self.times, value, side="right")
        return np.searchsorted(self.tkey, cell * (len(self.times) + 1) + rank)

    # --- counting ------------------------------------------------------------------------

    def _counts(self) -> np.ndarray:
        """Group size of every point, exact up to `min` (beyond it only "enough" matters)."""
        count = self._after(self.cell, self.t) - self._after(self.cell, self.lo)
        for dx, dy in OFFSETS:
            short = np.flatnonzero(count < self.min)
            if not len(short):
                break
            points, cell = self._neighbour(short, dx, dy)
            start, stop = self._after(cell, self.lo[points]), self._after(cell, self.t[points])
            for p, c in _pairs(points, start, stop - start):
                near = np.hypot(self.x[c] - self.x[p], self.y[c] - self.y[p]) <= self.radius
                count += np.bincount(p[near], minlength=self.n)
        return count

    # --- linking -------------------------------------------------------------------------

    def groups(self, original: np.ndarray) -> list[np.ndarray]:
        core = self._counts() >= self.min
        cores = np.flatnonzero(core)
        if not len(cores):
            return []
        # Within a cell a core's group is the run [first after its window start, first after it).
        start = self._after(self.cell[cores], self.lo[cores])
        stop = self._after(self.cell[cores], self.t[cores])
        cover = np.cumsum(np.bincount(start, minlength=self.n + 1) - np.bincount(stop - 1, minlength=self.n + 1))
        run = np.concatenate([[0], np.cumsum(cover[: self.n - 1] <= 0)])
        self.run, self.cores = run, cores
        # Cores only, for "which cores' windows hold time t" per cell.
        ccell, ct, clo = self.cell[cores], self.t[cores], self.lo[cores]
        self.ctimes, self.clos = np.unique(ct), np.unique(clo)
        self.ctkey = ccell * (len(self.ctimes) + 1) + np.searchsorted(self.ctimes, ct)
        self.clokey = ccell * (len(self.clos) + 1) + np.searchsorted(self.clos, clo)
        runs = int(run[-1]) + 1
        us, vs, component = [], [], np.arange(runs)
        for dx, dy in OFFSETS:
            u, v = self._across(dx, dy, component)
            if len(u):  # components so far, so the next offset skips what is already linked
                us.append(u)
                vs.append(v)
                component = _components(runs, np.concatenate(us), np.concatenate(vs))
        u, v = _distinct(us, vs, runs)
        comp = component[run]
        has_core = np.zeros(runs, bool)
        has_core[comp[cores]] = True
        # A point is in a group when it is linked to anything, or is a core itself.
        linked = np.zeros(runs, bool)
        linked[u], linked[v] = True, True
        sizes = np.bincount(run, minlength=runs)
        member = has_core[comp] & (linked[run] | (sizes[run] > 1) | core)
        positions = np.flatnonzero(member)
        if not len(positions):
            return []
        index = original[self.order[positions]]
        last_core = np.full(runs, -1)
        np.maximum.at(last_core, comp[cores], original[self.order[cores]])
        by_comp = np.argsort(comp[positions], kind="stable")
        comps, first = np.unique(comp[positions][by_comp], return_index=True)
        parts = np.split(index[by_comp], first[1:])
        ranked = np.argsort(last_core[comps], kind="stable")
        return [np.sort(parts[k]) for k in ranked]

    def _cores_holding(self, cell: np.ndarray, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Range [start, stop) in the core list of the cores of `cell` whose window holds
        `when`: t_core ≥ when and t_core - D < when."""
        start = np.searchsorted(self.ctkey, cell * (len(self.ctimes) + 1)
                                + np.searchsorted(self.ctimes, when, side="left"))
        stop = np.searchsorted(self.clokey, cell * (len(self.clos) + 1)
                               + np.searchsorted(self.clos, when, side="left"))
        return start, np.maximum(stop, start)

    def _across(self, dx: int, dy: int, component: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Links (run of a point, run of a core) between each point and the cores of its
        neighbouring cell at (dx, dy) whose groups hold it; points already in the same
        component (`component` per run) as those cores are skipped."""
        points, cell = self._neighbour(np.arange(self.n), dx, dy)
        start, stop = self._cores_holding(cell, self.t[points])
        width = stop - start
        some = width > 0
        # All cores in one range are in one run (each later one's window holds the earlier).
        some[some] = (component[self.run[points[some]]]
                      != component[self.run[self.cores[start[some]]]])
        points, cell, start, width = points[some], cell[some], start[some], width[some]
        tries = np.minimum(width, PROBES)
        settled = np.zeros(len(points), bool)
        us, vs = [], []
        for k, step in _pairs(np.arange(len(points)), np.zeros(len(points), np.int64), tries):
            c = self.cores[start[k] + step * width[k] // tries[k]]  # spread over the range
            p = points[k]
            hit = np.hypot(self.x[p] - self.x[c], self.y[p] - self.y[c]) <= self.radius
            settled[k[hit]] = True
            us.append(self.run[p[hit]])
            vs.append(self.run[c[hit]])
        rest = np.flatnonzero(~settled & (width > tries))
        rest = rest[np.argsort(cell[rest], kind="stable")]
        _, first = np.unique(cell[rest], return_index=True)
        for mine in np.split(rest, first[1:]) if len(rest) else []:
            lo, hi = start[mine].min(), (start[mine] + width[mine]).max()
            u, v = self._boxes(points[mine], self.cores[lo:hi])
            us.append(u)
            vs.append(v)
        return _distinct(us, vs, len(component))

    def _boxes(self, query: np.ndarray, cores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Links between `query` points and the `cores` (of one cell, in time order) whose
        groups hold them, splitting bounding boxes instead of comparing every pair."""
        x, y, r = self.x, self.y, self.radius
        us, vs = [], []
        stack = [(query, cores)]
        while stack:
            q, c = stack.pop()
            if not len(q) or not len(c):
                continue
            qb = (x[q].min(), x[q].max(), y[q].min(), y[q].max())
            cb = (x[c].min(), x[c].max(), y[c].min(), y[c].max())
            gap = math.hypot(max(cb[0] - qb[1], qb[0] - cb[1], 0.0), max(cb[2] - qb[3], qb[2] - cb[3], 0.0))
            if gap > r * (1 + MARGIN):
                continue
            span = math.hypot(max(cb[1] - qb[0], qb[1] - cb[0]), max(cb[3] - qb[2], qb[3] - cb[2]))
            q_flat, c_flat = qb[0] == qb[1] and qb[2] == qb[3], cb[0] == cb[1] and cb[2] == cb[3]
            if span <= r * (1 - MARGIN) or (q_flat and c_flat and np.hypot(
                    x[q[0]] - x[c[0]], y[q[0]] - y[c[0]]) <= r):
                # Every pair is near: only time decides (cores are in time order).
                first = np.searchsorted(self.t[c], self.t[q], side="left")
                last = np.searchsorted(self.lo[c], self.t[q], side="left")
                hit = first < last
                us.append(self.run[q[hit]])
                vs.append(self.run[c[first[hit]]])
            elif q_flat and c_flat:
                continue  # one place each, beyond R
            elif len(q) * len(c) <= LEAF:
                near = ((np.hypot(x[q][:, None] - x[c][None, :], y[q][:, None] - y[c][None, :]) <= r)
                        & (self.t[c][None, :] >= self.t[q][:, None])
                        & (self.lo[c][None, :] < self.t[q][:, None]))
                hit = near.any(axis=1)
                us.append(self.run[q[hit]])
                vs.append(self.run[c[near[hit].argmax(axis=1)]])
            else:
                # Split the wider box along its longer side (order within each half is kept).
                qw, cw = max(qb[1] - qb[0], qb[3] - qb[2]), max(cb[1] - cb[0], cb[3] - cb[2])
                side, box = (q, qb) if qw >= cw else (c, cb)
                axis = x if box[1] - box[0] >= box[3] - box[2] else y
                low, high = (box[0], box[1]) if axis is x else (box[2], box[3])
                mid = (low + high) / 2
                if not low <= mid < high:
                    mid = low  # adjacent floats: split off the lowest value
                left = axis[side] <= mid
                for half in (side[left], side[~left]):
                    stack.append((half, c) if side is q else (q, half))
        return _distinct(us, vs, int(self.run[-1]) + 1)


def _pairs(points: np.ndarray, start: np.ndarray, length: np.ndarray):
    """(point, candidate) arrays for every candidate in [start, start + length) of each
    point, in chunks of about CHUNK pairs."""
    keep = length > 0
    points, start, length = points[keep], start[keep], length[keep]
    if not len(points):
        return
    total = np.cumsum(length)
    i = 0
    while i < len(points):
        base = total[i - 1] if i else 0
        j = max(i + 1, int(np.searchsorted(total, base + CHUNK, side="right")))
        n = length[i:j]
        offsets = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        yield np.repeat(points[i:j], n), np.repeat(start[i:j], n) + offsets
        i = j


def _distinct(us: list[np.ndarray], vs: list[np.ndarray], runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated links between runs without repeats (a busy cell links the same two often)."""
    if not us:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    key = np.unique(np.concatenate(us).astype(np.int64) * runs + np.concatenate(vs))
    return key // runs, key % runs


def _components(runs: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Component number of every run, given the links."""
    graph = coo_matrix((np.ones(len(u), dtype=np.int8), (u, v)), shape=(runs, runs))
    return connected_components(graph, directed=False)[1]
