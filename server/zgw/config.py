"""The ZGW configuration: checks (RSIN 11-proef, URLs on the API's own host, known
categories), storage in `zgw_config`, and the choice of mapping for a signal or kwestie."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import msgspec

from ..categories.store import CategoryTree
from ..errors import FieldIssue, Invalid
from ..timeutil import now, utc_text
from .models import MappingIn, NotificatiesIn, NotificatiesOut, ZgwConfigIn, ZgwConfigOut

ANY = "*"


@dataclass(frozen=True, slots=True)
class ZgwConfig:
    """The stored configuration, secret included (never sent to a client)."""

    data: ZgwConfigIn
    updated_by: str | None = None
    updated_at: str | None = None

    @property
    def secret(self) -> str:
        return self.data.secret or ""


def rsin_ok(rsin: str) -> bool:
    """The 11-proef of an RSIN (9 digits): sum of digit × (9…2) minus the last digit is a
    multiple of 11, and not all zeros."""
    if len(rsin) != 9 or not rsin.isdigit() or rsin == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(rsin[:8], range(9, 1, -1), strict=True))
    return (total - int(rsin[8])) % 11 == 0


def _origin(url: str) -> tuple[str, str, int | None] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port


def check(data: ZgwConfigIn, categories: CategoryTree, stored_secret: str | None) -> ZgwConfigIn:
    """The configuration if it is usable, else `Invalid` naming every wrong field. A missing
    secret takes the stored one (there must be one)."""
    issues: list[FieldIssue] = []
    apis = {}
    for name in ("zaken_api", "documenten_api", "catalogi_api"):
        url = getattr(data, name)
        apis[name] = _origin(url)
        if apis[name] is None:
            issues.append(FieldIssue(name, "geen geldige http(s)-URL"))
    if not rsin_ok(data.rsin):
        issues.append(FieldIssue("rsin", "geen geldig RSIN (9 cijfers, 11-proef)"))
    secret = data.secret or stored_secret
    if not secret:
        issues.append(FieldIssue("secret", "vul het secret in dat bij client_id hoort"))
    if not data.mappings:
        issues.append(FieldIssue("mappings", "geef ten minste één koppeling (categorie of *)"))
    seen: set[str] = set()
    catalogi = apis.get("catalogi_api")
    for i, m in enumerate(data.mappings):
        at = f"mappings[{i}]"
        if m.category != ANY and m.category not in categories.parents:
            issues.append(FieldIssue(f"{at}.category", f"onbekende categorie '{m.category}'"))
        if m.category in seen:
            issues.append(FieldIssue(f"{at}.category", f"categorie '{m.category}' staat er twee keer in"))
        seen.add(m.category)
        for name, api in (("zaaktype", catalogi), ("statustype", catalogi),
                          ("informatieobjecttype", catalogi)):
            origin = _origin(getattr(m, name))
            if origin is None:
                issues.append(FieldIssue(f"{at}.{name}", "geen geldige http(s)-URL"))
            elif api is not None and origin != api:
                # Open Zaak refuses a catalogue URL on another scheme, host or port than the
                # API it is sent to ("unknown-service"), even for the same server.
                issues.append(FieldIssue(f"{at}.{name}", "moet dezelfde scheme, host en poort"
                                         " hebben als catalogi_api"))
    if data.zaak_weblink is not None and data.zaak_weblink:
        if _origin(data.zaak_weblink) is None:
            issues.append(FieldIssue("zaak_weblink", "geen geldige http(s)-URL"))
        elif "{" in data.zaak_weblink.replace("{identificatie}", "").replace("{uuid}", ""):
            issues.append(FieldIssue("zaak_weblink", "alleen {identificatie} en {uuid} kunnen"
                                     " worden ingevuld"))
    if issues:
        names = ", ".join(dict.fromkeys(i.name for i in issues))
        raise Invalid(issues[0].name, issues[0].reason,
                      f"De ZGW-instellingen kloppen niet: controleer {names}.", errors=issues)
    return msgspec.structs.replace(data, secret=secret, zaak_weblink=data.zaak_weblink or None)


def load(conn: sqlite3.Connection) -> ZgwConfig | None:
    """The stored configuration, or None when ZGW is not configured."""
    row = conn.execute("SELECT data, updated_by, updated_at FROM zgw_config WHERE id = 1").fetchone()
    if row is None:
        return None
    return ZgwConfig(msgspec.json.decode(row[0], type=ZgwConfigIn), row[1], row[2])


def store(conn: sqlite3.Connection, data: ZgwConfigIn, username: str) -> None:
    """Save a checked configuration (inside the caller's transaction)."""
    conn.execute(
        "INSERT INTO zgw_config (id, data, updated_by, updated_at) VALUES (1, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_by = excluded.updated_by,"
        " updated_at = excluded.updated_at",
        (msgspec.json.encode(data).decode(), username, utc_text(now())))


def merged_notificaties(new: NotificatiesIn | None, old: ZgwConfig | None) -> NotificatiesIn | None:
    """The Notificaties credentials: a new client id without a secret keeps the stored secret."""
    if new is None or new.secret:
        return new
    stored = old.data.notificaties if old is not None else None
    if stored is not None and stored.client_id == new.client_id and stored.secret:
        return msgspec.structs.replace(new, secret=stored.secret)
    raise Invalid("notificaties.secret", "vul het secret van de Notificaties API in")


def public(config: ZgwConfig) -> ZgwConfigOut:
    """The configuration as the API shows it: without any secret."""
    d = config.data
    n = d.notificaties
    return ZgwConfigOut(
        zaken_api=d.zaken_api, documenten_api=d.documenten_api, catalogi_api=d.catalogi_api,
        client_id=d.client_id, secret_set=bool(d.secret), rsin=d.rsin, mappings=d.mappings,
        regisseurs_may_hand_off=d.regisseurs_may_hand_off, zaak_weblink=d.zaak_weblink,
        send_author=d.send_author, behandelaar=d.behandelaar,
        notificaties=NotificatiesOut(n.client_id, bool(n.secret), n.max_token_age_seconds)
        if n else None,
        updated_by=config.updated_by,
        updated_at=datetime.fromisoformat(config.updated_at) if config.updated_at else None)


def choose(mappings: Iterable[MappingIn], category: str, subcategory: str | None) -> MappingIn | None:
    """The most specific mapping for a category: its subcategory, else its category, else `*`."""
    by = {m.category: m for m in mappings}
    for key in (subcategory, category, ANY):
        if key is not None and key in by:
            return by[key]
    return None


def kwestie_category(signals: Iterable[tuple[str, str | None]]) -> tuple[str, str | None] | None:
    """The (category, subcategory) of a kwestie: its most frequent category, and within it the
    most frequent subcategory (ties: the first signal's, as observed)."""
    pairs = list(signals)
    if not pairs:
        return None
    category = Counter(c for c, _ in pairs).most_common(1)[0][0]
    subs = Counter(s for c, s in pairs if c == category)
    sub = subs.most_common(1)[0][0]
    return category, sub
