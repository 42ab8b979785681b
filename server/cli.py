"""The `gebiedsradar` command line.

Every command that opens a database first brings it to the current schema and
loads the default areas and categories when it holds none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .settings import Settings

if TYPE_CHECKING:
    from .db import Database

DB_HELP = "SQLite database file (env GEBIEDSRADAR_DB)."


class Context:
    def __init__(self, db_path: Path):
        self.db_path = db_path
        self._opened = None

    @property
    def settings(self) -> Settings:
        return Settings.from_env(db_path=self.db_path)

    def open(self):
        if self._opened is None:
            from .bootstrap import open_database

            self._opened = open_database(self.settings)
        return self._opened


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default="data/gebiedsradar.db", envvar="GEBIEDSRADAR_DB", show_default=True,
              help=DB_HELP)
@click.version_option(package_name="gebiedsradar")
@click.pass_context
def cli(ctx: click.Context, db_path: Path) -> None:
    """Gebiedsradar: signals of gebiedsregisseurs, grouped by kern, wijk and buurt."""
    ctx.obj = Context(db_path)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              envvar="PORT", help="Port to listen on (env PORT).")
@click.option("--demo", is_flag=True, help="Add demo users and signals (never in production).")
@click.pass_obj
def serve(obj: Context, host: str, port: int, demo: bool) -> None:
    """Serve the app and the API; initialise the database on first start.

    While it runs it holds a shared lock on `<database>.lock`, so `restore` refuses to
    replace the database under it.
    """
    from .db_lock import DatabaseBusy, serving

    try:
        with serving(obj.db_path):
            _serve(obj, host, port, demo)
    except DatabaseBusy as e:
        raise click.ClickException(str(e)) from None


def _serve(obj: Context, host: str, port: int, demo: bool) -> None:
    import uvicorn

    from .app import create_app

    app = create_app(obj.settings)
    if demo:
        from .demo import DEMO_USERS, load_demo

        added = load_demo(app.state.db, app.state.areas)
        if added:
            click.echo(f"Demo: {added} signals added.")
    click.echo(f"Gebiedsradar on http://{host}:{port}  (database {obj.db_path})")
    if demo:
        click.echo("Demo log-ins (username / password):")
        for username, role, _, password in DEMO_USERS:
            click.echo(f"  {username:<11} / {password:<16} {role}")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


@cli.group()
def users() -> None:
    """Manage users."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True,
              type=click.Choice(["gebiedsregisseur", "teamleider", "beheerder"]),
              help="What the user may do.")
@click.option("--area", "areas", multiple=True, metavar="CODE",
              help="Area code (kern, wijk or buurt) the user covers; repeat for more.")
@click.option("--all-areas", is_flag=True,
              help="The user sees the signals of every area (a beheerder always does). Without"
                   " it and without --area a user sees only the signals they made.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password from standard input (first line).")
@click.option("--replace", is_flag=True, help="Overwrite an existing user.")
@click.pass_obj
def users_add(obj: Context, name: str, role: str, areas: tuple[str, ...], all_areas: bool,
              password_stdin: bool, replace: bool) -> None:
    """Add a user NAME with a role and their areas (or --all-areas)."""
    from .users.store import UserError, add_user

    if all_areas and areas:
        raise click.UsageError("kies --all-areas of --area, niet allebei")
    password = _read_password()
    opened = obj.open()
    known = {r["code"] for r in opened.db.query("SELECT code FROM areas")}
    unknown = [a for a in areas if a not in known]
    if unknown:
        raise click.ClickException(f"unknown area code(s): {', '.join(unknown)}"
                                   " (see `gebiedsradar areas list`)")
    try:
        user = add_user(opened.db, name, password, role, list(areas), replace=replace,
                        all_areas=all_areas)
    except UserError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"User {user.username} ({user.role}) added"
               + (f" for {', '.join(user.areas)}." if user.areas
                  else " for all areas." if user.all_areas or user.role == "beheerder"
                  else " without areas: sees only the signals they made."))


def _read_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("geen wachtwoord op standaardinvoer")
    return password


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True,
              help="Read the new password from standard input (first line); the default.")
