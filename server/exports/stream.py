"""One export as a generator of bytes: the API streams it (Litestar `Stream`), the CLI
writes it to a file; both run this same code.

Memory stays bounded whatever the number of rows: the rows are read `source.CHUNK` at a
time from a read connection of the export's own (opened at the first chunk, closed at
the end: Litestar calls the generator from worker threads, one chunk per call, and a
connection of the request's thread could not be used there), and each chunk is encoded
and handed on before the next is read.

The audit log gets, for every export:
- ONE entry for the export itself, written when the stream ends: action `export_signals`,
  the object a text naming the format, the filter and the number of rows
  (`signals.csv area=WK017106 status=nieuw rows=1234`); result `failed` when the stream
  stopped early (the client went away), with the rows sent so far. Search words (`q`)
  are counted, not written: they may be a resident's name.
- for a full (not pseudonymised) export, one `signal_read_personal` entry per exported
  signal marked as holding personal data, as every other path that shows a signal logs it
  (signals/access.py): only per-signal entries can answer "who saw this resident's signal"
  (AVG art. 15). They are written in batches of `PERSONAL_BATCH` ids as the stream goes
  (bounded memory; for 1,000,000 signals with 10 % personal data that is 100,000 entries in
  10 transactions). A pseudonymised export withholds exactly the personal details
  (description, authors, and location and buurt of those signals), so it logs none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Literal

from ..areas.store import AreaCatalog
from ..audit import audit
from ..db import Database
from ..signals.access import log_personal_reads
from ..signals.queries import SignalFilter
from ..users.models import User
from . import source
from .columns import columns, values
from .csv_export import CsvEncoder
from .geojson_export import GeoJsonEncoder
from .rounding import DEFAULT_GRID_M

log = logging.getLogger(__name__)

Format = Literal["csv", "geojson"]
ACTION = "export_signals"
PERSONAL_BATCH = 10_000
FILE_NAMES = {"csv": "signals.csv", "geojson": "signals.geojson", "open311": "open311 requests.json"}


def describe(fmt: str, flt: SignalFilter, pseudonymised: bool, rows: int,
             stopped: bool = False) -> str:
    """The audit object of an export: format, filter and row count, never content."""
    parts = [FILE_NAMES.get(fmt, fmt)]
    for name in ("area", "category", "status", "created_by", "assignee"):
        value = getattr(flt, name)
        if value is not None:
            parts.append(f"{'mine' if name == 'created_by' else name}={value}")
    for name, value in (("since", flt.since), ("until", flt.until)):
        if value is not None:
            parts.append(f"{name}={value.isoformat()}")
    if flt.follow_up_by is not None:
        parts.append(f"followUp={flt.follow_up_by.isoformat()}")
    if flt.q:
        parts.append(f"q=({len(flt.q.split())} woorden)")
    if pseudonymised:
        parts.append("pseudonymised")
    parts.append(f"rows={rows}")
    if stopped:
        parts.append("afgebroken")
    return " ".join(parts)


class SignalExport:
    """An export of the signals `user` may see under `flt`, as an iterator of bytes.

    `rows` counts the rows read so far (the tests use it to see that it streams)."""

    def __init__(self, db: Database, catalog: AreaCatalog, user: User, flt: SignalFilter,
                 fmt: Format, *, pseudonymised: bool = False, grid_m: float = DEFAULT_GRID_M,
                 chunk: int = source.CHUNK, username: str | None = None):
        self.db, self.catalog, self.user, self.flt = db, catalog, user, flt
        self.fmt, self.pseudonymised, self.grid_m, self.chunk = fmt, pseudonymised, grid_m, chunk
        self.username = username or user.username  # the CLI logs its operator
        cols = columns(pseudonymised)
        self.encoder = CsvEncoder(cols) if fmt == "csv" else GeoJsonEncoder(cols)
        self.rows = 0
        self.finished = False
        self._iter = self._generate()

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self._iter)

    def close(self) -> None:
        self._iter.close()

    def _generate(self) -> Iterator[bytes]:
        personal: list[dict] = []
        conn = None
        try:
            yield self.encoder.header()
            conn = source.read_connection(self.db.path)
            sql, params = source.select(conn, self.user, self.flt)
            for rows in source.chunks(conn, sql, params, self.chunk):
                self.rows += len(rows)
                if not self.pseudonymised:
                    personal += [{"id": r["id"], "contains_personal_data": 1, "deleted": 0}
                                 for r in rows if r["contains_personal_data"]]
                    if len(personal) >= PERSONAL_BATCH:
                        self._log_personal(personal)
                        personal = []
                yield self.encoder.rows(values(rows, self.catalog, pseudonymised=self.pseudonymised,
                                               grid_m=self.grid_m))
            yield self.encoder.footer()
            self.finished = True
        finally:
            if conn is not None:
                conn.close()
            self._log_personal(personal)
            self._log_export()

    def _log_personal(self, rows: list[dict]) -> None:
        if rows:
            log_personal_reads(self.db, User(username=self.username, role=self.user.role), rows)

    def _log_export(self) -> None:
        text = describe(self.fmt, self.flt, self.pseudonymised, self.rows, not self.finished)
        result = "allowed" if self.finished else "failed"
        try:
            self.db.write(lambda conn: audit(conn, self.username, ACTION, text, result))
        except Exception:  # a stream closed at shutdown: the writer may be gone
            log.exception("could not write the audit entry of an export: %s", text)


def signal_export(db: Database, catalog: AreaCatalog, user: User, flt: SignalFilter,
                  fmt: Format, **options) -> SignalExport:
    """An export ready to iterate (nothing is read before the first chunk is asked for)."""
    return SignalExport(db, catalog, user, flt, fmt, **options)
