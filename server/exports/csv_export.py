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
from collections.abc import Iterable, Sequence

from .columns import Column, Value

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv"  # Litestar adds "; charset=utf-8" to text types


def neutralise(text: str) -> str:
    """Text Excel would run as a formula, made into plain text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def number(value: float) -> str:
    """A coordinate with a decimal comma: the shortest text that reads back as the same
    float, never in e-notation."""
    text = repr(value)
    if "e" in text:
        text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


class CsvEncoder:
    """Bytes of a CSV export: `header()` once, then `rows(chunk)` per chunk."""

    def __init__(self, cols: Sequence[Column]):
        self.cols = tuple(cols)
        self._numbers = [i for i, c in enumerate(self.cols) if c.numeric]
        self._flags = [i for i, c in enumerate(self.cols) if c.name == "contains_personal_data"]
        self._texts = [i for i in range(len(self.cols)) if i not in self._numbers + self._flags]

    def _lines(self, rows: Iterable[Sequence[object]]) -> bytes:
        out = io.StringIO()
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
        return out.getvalue().encode("utf-8")

    def header(self) -> bytes:
        return BOM.encode("utf-8") + self._lines([[c.name for c in self.cols]])

    def rows(self, chunk: Sequence[Sequence[Value]]) -> bytes:
        # The hot loop of a 1,000,000-row export: column positions worked out once; the
        # csv module writes None as an empty cell itself.
        numbers, flags, texts, starts = self._numbers, self._flags, self._texts, FORMULA_STARTS
        out = []
        for values in chunk:
            row: list[object] = list(values)
            for i in texts:
                v = row[i]
                if v and v.startswith(starts):  # type: ignore[union-attr]
                    row[i] = "'" + v  # type: ignore[operator]
            for i in numbers:
                v = row[i]
                if v is not None:
                    row[i] = number(v)  # type: ignore[arg-type]
            for i in flags:
                row[i] = "ja" if row[i] else "nee"
            out.append(row)
        return self._lines(out)

    def footer(self) -> bytes:
        return b""
