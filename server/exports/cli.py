"""`gebiedsradar export csv|geojson|open311`: the exports from the command line.

The same code as the API (stream.py, open311.py), as a beheerder sees it (every signal),
written to standard output or a file. Each run is one entry in the audit log under the
operator's name (`beheer:<login>`), like `audit export`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..signals.queries import SignalFilter

STATUSES = ("nieuw", "in_behandeling", "doorgezet", "afgesloten")


def _filter_options(fn: Callable) -> Callable:
    for option in reversed((
        click.option("--since", metavar="DATE", help="Observed on or after this day (YYYY-MM-DD,"
                     " Dutch time) or RFC 3339 time."),
        click.option("--until", metavar="DATE", help="Observed before this time; a day counts"
                     " up to and including that day."),
        click.option("--area", metavar="CODE", help="Only this kern, wijk or buurt (CBS code)."),
        click.option("--category", metavar="CODE", help="Only this category or subcategory."),
        click.option("--status", type=click.Choice(STATUSES), help="Only signals with this status."),
        # Not click.Path(dir_okay=False): a directory is wrong input (exit 1), not wrong usage.
        click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
                     help="File to write (default: standard output)."),
    )):
        fn = option(fn)
    return fn


def _signal_filter(db, since: str | None, until: str | None, area: str | None,
                   category: str | None, status: str | None) -> SignalFilter:
    """The filter from the options; bad input is one line and exit 1."""
    from ..signals.queries import SignalFilter
    from ..timeutil import period_bound

    bounds = {}
    for name, value, end in (("since", since, False), ("until", until, True)):
        if value is not None:
            try:
                bounds[name] = period_bound(value, end=end)
            except ValueError:
                raise click.ClickException(f"--{name} {value!r} is geen datum (JJJJ-MM-DD) of"
                                           " RFC 3339-tijd") from None
    if area is not None and db.query_one("SELECT 1 FROM areas WHERE code = ?", (area,)) is None:
        raise click.ClickException(f"onbekende gebiedscode {area!r} (zie `gebiedsradar areas list`)")
    return SignalFilter(area=area, category=category, status=status, **bounds)


def file_problem(path: Path, error: OSError, *, writing: bool) -> str:
    """A file that cannot be read or written, in Dutch (not the system's English)."""
    if isinstance(error, IsADirectoryError) or path.is_dir():
        return f"{path} is een map, geen bestand"
    if isinstance(error, FileNotFoundError):
        return (f"kan {path} niet schrijven: map {path.parent} bestaat niet" if writing
                else f"bestand niet gevonden: {path}")
    if isinstance(error, PermissionError):
        return f"geen toestemming om {path} te {'schrijven' if writing else 'lezen'}"
    if isinstance(error, NotADirectoryError):
        return f"{path}: een deel van het pad is geen map"
    return f"kan {path} niet {'schrijven' if writing else 'lezen'} (foutcode {error.errno})"


def _write(output: Path | None, chunks: Iterator[bytes]) -> None:
    """Write the chunks to the file (made first, so an unwritable path fails before any work)
    or to standard output."""
    out: IO[bytes]
    if output is None:
        out = sys.stdout.buffer
    else:
        try:
            out = output.open("wb")
        except OSError as e:
            raise click.ClickException(file_problem(output, e, writing=True)) from None
    try:
        for chunk in chunks:
            out.write(chunk)
    finally:
        if output is None:
            out.flush()
        else:
            out.close()


def _signals(obj, fmt: str, since, until, area, category, status, pseudonymised: bool, output) -> None:
    from ..areas.store import AreaCatalog
    from ..privacy.requests import operator
    from ..users.models import User
    from .config import load_config
    from .stream import signal_export

    db = obj.open().db
    flt = _signal_filter(db, since, until, area, category, status)
    if output is not None:
        _check_writable(output)
    export = signal_export(db, AreaCatalog(db), User(username=operator(), role="beheerder"), flt, fmt,
                           pseudonymised=pseudonymised,
                           grid_m=load_config(db.conn).location_rounding_m, username=operator())
    _write(output, export)
    click.echo(f"{export.rows} signalen geëxporteerd naar {output or 'standaarduitvoer'}.", err=True)


def _check_writable(output: Path) -> None:
    """Before any work: a directory or a path in a missing directory is one Dutch line."""
    if output.is_dir():
        raise click.ClickException(f"{output} is een map, geen bestand")
    if not output.parent.is_dir():
        raise click.ClickException(f"kan {output} niet schrijven: map {output.parent} bestaat niet")


@click.command("csv")
@_filter_options
@click.option("--pseudonymised", is_flag=True,
              help="Without description and authors; locations rounded to the Open311 grid"
                   " (100 m unless configured); no location or buurt of signals with personal data.")
@click.pass_obj
def export_csv(obj, since, until, area, category, status, output, pseudonymised) -> None:
    """Signals as CSV for Dutch Excel (UTF-8 with BOM, ';', decimal comma); columns in README."""
    _signals(obj, "csv", since, until, area, category, status, pseudonymised, output)


@click.command("geojson")
@_filter_options
@click.option("--pseudonymised", is_flag=True, help="As for csv.")
@click.pass_obj
def export_geojson(obj, since, until, area, category, status, output, pseudonymised) -> None:
    """Signals as a GeoJSON FeatureCollection (RFC 7946, WGS84); the CSV's columns as properties."""
    _signals(obj, "geojson", since, until, area, category, status, pseudonymised, output)


@click.command("open311")
@_filter_options
@click.pass_obj
def export_open311(obj, since, until, area, category, status, output) -> None:
    """Open311 GeoReport v2 service requests as one JSON array (what requests.json serves, all
    pages, no 90-day default): no signals with personal data, locations rounded."""
    from ..areas.store import AreaCatalog
    from ..audit import audit
    from ..privacy.requests import operator
    from ..users.models import User
    from .config import load_config
    from .open311 import stream_requests
    from .source import read_connection
    from .stream import ACTION, describe

    db = obj.open().db
    flt = _signal_filter(db, since, until, area, category, status)
    if output is not None:
        _check_writable(output)
    who = operator()
    counter = [0]
    conn = read_connection(db.path)
    try:
        _write(output, stream_requests(conn, AreaCatalog(db), User(username=who, role="beheerder"),
                                       flt, load_config(db.conn), counter))
    finally:
        conn.close()
    with db.transaction() as tx:
        audit(tx, who, ACTION, describe("open311", flt, False, counter[0]))
    click.echo(f"{counter[0]} Open311-verzoeken geëxporteerd naar {output or 'standaarduitvoer'}.",
               err=True)


COMMANDS = (export_csv, export_geojson, export_open311)