@click.pass_obj
def users_passwd(obj: Context, name: str, password_stdin: bool) -> None:
    """Give user NAME a new password (first line of standard input); ends their sessions."""
    from .users.accounts import set_password

    password = _read_password()
    _account_change(obj, lambda db: set_password(db, name, password),
                    f"Wachtwoord van {name} gewijzigd; de gebruiker is op alle apparaten uitgelogd.")


def _account_change(obj: Context, change: Callable[[Database], object], done: str) -> None:
    """Run a change to one account; its refusal (unknown user, weak password) is one line."""
    from .users.store import UserError

    try:
        change(obj.open().db)
    except UserError as e:
        raise click.ClickException(str(e)) from None
    click.echo(done)


@users.command("disable")
@click.argument("name")
@click.pass_obj
def users_disable(obj: Context, name: str) -> None:
    """Block user NAME: no more log-ins, and every session ends at once."""
    from .users.accounts import disable

    _account_change(obj, lambda db: disable(db, name), f"Gebruiker {name} geblokkeerd; alle sessies zijn beëindigd.")


@users.command("enable")
@click.argument("name")
@click.pass_obj
def users_enable(obj: Context, name: str) -> None:
    """Unblock user NAME (log in again with the same password)."""
    from .users.accounts import enable

    _account_change(obj, lambda db: enable(db, name), f"Gebruiker {name} kan weer inloggen.")


@users.command("list")
@click.pass_obj
def users_list(obj: Context) -> None:
    """List users with role, areas ('*': all areas, '-': only their own signals) and
    'geblokkeerd' for a disabled account."""
    from .users.store import list_accounts

    for u, active in list_accounts(obj.open().db):
        every = u.all_areas or u.role == "beheerder"
        state = "" if active else "\tgeblokkeerd"
        click.echo(f"{u.username}\t{u.role}\t{'*' if every else ','.join(u.areas) or '-'}{state}")


@cli.group()
def areas() -> None:
    """Areas (kern, wijk, buurt)."""


@areas.command("list")
@click.option("--level", type=click.Choice(["kern", "wijk", "buurt"]), help="Only this level.")
@click.pass_obj
def areas_list(obj: Context, level: str | None) -> None:
    """List area codes, names and inhabitants."""
    db = obj.open().db
    rows = db.query("SELECT code, name, level, inhabitants FROM areas"
                    + (" WHERE level = ?" if level else "") + " ORDER BY level, code",
                    (level,) if level else ())
    for r in rows:
        click.echo(f"{r['code']}\t{r['level']}\t{r['name']}\t{r['inhabitants'] or ''}")


@areas.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--municipality", "municipalities", multiple=True, metavar="GMxxxx",
              help="CBS code of a municipality to import (repeat for more); default: all in the file.")
