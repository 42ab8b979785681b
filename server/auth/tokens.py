"""Bearer access tokens: HS256 JWTs with an expiry."""

from __future__ import annotations

import secrets
import time

import jwt

from ..db import Database
from ..errors import NotSignedIn

ALGORITHM = "HS256"
ISSUER = "gebiedsradar"


def secret_key(db: Database, configured: str = "") -> str:
    """The signing key: from the environment, else generated once and kept in `meta`."""
    if configured:
        if len(configured) < 32:
            raise ValueError("GEBIEDSRADAR_SECRET_KEY must be at least 32 characters")
        return configured
    with db.transaction() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'jwt_secret'").fetchone()
        if row:
            return row["value"]
        key = secrets.token_urlsafe(48)
        conn.execute("INSERT INTO meta (key, value) VALUES ('jwt_secret', ?)", (key,))
        return key


def issue_token(username: str, key: str, ttl_seconds: int, *, now: float | None = None) -> str:
    now = time.time() if now is None else now
    claims = {"iss": ISSUER, "sub": username, "iat": int(now), "exp": int(now) + ttl_seconds,
              "jti": secrets.token_hex(8)}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_token(token: str, key: str) -> str:
    """The username a valid token was issued to; NotSignedIn otherwise."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "sub", "iat"]})
    except jwt.ExpiredSignatureError:
        raise NotSignedIn("Uw sessie is verlopen. Log opnieuw in.", invalid_token=True) from None
    except jwt.PyJWTError:
        raise NotSignedIn("Het token is ongeldig. Log opnieuw in.", invalid_token=True) from None
    return str(claims["sub"])
