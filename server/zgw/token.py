"""ZGW JWTs: HS256 with the client's secret, one fresh token per call (Open Zaak refuses a
token an hour after its `iat`), and the check of a token a Notificaties API signs with."""

from __future__ import annotations

import time

import jwt

#: Seconds a callback token may be old (Open Zaak's own limit for tokens it accepts).
MAX_AGE = 3600
#: Clock difference tolerated between us and the sender.
LEEWAY = 60


def make_token(client_id: str, secret: str, *, user_id: str = "gebiedsradar",
               user_representation: str = "Gebiedsradar", at: float | None = None) -> str:
    """A ZGW token for one call: `iss` and `client_id` the client, `iat` now, and who acts."""
    return jwt.encode({"iss": client_id, "iat": int(at if at is not None else time.time()),
                       "client_id": client_id, "user_id": user_id,
                       "user_representation": user_representation}, secret, algorithm="HS256")


def verify(token: str, client_id: str, secret: str, *, at: float | None = None,
           max_age: float | None = MAX_AGE) -> bool:
    """Whether `token` is a ZGW JWT of this client, signed with this secret, not from the
    future, and (with `max_age`) not older than that."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"],
                            options={"require": ["iat"], "verify_iat": False})
    except jwt.PyJWTError:
        return False
    if claims.get("client_id", claims.get("iss")) != client_id:
        return False
    moment = at if at is not None else time.time()
    try:
        iat = float(claims["iat"])
    except (TypeError, ValueError):
        return False
    if max_age is not None and iat < moment - max_age - LEEWAY:
        return False
    return iat <= moment + LEEWAY