@click.option("--kernen", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Separate file with kern polygons (columns kerncode/woonplaatscode and"
                   " kernnaam/woonplaatsnaam); default: each wijk is a kern.")
@click.pass_obj
def areas_import(obj: Context, path: Path, municipalities: tuple[str, ...],
                 kernen: Path | None) -> None:
    """Import a CBS Wijk- en Buurtkaart (GeoPackage, GeoJSON or shapefile, any CRS).

    Replaces the areas of those municipalities (and the bundled defaults) in one
    transaction and re-assigns every signal; prints how many changed area.
    """
    from geo.boundaries import BoundaryError, read_boundaries

    from .areas.importer import import_boundaries
    from .areas.store import AreaCatalog
    from .signals.service import SignalService

    for code in municipalities:
        if not (len(code) == 6 and code[:2].upper() == "GM" and code[2:].isdigit()):
            raise click.BadParameter(f"{code!r} is not a CBS municipality code like GM0171",
                                     param_hint="--municipality")
    try:
        boundaries = read_boundaries(path, list(municipalities), kernen)
    except BoundaryError as e:
        raise click.ClickException(str(e)) from None
    db = obj.open().db
    report = import_boundaries(SignalService(db, AreaCatalog(db)), boundaries)
    c = report.counts
    click.echo(f"Imported {', '.join(report.municipalities)}: {c['kern']} kernen"
               f" (from {report.kern_source}), {c['wijk']} wijken, {c['buurt']} buurten"
               f"{f', {report.water} water areas' if report.water else ''}"
               f"{'; bundled default areas replaced' if report.replaced_defaults else ''}.")
    click.echo(f"Signals: {report.signals_checked} checked, {report.signals_changed} changed area.")


@areas.command("locate")
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
@click.pass_obj
def areas_locate(obj: Context, lat: float, lon: float, as_json: bool) -> None:
    """Print the kern, wijk and buurt of the point LAT LON (WGS84 degrees)."""
    import msgspec

    from .areas.store import AreaCatalog

    if not -90 <= lat <= 90:
        raise click.ClickException(f"latitude {lat} is outside -90..90")
    if not -180 <= lon <= 180:
        raise click.ClickException(f"longitude {lon} is outside -180..180")
    located = AreaCatalog(obj.open().db).locate(lat, lon)
    if as_json:
        click.echo(msgspec.json.encode(located).decode())
        return
    for level in ("kern", "wijk", "buurt"):
        ref = getattr(located, level)
        click.echo(f"{level}: {f'{ref.name} ({ref.code})' if ref else '-'}")


@cli.group()
def attachments() -> None:
    """Photos."""


@attachments.command("clean")
@click.pass_obj
def attachments_clean(obj: Context) -> None:
    """Strip metadata from photos stored before uploads were cleaned (run once after upgrading).

    Every photo uploaded now is decoded and encoded again without EXIF (GPS, camera);
    this does the same for the ones already stored, in place, and removes a stored file
    that is no image at all. Safe to run again (and while serving).
    """
    from .attachments.store import clean_stored

    checked, cleaned, removed = clean_stored(obj.open().db, obj.settings.attachments_dir)
    click.echo(f"{checked} photos checked: {cleaned} cleaned of metadata, {removed} that were"
               " no image removed.")


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(obj: Context, path: Path) -> None:
    """Copy the database to PATH with SQLite's online backup (safe while serving).

    Photos live as files next to the database (`attachments/`); copy that folder
    too. Restore with `gebiedsradar restore PATH`.
    """
    from .backup import backup_database

    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file")
    pages = backup_database(obj.open().db, path)
    click.echo(f"Backup of {obj.db_path} written to {path} ({pages} pages).")


@cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask; replace the database.")
@click.pass_obj
def restore(obj: Context, path: Path, yes: bool) -> None:
    """Replace the database with the backup PATH and start a new server epoch.

    Stop the server first: while one serves the database, restore refuses, as it does
    for a file that is not a Gebiedsradar database; then nothing is changed. Devices see
    the new epoch at their next sync, push again what the server no longer has, and
    pull everything from the start.
    """
    from .backup import RestoreRefused, restore_database

    if not yes:
        click.confirm(f"Replace {obj.db_path} with {path}?", abort=True)
    try:
        epoch = restore_database(path, obj.db_path)
    except RestoreRefused as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Restored {obj.db_path} from {path}; new server epoch {epoch}.")


@cli.group()
def alerts() -> None:
    """Early warning."""


@alerts.command("detect")
@click.option("--at", "at", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None,
              help="Detect as of this moment (local time, Europe/Amsterdam) instead of now,"
                   " e.g. to look back at a past week.")
@click.option("--false-alarms", type=click.FloatRange(min=0, min_open=True), default=None,
              help="False alarms per kern per year the statistical methods aim at"
                   " [default: GEBIEDSRADAR_FALSE_ALARMS or 1].")
@click.pass_obj
def alerts_detect(obj: Context, at: datetime | None, false_alarms: float | None) -> None:
    """Run the three early-warning methods and store alerts (running it twice adds nothing).

    \b
    basislijn  per kern and category, the last 7 and 14 days against a
               baseline with trend and season (quasi-Poisson GLM)
    scan       space-time clusters across kern borders (permutation scan)
    regel      at least 4 signals of one kind within 300 m and 14 days

    A part that fails (one category, one kern) is one line on stderr and the
    rest still runs; the exit status is 1 only when every part failed.
    """
    from zoneinfo import ZoneInfo

    from .alerts.detect import DetectionSettings, detect
    from .alerts.store import list_alerts
    from .areas.store import AreaCatalog
    from .users.models import User

    target = false_alarms or obj.settings.false_alarms_per_area_year
    moment = at.replace(tzinfo=ZoneInfo("Europe/Amsterdam")) if at else None
    db = obj.open().db
    catalog = AreaCatalog(db)
    run = detect(db, catalog, moment, DetectionSettings(target))
    touched = set(run.alert_ids)
    found = [a for a in list_alerts(db, catalog, User(username="cli", role="beheerder"), None)
             if a.id in touched]
    click.echo(f"{len(found)} alert(s) from this run.")
    for a in found:
        click.echo(f"  [{a.status}] {a.title}")
    # One line per failed unit; the exit status is 1 only when nothing could run.
    for f in run.failures:
        click.echo(f"gebiedsradar: waarschuwing: detectie mislukt: {f.describe()}", err=True)
    if run.skipped:
        click.echo(f"gebiedsradar: waarschuwing: {run.skipped} signaal/signalen overgeslagen:"
                   " waarnemingstijd onleesbaar of voor 2000", err=True)
    if run.all_failed:
        raise click.ClickException(f"alle {run.units} onderdelen van de detectie mislukten")


@cli.command("report")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to report on, e.g. 2026-11.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="PDF file to write.")
@click.pass_obj
def report(obj: Context, month: str, output: Path) -> None:
    """Write the monthly overview for management as a two-page PDF (map, table, trends)."""
    from .areas.store import AreaCatalog
    from .reports.monthly import month_bounds, monthly_report

    try:
        month_bounds(month)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--month") from None
    db = obj.open().db
    pages = monthly_report(db, AreaCatalog(db), month, output)
    click.echo(f"Monthly overview {month} written to {output} ({pages} pages).")


