"""Attachment files: verified by hash, typed by their bytes, stored once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from ..db import Database
from ..errors import Invalid, TooLarge, Unsupported
from ..signals.access import scope_clause
from ..timeutil import now
from ..users.models import User

MAX_BYTES = 10 * 1024 * 1024


def sniff(data: bytes) -> str | None:
    """The image type from the first bytes: JPEG, PNG or WebP only."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def path_for(root: Path, sha256: str) -> Path:
    # Two levels of fan-out keep directories small with many photos.
    return root / sha256[:2] / sha256[2:4] / sha256


def store_attachment(db: Database, root: Path, sha256: str, data: bytes,
                     username: str) -> tuple[str, bool]:
    """Save bytes under their hash; returns (content type, newly stored)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"De foto is te groot ({len(data) // 1024} kB);"
                       f" hoogstens {MAX_BYTES // (1024 * 1024)} MB.")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise Invalid("sha256", "de SHA-256 van de inhoud klopt niet met het adres")
    content_type = sniff(data)
    if content_type is None:
        raise Unsupported("body", "alleen JPEG, PNG of WebP")
    target = path_for(root, sha256)
    existing = db.query_one("SELECT content_type FROM attachments WHERE sha256 = ?", (sha256,))
    if existing is not None and target.exists():
        return existing["content_type"], False
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
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO attachments (sha256, content_type, size, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?)", (sha256, content_type, len(data), username, now().isoformat()))
    return content_type, existing is None


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
