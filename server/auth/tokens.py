"""Bearer access tokens: HS256 JWTs with an expiry, a token id and the user's token generation.

The signing key never lives in the database (whose backups travel): it comes from
`GEBIEDSRADAR_SECRET_KEY` or from the key file `<database>.key` beside it, made with mode
600 on first start. A token is valid while it has not expired, its generation is the
user's current one (a password change or `users disable` bumps it: every session of that
user ends) and its id has not been revoked (`POST /auth/logout` ends that one session).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import time
from pathlib import Path

import jwt
import msgspec

from ..db import Database
from ..errors import NotSignedIn
from ..users.models import User
from ..users.store import _user as user_from_row

ALGORITHM = "HS256"
ISSUER = "gebiedsradar"
MIN_KEY_LENGTH = 32


class Claims(msgspec.Struct, frozen=True):
    """What a valid token says."""

    username: str
    generation: int
    token_id: str
    expires_at: int
    epoch: str = ""


def key_path(db_path: Path) -> Path:
    """The key file beside a database: `data/gebiedsradar.db` → `data/gebiedsradar.db.key`."""
    return db_path.with_name(db_path.name + ".key")


def secret_key(db: Database, configured: str = "") -> str:
    """The signing key: from the environment, else from (or newly into) the key file."""
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise ValueError(f"GEBIEDSRADAR_SECRET_KEY must be at least {MIN_KEY_LENGTH} characters")
        return configured
    return _key_file(key_path(db.path))


def _key_file(path: Path) -> str:
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    # Write the key to a private temporary file, then link it into place: a second process
    # starting at the same moment either wins the link or reads the winner's complete key.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    with open(path, encoding="utf-8") as f:
        mode = os.fstat(f.fileno()).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ValueError(f"key file {path} may be read by others (mode {stat.filemode(mode)}):"
                             f" run `chmod 600 {path}`")
        key = f.read().strip()
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"key file {path} holds fewer than {MIN_KEY_LENGTH} characters")
    return key


def issue_token(username: str, key: str, ttl_seconds: int, *, generation: int = 0,
                epoch: str = "", now: float | None = None) -> str:
    """A token for `username` of its current token `generation`, in server `epoch`."""
    now = time.time() if now is None else now
    claims = {"iss": ISSUER, "sub": username, "iat": int(now), "exp": int(now) + ttl_seconds,
              "jti": secrets.token_hex(16), "gen": generation, "ep": epoch}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(token: str, key: str) -> Claims:
    """What a well-signed, unexpired token says; NotSignedIn otherwise."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "sub", "iat", "jti", "gen"]})
        return Claims(username=str(claims["sub"]), generation=int(claims["gen"]),
                      token_id=str(claims["jti"]), expires_at=int(claims["exp"]),
                      epoch=str(claims.get("ep", "")))
    except jwt.ExpiredSignatureError:
        raise NotSignedIn("Uw sessie is verlopen. Log opnieuw in.", invalid_token=True) from None
    except (jwt.PyJWTError, TypeError, ValueError):
        raise NotSignedIn("Het token is ongeldig. Log opnieuw in.", invalid_token=True) from None


def check_current(db: Database, claims: Claims) -> User:
    """The token's user, as the database has them now (a changed role counts at once);
    NotSignedIn unless they are active, the token is of their generation, not logged out and
    issued in this server epoch: a restore from a backup starts a new epoch, and the backup
    knows no later log-outs, new passwords or disabled accounts, so older tokens end.
    One query: it runs on every request."""
    row = db.query_one(
        "SELECT *,"
        " EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?) AS revoked,"
        " (SELECT value FROM meta WHERE key = 'server_epoch') AS epoch"
        " FROM users WHERE username = ? AND active = 1",
        (claims.token_id, claims.username))
    if row is None:
        raise NotSignedIn("Deze gebruiker bestaat niet meer of is geblokkeerd.", invalid_token=True)
    if (row["revoked"] or row["token_generation"] != claims.generation
            or claims.epoch != (row["epoch"] or "")):
        raise NotSignedIn("Deze sessie is beëindigd. Log opnieuw in.", invalid_token=True)
    return user_from_row(row)


def revoke(conn: sqlite3.Connection, claims: Claims, *, now: float | None = None) -> None:
    """End one session (inside the caller's transaction); expired revocations are dropped."""
    now = time.time() if now is None else now
    conn.execute("DELETE FROM revoked_tokens WHERE expires_at < ?", (now,))
    conn.execute("INSERT OR IGNORE INTO revoked_tokens (jti, username, expires_at) VALUES (?, ?, ?)",
                 (claims.token_id, claims.username, claims.expires_at))


def current_generation(conn: sqlite3.Connection, username: str) -> int:
    row = conn.execute("SELECT token_generation FROM users WHERE username = ?", (username,)).fetchone()
    return row["token_generation"] if row else 0