@cli.command("init")
@click.option("--demo", is_flag=True, help="Also add demo users and signals.")
@click.pass_obj
def init(obj: Context, demo: bool) -> None:
    """Create or upgrade the database and load the defaults (no server)."""
    opened = obj.open()
    click.echo(f"Database {obj.db_path}: migrations run: {', '.join(opened.migrations_run) or 'none'};"
               f" default areas added: {opened.areas_loaded}; categories added:"
               f" {opened.categories_loaded}.")
    if demo:
        from .areas.store import AreaCatalog
        from .demo import load_demo

        click.echo(f"Demo signals added: {load_demo(opened.db, AreaCatalog(opened.db))}.")


@cli.group("audit")
def audit_group() -> None:
    """The audit log (BIO): verify its hash chain, export it."""


@audit_group.command("verify")
@click.pass_obj
def audit_verify(obj: Context) -> None:
    """Check the hash chain of the audit log; exit 1 at the first broken row."""
    from .audit.chain import verify

    verdict = verify(obj.open().db.conn)
    if not verdict.ok:
        raise click.ClickException(f"audit log broken at row {verdict.broken_id}: {verdict.reason}"
                                   f" ({verdict.checked} rows before it are intact)")
    click.echo(f"Audit log intact: {verdict.checked} rows verified.")


@audit_group.command("export")
@click.option("--since", required=True, metavar="DATE",
              help="First day (YYYY-MM-DD, Europe/Amsterdam) or RFC 3339 time to export from.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (default: standard output).")
@click.pass_obj
def audit_export(obj: Context, since: str, output: Path | None) -> None:
    """Write audit entries from --since as JSON lines (ids and actions, never content)."""
    import json

    from .audit import audit
    from .audit.chain import rows_since
    from .params import period_param
    from .privacy.requests import operator
    from .timeutil import utc_text

    try:
        start = period_param("since", since, end=False)
    except Exception:
        raise click.BadParameter(f"{since!r} is geen datum (JJJJ-MM-DD) of RFC 3339-tijd",
                                 param_hint="--since") from None
    conn = obj.open().db.conn
    rows = rows_since(conn, utc_text(start))
    if output is None:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        try:
            out = output.open("w", encoding="utf-8")
        except OSError as e:
            raise click.ClickException(f"kan {output} niet schrijven: {e.strerror}") from None
        with out:
            n = sum(out.write(json.dumps(row, ensure_ascii=False) + "\n") > 0 for row in rows)
        click.echo(f"{n} audit entries written to {output}.")
    audit(conn, operator(), "audit_export", utc_text(start))  # after: not in its own export


