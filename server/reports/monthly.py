"""The monthly overview as a two-page PDF: map and table, then trends.

Made with matplotlib (no browser needed), in Dutch, from the same counts as the
team lead's heatmap (`server.stats.store`).

Whole municipality on purpose: the report is made on the command line by whoever
runs the server (beheerder level) for management and council, and holds only
counts per kern and category, never a signal's content, location or author. So it
takes no user and is not limited by the access rule (`signals/access.py`).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no screen

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from shapely.geometry import shape  # noqa: E402

from ..areas.store import AreaCatalog  # noqa: E402
from ..categories.store import list_categories  # noqa: E402
from ..db import Database  # noqa: E402
from ..stats.store import area_counts, week_start  # noqa: E402
from ..timeutil import LOCAL, from_utc_text, utc_text  # noqa: E402

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december"]
COLOURS = ["#deebf7", "#9ecae1", "#4292c6", "#08519c", "#08306b"]
GREY = "#bdbdbd"
MIN_COUNT = 3


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of a month `YYYY-MM` in Dutch time."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValueError(f"month {month!r}: use YYYY-MM, for example 2026-11") from None
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return (datetime.combine(first, time(0), tzinfo=LOCAL),
            datetime.combine(following, time(0), tzinfo=LOCAL))


def _fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.1f}".replace(".", ",")


def _page_map(pdf: PdfPages, db: Database, catalog: AreaCatalog, month: str,
              start: datetime, end: datetime) -> None:
    now = area_counts(db, catalog, "kern", start, end)
    prev_start = (start - timedelta(days=1)).replace(day=1)
    before = {f.id: f.properties.count for f in area_counts(db, catalog, "kern", prev_start, start).features}
    props = [f.properties for f in now.features]
    rated = sorted(p.per_1000 for p in props if p.count >= MIN_COUNT and p.per_1000 is not None)
    breaks = sorted({rated[int(i * len(rated) / 5)] for i in range(1, 5)}) if len(rated) >= 5 else []
    fig = plt.figure(figsize=(8.27, 11.69))  # A4
    year, m = month.split("-")
    fig.suptitle(f"Gebiedsradar — maandoverzicht {MONTHS[int(m) - 1]} {year}", fontsize=16, x=0.07,
                 ha="left", y=0.97)
    fig.text(0.07, 0.925, f"{sum(p.count for p in props)} signalen in {len(props)} kernen;"
             f" {now.outside} buiten de bekende gebieden.\nKleur: signalen per 1.000 inwoners"
             f" (grijs: minder dan {MIN_COUNT} signalen of inwonertal onbekend).", fontsize=8.5)
    ax = fig.add_axes((0.05, 0.45, 0.9, 0.47))
    ax.set_axis_off()
    for f in now.features:
        p = f.properties
        geom = shape(f.geometry)
        if p.count < MIN_COUNT or p.per_1000 is None:
            colour = GREY
        else:
            colour = COLOURS[sum(p.per_1000 >= b for b in breaks) if breaks else 2]
        polys = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        for poly in polys:
            x, y = poly.exterior.xy
            ax.fill(x, y, facecolor=colour, edgecolor="#154273", linewidth=0.8)
        c = geom.representative_point()
        ax.annotate(f"{p.name}\n{p.count}", (c.x, c.y), ha="center", va="center", fontsize=7)
    ax.set_aspect(1 / 0.6057)  # degrees: 1° lon ≈ 0.61° lat here
    legend = [Patch(facecolor=GREY, edgecolor="#154273", label="te weinig / onbekend")]
    edges = [rated[0], *breaks, rated[-1]] if rated else []
    for i in range(len(edges) - 1):
        legend.append(Patch(facecolor=COLOURS[min(i, 4)], edgecolor="#154273",
                            label=f"{_fmt(edges[i])} – {_fmt(edges[i + 1])} per 1.000"))
    ax.legend(handles=legend, loc="lower left", fontsize=7, frameon=False)
    table_ax = fig.add_axes((0.07, 0.04, 0.86, 0.38))
    table_ax.set_axis_off()
    rows = sorted(props, key=lambda p: (-p.count, p.name))
    cells = [[p.name, str(p.count), _fmt(p.per_1000), str(before.get(p.code, 0)),
              f"{p.count - before.get(p.code, 0):+d}"] for p in rows]
    table = table_ax.table(cellText=cells, colLabels=["Kern", "Signalen", "Per 1.000 inw.",
                                                      "Vorige maand", "Verschil"],
                           loc="upper center", cellLoc="left", colLoc="left")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.3)
    pdf.savefig(fig)
    plt.close(fig)


def _page_trends(pdf: PdfPages, db: Database, catalog: AreaCatalog, end: datetime) -> None:
    first_week = week_start(end - timedelta(weeks=26))
    since = datetime.combine(first_week, time(0), tzinfo=LOCAL)
    rows = db.query("SELECT observed_utc, kern_code, category FROM signals WHERE deleted = 0"
                    " AND observed_utc >= ? AND observed_utc < ?", (utc_text(since), utc_text(end)))
    weeks = [first_week + timedelta(weeks=i) for i in range(27) if first_week + timedelta(weeks=i) < end.date()]
    total = Counter(week_start(from_utc_text(r[0])) for r in rows)
    per_kern: dict[str, Counter] = {}
    for r in rows:
        per_kern.setdefault(r[1], Counter())[week_start(from_utc_text(r[0]))] += 1
    names = {a.code: a.name for a in catalog.areas if a.level == "kern"}
    top = sorted(per_kern, key=lambda k: -sum(per_kern[k].values()))[:5]
    fig = plt.figure(figsize=(8.27, 11.69))
    fig.suptitle("Trends: signalen per week, laatste 26 weken", fontsize=14, x=0.07, ha="left", y=0.97)
    ax1 = fig.add_axes((0.1, 0.66, 0.85, 0.26))
    ax1.bar(range(len(weeks)), [total.get(w, 0) for w in weeks], color="#154273")
    ax1.set_title("Alle kernen samen", fontsize=10, loc="left")
    ax1.set_xticks(range(0, len(weeks), 4), [weeks[i].strftime("%d-%m") for i in range(0, len(weeks), 4)],
                   fontsize=7)
    ax1.set_ylabel("signalen per week", fontsize=8)
    ax2 = fig.add_axes((0.1, 0.36, 0.85, 0.24))
    for code in top:
        ax2.plot(range(len(weeks)), [per_kern[code].get(w, 0) for w in weeks], marker=".",
                 label=names.get(code, "buiten de gebieden") if code else "buiten de gebieden")
    ax2.set_title("De vijf kernen met de meeste signalen", fontsize=10, loc="left")
    ax2.set_xticks(range(0, len(weeks), 4), [weeks[i].strftime("%d-%m") for i in range(0, len(weeks), 4)],
                   fontsize=7)
    if top:
        ax2.legend(fontsize=7, frameon=False)
    ax3 = fig.add_axes((0.3, 0.05, 0.65, 0.25))
    category_names = {c.code: c.name for c in list_categories(db)}
    cats = Counter(r[2] for r in rows).most_common(8)
    ax3.barh([category_names.get(c, c) for c, _ in cats][::-1], [n for _, n in cats][::-1],
             color="#4292c6")
    ax3.set_title("Meest genoemde categorieën (26 weken)", fontsize=10, loc="left")
    ax3.tick_params(labelsize=8)
    pdf.savefig(fig)
    plt.close(fig)


def monthly_report(db: Database, catalog: AreaCatalog, month: str, output: Path) -> int:
    """Write the two-page overview of `month` (YYYY-MM) to `output`; returns the page count."""
    start, end = month_bounds(month)
    output.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(output, metadata={"Title": f"Gebiedsradar maandoverzicht {month}",
                                    "Creator": "Gebiedsradar"}) as pdf:
        _page_map(pdf, db, catalog, month, start, end)
        _page_trends(pdf, db, catalog, end)
        return pdf.get_pagecount()
