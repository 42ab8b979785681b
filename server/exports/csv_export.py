"""CSV as Dutch Excel opens it: UTF-8 with BOM, `;` between cells, CRLF, decimal comma.

- The BOM makes Excel read UTF-8 (accents) instead of the ANSI code page; `;` is the list
  separator of Dutch Windows, so a double click opens the file in columns.
- Numbers (lat, lon) have a decimal comma: Dutch Excel reads `52.7107` as 527.107 (the
  point is its thousands separator) and `52,7107` as the number. Other programs: read with
  `decimal=","` (pandas) or use the GeoJSON export, which has JSON numbers.
- Formula injection (CWE-1236): a text cell starting with `=`, `+`, `-`, `@`, a tab or a
  carriage return gets a leading `'`, so Excel shows it as text instead of running it.
  Numbers are never touched: a negative longitude stays a number.
- Booleans are `ja` / `nee`; an absent value is an empty cell. Quoting as the csv module
  does it (cells with `;`, quotes or line breaks are quoted; a line break inside a
  description stays inside its quoted cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from .columns import Column, Value

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to text types


def neutralise(text: str) -> str:
    """Text Excel would run as a formula, made into plain text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number(value: float) -> str:
    """A coordinate with a decimal comma, at most 7 decimals (1 cm), never in e-notation."""
    return f"{value:.7f}".rstrip("0").rstrip(".").replace(".", ",")


def cell(value: Value, numeric: bool) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "ja" if value else "nee"
    if numeric:
        return number(float(value))  # type: ignore[arg-type]
    return neutralise(str(value))


class CsvEncoder:
    """Bytes of a CSV export: `header()` once, then `rows(chunk)` per chunk."""

    def __init__(self, cols: Sequence[Column]):
        self.cols = tuple(cols)
        self._numeric = tuple(c.numeric for c in self.cols)

    def _lines(self, rows: Sequence[Sequence[str]]) -> bytes:
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("utf-8")

    def header(self) -> bytes:
        return BOM.encode("utf-8") + self._lines([[c.name for c in self.cols]])

    def rows(self, chunk: Sequence[Sequence[Value]]) -> bytes:
        numeric = self._numeric
        return self._lines([[cell(v, n) for v, n in zip(row, numeric, strict=True)] for row in chunk])

    def footer(self) -> bytes:
        return b""