@cli.group()
def export() -> None:
    """Hand signals on: open formats (CSV, GeoJSON, Open311) and the case system (ZGW)."""


def _add_export_commands() -> None:
    from .exports.cli import COMMANDS

    for command in COMMANDS:
        export.add_command(command)


_add_export_commands()


def _add_zgw_commands() -> None:
    from .zgw.cli import zgw_group

    export.add_command(zgw_group)


_add_zgw_commands()


@cli.group()
def retention() -> None:
    """Retention periods (Archiefwet, AVG): destroy what is past its term."""


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="Only count what each rule would destroy.")
@click.pass_obj
def retention_run(obj: Context, dry_run: bool) -> None:
    """Apply the retention rules now (the server also does this daily); prints a count per rule."""
    from . import retention as rules

    results = rules.run(obj.open().db, obj.settings, dry_run=dry_run)
    for r in results:
        click.echo(f"{r.rule:<17} {r.count:>7} {r.kind} ({r.term})")
    click.echo("Dry run: nothing changed." if dry_run else "Destruction recorded in destruction_log.")


@cli.group()
def privacy() -> None:
    """Requests of residents under the AVG (art. 15 inzage, art. 17 verwijdering)."""


@privacy.command("find")
@click.argument("text")
@click.pass_obj
def privacy_find(obj: Context, text: str) -> None:
    """List signals whose description (now or in an earlier version) and kwesties whose title or
    description mention TEXT: id, date, kern, status, where, excerpt."""
    from .privacy.requests import find

    try:
        matches = find(obj.open().db, text)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    for m in matches:
        click.echo(f"{m.signal_id}\t{m.observed_at}\t{m.kern}\t{m.status}\t{', '.join(m.places)}"
                   f"\t{m.excerpt}")
    click.echo(f"{len(matches)} signal(s) or kwestie(s) found.", err=True)


@privacy.command("erase")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def privacy_erase(obj: Context, ids: tuple[str, ...], yes: bool) -> None:
    """Remove the personal data of the signals ID… (description, location, photos, versions)
    and kwesties ID… (title and description)."""
    from .privacy.requests import erase, unknown_ids

    db = obj.open().db
    if unknown := unknown_ids(db, ids):  # before asking: a typo must not look like a done erasure
        raise click.ClickException(f"onbekend signaal: {', '.join(unknown)}; er is niets verwijderd")
    if not yes:
        click.confirm(f"Remove the personal data of {len(ids)} signal(s) or kwestie(s)?", abort=True)
    try:
        done = erase(db, list(ids), obj.settings.attachments_dir)
    except ValueError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Personal data removed from {done.signals} signal(s), {done.photos} photo(s) deleted"
               + (f", {done.kwesties} kwestie text(s) blanked" if done.kwesties else "")
               + (f"; {done.already} had none left." if done.already else "."))


def main(argv: list[str] | None = None) -> None:
    """Entry point: errors are one line on stderr; exit 1 for bad input, 2 for bad usage."""
    prog = "gebiedsradar"
    try:
        cli.main(args=argv, prog_name=prog, standalone_mode=False)
    except click.UsageError as e:
        sub = e.ctx.command_path.split(" ", 1)[1] + " " if e.ctx and " " in e.ctx.command_path else ""
        hint = f" (see '{prog} {sub}--help')"
        click.echo(f"{prog}: error: {e.format_message()}{hint}", err=True)
        sys.exit(2)
    except click.ClickException as e:
        click.echo(f"{prog}: error: {e.format_message()}", err=True)
        sys.exit(1)
    except click.exceptions.Abort:
        click.echo(f"{prog}: aborted", err=True)
        sys.exit(1)
    except (OSError, ValueError) as e:
        click.echo(f"{prog}: error: {e}", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main(os.sys.argv[1:])
