"""Reading official boundaries: the CBS Wijk- en Buurtkaart and files shaped like it.

Accepts a GeoPackage (CBS layers `gemeenten`, `wijken`, `buurten`), GeoJSON or a
shapefile, in any CRS (CBS ships EPSG:28992); column names of the GeoPackage
editions (`wijkcode`, `buurtnaam`, `aantal_inwoners`, `water` …) and of the
older shapefile editions (`WK_CODE`, `BU_NAAM`, `AANT_INW`, `WATER` …).
Geometry is reprojected to WGS84 and repaired with `make_valid`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from .areas import Area

# Older CBS shapefile names → the GeoPackage names.
COLUMN_ALIASES = {
    "bu_code": "buurtcode", "bu_naam": "buurtnaam", "wk_code": "wijkcode", "wk_naam": "wijknaam",
    "gm_code": "gemeentecode", "gm_naam": "gemeentenaam", "aant_inw": "aantal_inwoners",
    "statcode": None, "statnaam": None,
}
LEVEL_COLUMNS = {
    "buurt": ("buurtcode", "buurtnaam"),
    "wijk": ("wijkcode", "wijknaam"),
    "gemeente": ("gemeentecode", "gemeentenaam"),
}
KERN_CODE_COLUMNS = ("kerncode", "woonplaatscode", "identificatie", "code")
KERN_NAME_COLUMNS = ("kernnaam", "woonplaatsnaam", "woonplaats", "naam", "name")
SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".zip"}


class BoundaryError(ValueError):
    """A boundary file that cannot be imported, with the reason in one line."""


@dataclass
class Boundaries:
    """What a file holds, per level, for the chosen municipalities."""

    areas: list[Area] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)
    kern_source: str = "wijk"

    def count(self, level: str) -> int:
        return sum(1 for a in self.areas if a.level == level)


def _normalise_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    renamed = {}
    for col in frame.columns:
        if col == frame.geometry.name:
            continue
        low = col.lower()
        alias = COLUMN_ALIASES.get(low, low)
        if alias:
            renamed[col] = alias
    return frame.rename(columns=renamed)


def _read(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as e:  # pyogrio raises several kinds for unreadable files
        raise BoundaryError(f"cannot read {path.name}{f' layer {layer}' if layer else ''}:"
                            f" {str(e).splitlines()[0]}") from None
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            frame = frame.set_crs(4326)  # RFC 7946 GeoJSON carries no CRS: it is WGS84
        else:
            raise BoundaryError(f"{path.name} has no coordinate reference system")
    return _normalise_columns(frame)


def _layers(path: Path) -> dict[str, gpd.GeoDataFrame]:
    """The gemeente/wijk/buurt layers of a file, keyed by level."""
    if path.suffix.lower() not in SUFFIXES:
        raise BoundaryError(f"{path.name}: use a GeoPackage (.gpkg), GeoJSON or shapefile (.shp)")
    if not path.exists():
        raise BoundaryError(f"{path} does not exist")
    frames: list[gpd.GeoDataFrame] = []
    if path.suffix.lower() == ".gpkg":
        try:
            names = [str(n) for n, _ in pyogrio.list_layers(path)]
        except Exception as e:
            raise BoundaryError(f"cannot read {path.name}: {str(e).splitlines()[0]}") from None
        for name in names:
            low = name.lower()
            if any(word in low for word in ("buurt", "wijk", "gemeente")):
                frames.append(_read(path, name))
        if not frames:
            raise BoundaryError(f"{path.name} has no layer named like gemeenten, wijken or buurten"
                                f" (layers: {', '.join(names) or 'none'})")
    else:
        frames.append(_read(path))
    by_level: dict[str, gpd.GeoDataFrame] = {}
    for frame in frames:
        level = next((lvl for lvl, (code, _) in LEVEL_COLUMNS.items() if code in frame.columns), None)
        if level is None:
            continue
        if level in by_level:
            by_level[level] = pd.concat([by_level[level], frame], ignore_index=True)
        else:
            by_level[level] = frame
    if "wijk" not in by_level and "buurt" not in by_level:
        raise BoundaryError(f"{path.name} lacks the CBS columns: expected wijkcode/wijknaam or"
                            " buurtcode/buurtnaam (or WK_CODE/BU_CODE)")
    return by_level


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Valid polygonal geometry, or None when nothing polygonal is left."""
    if geom is None or geom.is_empty:
        return None
    geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(parts) if parts else None
    if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return geom


def _inhabitants(value) -> int | None:
    # CBS marks secret or unknown figures with large negative numbers (-99999997 …).
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n >= 0 else None


def _is_water(value) -> bool:
    return str(value).strip().upper() in ("JA", "J", "1", "TRUE", "YES")


def _kern_name(wijknaam: str) -> str:
    # CBS wijk names in Noordoostpolder read "Wijk 04 Marknesse": the kern is the rest.
    parts = str(wijknaam).split(" ", 2)
    if len(parts) == 3 and parts[0].lower() == "wijk" and parts[1].isdigit():
        return parts[2]
    return str(wijknaam)


