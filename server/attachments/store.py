"""Attachment files: verified by hash, decoded and cleaned, stored once.

The address of a photo is the SHA-256 of the bytes as uploaded: what the app computed
before it had a connection, so a signal can name its photo before the photo arrives,
and a retried upload lands on the same address. What is stored (and served) under that
address is the photo re-encoded without metadata (`images.py`): its bytes hash to
something else, and that is fine, since the address only names the upload. The same
upload again is not decoded again (200, nothing changes).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..db import Database
from ..errors import DomainError, Invalid, TooLarge
from ..signals.access import scope_clause
from ..timeutil import now, utc_text
from ..users.models import User
from .images import clean_image, is_clean

MAX_BYTES = 10 * 1024 * 1024


def path_for(root: Path, sha256: str) -> Path:
    # Two levels of fan-out keep directories small with many photos.
    return root / sha256[:2] / sha256[2:4] / sha256


def store_attachment(db: Database, root: Path, sha256: str, data: bytes,
                     username: str) -> tuple[str, bool]:
    """Save an uploaded photo, cleaned, under the hash of the upload; returns (content type,
    newly stored)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"De foto is te groot ({len(data) // 1024} kB);"
                       f" hoogstens {MAX_BYTES // (1024 * 1024)} MB.")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Invalid("sha256", "de SHA-256 van de inhoud klopt niet met het adres")
    target = path_for(root, sha256)
    existing = db.query_one("SELECT content_type FROM attachments WHERE sha256 = ?", (sha256,))
    if existing is not None and target.exists():
        return existing["content_type"], False
    data, content_type = clean_image(data)
    _write(target, data)
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO attachments (sha256, content_type, size, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)", (sha256, content_type, len(data), username, utc_text(now())))
    return content_type, existing is None


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)  # atomic: a half-written photo is never visible
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def clean_stored(db: Database, root: Path) -> tuple[int, int, int]:
    """Photos stored before uploads were cleaned: each one that still carries metadata is
    encoded again in place (same address), and a file that is no image at all (older
    versions took anything that started like one) is removed, so it is never served.
    Returns (checked, cleaned, removed); running it again finds nothing to do."""
    checked = cleaned = removed = 0
    for row in db.query("SELECT sha256 FROM attachments ORDER BY sha256"):
        target = path_for(root, row["sha256"])
        if not target.exists():
            continue
        checked += 1
        data = target.read_bytes()
        if is_clean(data):
            continue
        try:
            data, content_type = clean_image(data)
        except DomainError:
            target.unlink()
            with db.transaction() as conn:
                conn.execute("DELETE FROM attachments WHERE sha256 = ?", (row["sha256"],))
            removed += 1
            continue
        _write(target, data)
        with db.transaction() as conn:
            conn.execute("UPDATE attachments SET content_type = ?, size = ? WHERE sha256 = ?",
                         (content_type, len(data), row["sha256"]))
        cleaned += 1
    return checked, cleaned, removed


def attachment_file(db: Database, root: Path, sha256: str, user: User) -> tuple[Path, str] | None:
    """The photo file, only when a live signal this user may see references it (see
    `signals/access.py`): a photo of a deleted signal, of one out of scope or of none is
    answered like an unknown one. (Uploads stay open to any signed-in user: a photo is
    uploaded before the signal that names it.)"""
    clause, params = scope_clause(user, "s")
    row = db.query_one(
        "SELECT a.content_type FROM signal_attachments l JOIN signals s ON s.id = l.signal_id"
        " JOIN attachments a ON a.sha256 = l.sha256"
        f" WHERE l.sha256 = ? AND s.deleted = 0 AND {clause} LIMIT 1", (sha256, *params))
    target = path_for(root, sha256)
    if row is None or not target.exists():
        return None
    return target, row["content_type"]
