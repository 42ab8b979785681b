"""`gebiedsradar export zgw …`: configure the case system, check its catalogue, poll the open
zaken, send what waits and show the outbox. Thin over the package; messages in Dutch."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import msgspec


@contextmanager
def _runtime(ctx: click.Context):
    """The ZGW runtime over the command's database (signal writes in their own transactions),
    stopped at the end (its connection pool closed)."""
    from ..areas.store import AreaCatalog
    from ..signals.service import SignalService
    from .runtime import ZgwRuntime

    db = ctx.obj.open().db
    signals = SignalService(db, AreaCatalog(db))

    def write(job) -> Any:
        with signals.writing() as w:
            return job(w)

    runtime = ZgwRuntime(db, ctx.obj.settings, write)
    try:
        yield db, runtime
    finally:
        runtime.stop()


@contextmanager
def _config_or_fail(db):
    from . import config as zgw_config

    config = zgw_config.load(db.conn)
    if config is None:
        raise click.ClickException("ZGW is niet ingesteld: gebruik eerst"
                                   " 'gebiedsradar export zgw config BESTAND.json'")
    yield config


_AT = re.compile(r"^(.*?)(?: - at `\$\.?([^`]*)`)?$", re.S)
_TYPES = {"object": "een object ({…})", "array": "een lijst ([…])", "str": "tekst",
          "int": "een geheel getal", "float": "een getal", "bool": "true of false",
          "null": "null"}
#: msgspec's messages (the ones a configuration file can meet) in Dutch.
_REASONS = (
    (re.compile(r"^Expected `([^`]+)`, got `([^`]+)`$"),
     lambda m: f"moet {_type(m[1])} zijn, niet {_type(m[2])}"),
    (re.compile(r"^Expected `str` of length >= (\d+)$"),
     lambda m: "mag niet leeg zijn" if m[1] == "1" else f"minstens {m[1]} tekens"),
    (re.compile(r"^Expected `str` of length <= (\d+)$"), lambda m: f"hoogstens {m[1]} tekens"),
    (re.compile(r"^Expected `(?:array|object)` of length <= (\d+)$"),
     lambda m: f"hoogstens {m[1]} elementen"),
    (re.compile(r"^Expected `(?:int|float)` >= (\S+)$"), lambda m: f"moet minstens {m[1]} zijn"),
    (re.compile(r"^Expected `(?:int|float)` <= (\S+)$"), lambda m: f"moet hoogstens {m[1]} zijn"),
    (re.compile(r"^Expected `str` matching regex .*$", re.S),
     lambda m: "heeft niet de juiste vorm"),
    (re.compile(r"^Invalid enum value (.+)$"), lambda m: f"ongeldige waarde {m[1]}"),
    (re.compile(r"^Object contains unknown field `([^`]+)`$"),
     lambda m: f"onbekend veld `{m[1]}`"),
)


def _type(name: str) -> str:
    return " of ".join(_TYPES.get(t.strip(), t.strip()) for t in name.split("|"))


def dutch_validation(message: str) -> str:
    """One of msgspec's validation errors as one Dutch phrase naming the field, e.g.
    "Expected `array`, got `object` - at `$.mappings`" → "mappings: moet een lijst ([…])
    zijn, niet een object ({…})" (field names as the API's 422 answers give them)."""
    from ..validation import field_issue

    text, path = _AT.match(message).groups()  # type: ignore[union-attr]
    issue = field_issue(text, path or "", "")
    reason = issue.reason
    for pattern, say in _REASONS:
        if m := pattern.match(reason):
            reason = say(m)
            break
    return f"{issue.name}: {reason}" if issue.name else f"de inhoud {reason}"


def _where(message: str) -> str:
    """Where msgspec found the JSON broken, in Dutch (" (bij byte 12)" or "")."""
    if "truncated" in message:
        return " (het bestand is leeg of houdt halverwege op)"
    m = re.search(r"\(byte (\d+)\)", message)
    return f" (fout bij byte {m[1]})" if m else ""


@click.group("zgw")
def zgw_group() -> None:
    """The case system (ZGW Zaken, Documenten and Catalogi API): configure, check, poll."""


@zgw_group.command("config")
# Not click.Path(dir_okay=False): a directory is wrong input, said in Dutch (exit 1).
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def zgw_config_command(ctx: click.Context, file: Path) -> None:
    """Check and store the ZGW configuration in FILE (JSON, as PUT /export/zgw/config takes it);
    a file without "secret" keeps the stored secret."""
    from ..audit import audit
    from ..categories.store import category_tree
    from ..errors import DomainError
    from ..exports.cli import file_problem
    from ..privacy.requests import operator
    from . import config as zgw_config
    from .models import ZgwConfigIn

    try:
        raw = file.read_bytes()
    except OSError as e:
        raise click.ClickException(file_problem(file, e, writing=False)) from None
    try:
        data = msgspec.json.decode(raw, type=ZgwConfigIn)
    except msgspec.ValidationError as e:
        raise click.ClickException(f"{file}: {dutch_validation(str(e))}") from None
    except msgspec.DecodeError as e:
        raise click.ClickException(f"{file} is geen geldige JSON{_where(str(e))}") from None
    db = ctx.obj.open().db
    old = zgw_config.load(db.conn)
    try:
        checked = zgw_config.check(data, category_tree(db.conn), old.secret if old else None)
        checked = msgspec.structs.replace(
            checked, notificaties=zgw_config.merged_notificaties(checked.notificaties, old))
    except DomainError as e:
        fields = "; ".join(f"{i.name}: {i.reason}" for i in e.errors)
        raise click.ClickException(f"{file}: {fields or e.detail}") from None
    with db.transaction() as conn:
        zgw_config.store(conn, checked, operator())
        audit(conn, operator(), "zgw_config", "zgw")
    cats = ", ".join(m.category for m in checked.mappings)
    click.echo(f"ZGW ingesteld: zaken-API {checked.zaken_api}, client_id {checked.client_id},"
               f" RSIN {checked.rsin}, {len(checked.mappings)} koppeling(en) ({cats}),"
               f" secret {'nieuw opgeslagen' if data.secret else 'ongewijzigd'}.")