def _check_columns(frame: gpd.GeoDataFrame, level: str, path: Path) -> None:
    needed = [*LEVEL_COLUMNS[level], "gemeentecode"]
    if level == "buurt":
        needed.append("wijkcode")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise BoundaryError(f"{path.name}: the {level} layer lacks column(s) {', '.join(missing)}")


def read_boundaries(path: Path | str, municipalities: list[str] | None = None,
                    kernen: Path | str | None = None) -> Boundaries:
    """Read wijken and buurten (and kernen) of the given municipalities from a file."""
    path = Path(path)
    layers = _layers(path)
    wanted = [m.upper() for m in municipalities or []]
    result = Boundaries()
    found_codes: set[str] = set()
    for level in ("wijk", "buurt"):
        frame = layers.get(level)
        if frame is None:
            continue
        _check_columns(frame, level, path)
        frame["gemeentecode"] = frame["gemeentecode"].astype(str).str.upper()
        found_codes |= set(frame["gemeentecode"])
        if wanted:
            frame = frame[frame["gemeentecode"].isin(wanted)]
        if frame.empty:
            continue
        frame = frame.to_crs(4326)
        code_col, name_col = LEVEL_COLUMNS[level]
        for row in frame.itertuples(index=False):
            geom = _polygonal(getattr(row, frame.geometry.name))
            if geom is None:
                continue
            code = str(getattr(row, code_col))
            parent = str(row.wijkcode) if level == "buurt" else str(row.gemeentecode)
            area = Area(code=code, name=str(getattr(row, name_col)), level=level,
                        municipality=str(row.gemeentecode),
                        inhabitants=_inhabitants(getattr(row, "aantal_inwoners", None)),
                        parent_code=parent, geometry=geom,
                        water=_is_water(getattr(row, "water", "NEE")))
            result.areas.append(area)
    if not result.areas:
        which = ", ".join(wanted) if wanted else "any municipality"
        seen = ", ".join(sorted(found_codes)[:8]) or "none"
        raise BoundaryError(f"{path.name} has no wijken or buurten of {which} (it holds: {seen})")
    if wanted:
        missing = sorted(set(wanted) - {a.municipality for a in result.areas})
        if missing:
            raise BoundaryError(f"{path.name} has no wijken or buurten of {', '.join(missing)}")
    result.municipalities = sorted({a.municipality for a in result.areas})
    if "wijk" not in layers:
        result.areas.extend(_wijken_from_buurten(result.areas))
    result.areas.extend(_kernen(result, Path(kernen) if kernen else None))
    return result


def _wijken_from_buurten(areas: list[Area]) -> list[Area]:
    """A file with only buurten: each wijk is the union of its buurten."""
    groups: dict[str, list[Area]] = {}
    for a in areas:
        if a.level == "buurt":
            groups.setdefault(a.parent_code or "", []).append(a)
    wijken = []
    for code, buurten in groups.items():
        land = [b for b in buurten if not b.water]
        people = [b.inhabitants for b in buurten]
        wijken.append(Area(code=code, name=code, level="wijk", municipality=buurten[0].municipality,
                           inhabitants=sum(people) if all(p is not None for p in people) else None,
                           parent_code=buurten[0].municipality,
                           geometry=shapely.union_all([b.geometry for b in buurten]),
                           water=not land))
    return wijken


def _kernen(result: Boundaries, kernen: Path | None) -> list[Area]:
    """Kern areas: from a separate file when given, else one per (land) wijk."""
    if kernen is None:
        result.kern_source = "wijk"
        return [
            Area(code=w.code, name=_kern_name(w.name), level="kern", municipality=w.municipality,
                 inhabitants=w.inhabitants, parent_code=w.municipality, geometry=w.geometry)
            for w in result.areas
            if w.level == "wijk" and not w.water
        ]
    frame = _read(kernen)
    code_col = next((c for c in KERN_CODE_COLUMNS if c in frame.columns), None)
    name_col = next((c for c in KERN_NAME_COLUMNS if c in frame.columns), None)
    if code_col is None or name_col is None:
        raise BoundaryError(f"{kernen.name} needs a code column ({', '.join(KERN_CODE_COLUMNS)})"
                            f" and a name column ({', '.join(KERN_NAME_COLUMNS)})")
    frame = frame.to_crs(4326)
    land = shapely.union_all([a.geometry for a in result.areas if a.level == "wijk" and not a.water])
    out = []
    for row in frame.itertuples(index=False):
        geom = _polygonal(getattr(row, frame.geometry.name))
        if geom is None or not geom.intersects(land):
            continue  # a kern of a municipality that was not imported
        rep = geom.representative_point()
        owner = next((a.municipality for a in result.areas
                      if a.level == "wijk" and a.geometry.contains(rep)), result.municipalities[0])
        out.append(Area(code=str(getattr(row, code_col)), name=str(getattr(row, name_col)),
                        level="kern", municipality=owner,
                        inhabitants=_inhabitants(getattr(row, "aantal_inwoners", None)),
                        parent_code=owner, geometry=geom))
    result.kern_source = kernen.name
    if not out:
        raise BoundaryError(f"{kernen.name} has no kern inside the imported municipalities")
    return out
