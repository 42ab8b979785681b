"""Full-text search on a signal's description (`GET /signals?q=…`), with SQLite FTS5.

The index `signal_search` (migration m014) is an external-content FTS5 table over
`signals.description`, keyed by the signals' rowid and kept by triggers on every insert,
update and delete of a signal, whichever writer does it (the signal service, a privacy
erasure, a retention purge). Its tokenizer folds case and removes accents
(`unicode61 remove_diacritics 2`): "cafe" finds "Café", "CAFÉ" finds "cafe".

What the user typed never reaches FTS5 as syntax: each word becomes a quoted prefix
term (`"word"*`), and the terms are joined by AND, so quotes, `*`, `-`, `NEAR`, `OR`,
parentheses and column filters are only text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: A word as FTS5's unicode61 tokenizer sees one: letters, digits (and accents on them).
_WORD = re.compile(r"[^\W_]+")
#: More words than this only narrow further; the rest are ignored (bounds the query's cost).
MAX_TERMS = 16


def match_expression(q: str | None) -> str | None:
    """The FTS5 MATCH text for what the user typed; None when it holds no word."""
    if not q:
        return None
    words = _WORD.findall(unicodedata.normalize("NFC", q))
    if not words:
        return None
    # Each word is quoted (only letters and digits are left, so no quote can occur in it).
    return " AND ".join(f'"{w}"*' for w in dict.fromkeys(words[:MAX_TERMS]))


def search_clause(q: str | None) -> tuple[str, list[Any]] | None:
    """SQL on `signals` that is true for the rows whose description matches `q`, or None
    when `q` holds no word (then it filters nothing)."""
    expression = match_expression(q)
    if expression is None:
        return None
    return ("rowid IN (SELECT rowid FROM signal_search WHERE signal_search MATCH ?)",
            [expression])


def forget_removed_text(conn: Any) -> None:
    """Take removed texts out of the index's data, not only out of its answers.

    FTS5 records a removal as a delete marker and keeps the old words in its segments until
    they are merged; they stay readable in the database file and its backups. `optimize`
    merges every segment now (one pass over the index: fine for an erasure or a retention
    run, too much for every edit). Called inside the caller's transaction."""
    conn.execute("INSERT INTO signal_search (signal_search) VALUES ('optimize')")