@zgw_group.command("check")
@click.pass_context
def zgw_check(ctx: click.Context) -> None:
    """Read the Catalogi API: per mapping one line saying whether its zaaktype exists, is
    published (concept false) and has the statustype; exit 1 when one fails."""
    from .catalogi import check_mapping
    from .client import ZgwClient

    db = ctx.obj.open().db
    failed = 0
    with _config_or_fail(db) as config, ZgwClient(
            config, timeout=ctx.obj.settings.zgw_timeout_seconds) as client:
        for mapping in config.data.mappings:
            ok, line = check_mapping(client, mapping)
            failed += not ok
            click.echo(f"{'OK  ' if ok else 'FOUT'} {line}")
    if failed:
        raise click.ClickException(f"{failed} koppeling(en) kloppen niet")


@zgw_group.command("poll")
@click.pass_context
def zgw_poll(ctx: click.Context) -> None:
    """Read the status of every open zaak now (the server does this every 15 minutes); a zaak
    at its eindstatus closes its signals."""
    from .client import TRY_LATER

    with _runtime(ctx) as (db, runtime), _config_or_fail(db):
        result = runtime.poll(reported=True)
    click.echo(f"{result.polled} open zaken gelezen: {result.changed} gewijzigd,"
               f" {result.closed} afgesloten, {result.errors} niet te lezen.")
    if result.errors:
        reason = (result.last_error.worded(TRY_LATER) if result.last_error is not None
                  else "het antwoord van het zaaksysteem was niet te verwerken.")
        raise click.ClickException(f"{result.errors} zaak/zaken niet te lezen: {reason}")


@zgw_group.command("send")
@click.pass_context
def zgw_send(ctx: click.Context) -> None:
    """Send the hand-offs that are due now, when no server runs (the server's worker does this
    by itself; do not run both at once). Exit 1, with the reason, when a hand-off still waits
    or has failed afterwards."""
    from . import outbox

    with _runtime(ctx) as (db, runtime), _config_or_fail(db):
        tried = runtime.worker.run_once()
        counts = outbox.counts(db.conn)
        error = runtime.worker.last_error
    click.echo(f"{tried} verzonden of geprobeerd; nu {counts['done']} klaar, {counts['queued']}"
               f" wachtend, {counts['failed']} mislukt.")
    left = counts["queued"] + counts["sending"] + counts["failed"]
    if left:
        raise click.ClickException(f"{left} doorzetting(en) nog niet gelukt: "
                                   + _send_reason(db, error))


def _send_reason(db, error) -> str:
    """Why hand-offs are left: the failure of this run's last try, else the stored error of
    the latest one left (not due yet, or failed earlier), in a command's words."""
    from .client import RETRIED, TRY_LATER

    if error is not None:
        return error.worded(TRY_LATER)
    row = db.query_one("SELECT error, state FROM zaak_handoffs WHERE state != 'done'"
                       " ORDER BY error IS NULL, updated_at DESC LIMIT 1")
    if row is None or not row["error"]:
        return "nog niet aan de beurt; probeer het later opnieuw."
    text = row["error"].replace(f" {RETRIED}", "")
    return text if row["state"] == "failed" else f"{text} {TRY_LATER}"


@zgw_group.command("status")
@click.pass_context
def zgw_status(ctx: click.Context) -> None:
    """Count the hand-offs per state and list the failed ones with their reason."""
    from . import outbox

    db = ctx.obj.open().db
    c = outbox.counts(db.conn)
    click.echo(f"wachtend {c['queued']}, bezig {c['sending']}, klaar {c['done']} (waarvan open"
               f" {c['open']}), mislukt {c['failed']}")
    for r in db.query("SELECT subject_kind, subject_id, identificatie, error FROM zaak_handoffs"
                      " WHERE state = 'failed' ORDER BY updated_at"):
        click.echo(f"{r['identificatie']}\t{r['subject_kind']} {r['subject_id']}\t{r['error']}")


@zgw_group.command("token")
@click.pass_context
def zgw_token(ctx: click.Context) -> None:
    """Print the Authorization value for the Notificaties API abonnement (a ZGW JWT signed
    with the configured notificaties secret), to paste into the abonnement's `auth`."""
    from .token import make_token

    db = ctx.obj.open().db
    with _config_or_fail(db) as config:
        n = config.data.notificaties
        if n is None or not n.secret:
            raise click.ClickException("er zijn geen notificaties ingesteld (client_id en secret"
                                       " onder \"notificaties\" in het configuratiebestand)")
        click.echo("Bearer " + make_token(n.client_id, n.secret, user_id="notificaties",
                                          user_representation="Notificaties API"))
