"""Sending one hand-off in resumable, idempotent steps.

1. the zaak: looked up by `identificatie` + `bronorganisatie` (made up front), else created;
2. its first status: looked up by zaak + statustype, else set;
3. its zaakobjecten (kern as woonplaats, wijk, buurt; a kwestie's signals as overige):
   looked up by zaak, each missing one created;
4. each photo: the document looked up by its own identificatie, else created (base64); then
   its link with the zaak looked up, else created.
Each finished step (each object, each document) is recorded in `steps_done` before the next
one starts, so a crash or time-out resumes at the first step not done, and every step
first looks in the case system for what an interrupted earlier try may have made: a
response lost after the case system stored the object never makes a second one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..audit import audit
from ..db import Database
from ..timeutil import LOCAL
from . import config as zgw_config
from . import outbox, payload
from .catalogi import CatalogiCache
from .client import ZgwClient, ZgwError
from .subject import category_label, load_subject, read_photo

ClientFactory = Callable[[zgw_config.ZgwConfig], ZgwClient]


class Sender:
    """Sends hand-offs for one database; `send(row)` raises ZgwError when a step fails."""

    def __init__(self, db: Database, attachments_dir: Path, client_factory: ClientFactory,
                 cache: CatalogiCache | None = None):
        self.db = db
        self.attachments_dir = attachments_dir
        self.client_factory = client_factory
        self.cache = cache or CatalogiCache()

    def _write(self, job: Callable[[sqlite3.Connection], Any]) -> Any:
        return self.db.write(job)

    def send(self, row: sqlite3.Row, at: float) -> str | None:
        """Do the steps not done yet; returns the omschrijving of the first status."""
        conn = self.db.conn
        config = zgw_config.load(conn)
        if config is None:
            raise ZgwError("De koppeling met het zaaksysteem is niet (meer) ingesteld.",
                           permanent=True)
        subject = payload_subject(conn, row)
        mapping = outbox.mapping_of(row)
        steps = outbox.steps_of(row)
        ident = row["identificatie"]
        d = config.data
        today = datetime.fromtimestamp(at, UTC).astimezone(LOCAL).date()
        with self.client_factory(config) as client:
            zaken = d.zaken_api.rstrip("/")
            # 1. the zaak
            zaak_url = steps.get("zaak")
            if zaak_url is None:
                def zaak_body() -> dict:
                    return payload.zaak_body(subject, mapping, config, ident, today,
                                             subject_label(conn, subject), row["note"],
                                             self._nominatie(client, mapping.zaaktype))
                zaak_url = find_or_create(client, f"{zaken}/zaken", "de zaak",
                                          {"identificatie": ident, "bronorganisatie": d.rsin},
                                          zaak_body)
                steps["zaak"] = zaak_url

                def made(conn: sqlite3.Connection) -> None:
                    outbox.save_steps(conn, row["id"], steps, at, zaak_url)
                    audit(conn, row["requested_by"], "zaak_created", row["subject_id"])
                self._write(made)
            # 2. the first status
            if "status" not in steps:
                steps["status"] = find_or_create(
                    client, f"{zaken}/statussen", "de status",
                    {"zaak": zaak_url, "statustype": mapping.statustype},
                    lambda: payload.status_body(zaak_url, mapping.statustype,
                                                datetime.fromtimestamp(at, UTC)))
                self._save(row, steps, at)
            # 3. zaakobjecten
            wanted = payload.object_bodies(subject, zaak_url)
            objects: dict[str, str] = steps.setdefault("objects", {})
            if any(key not in objects for key, _ in wanted):
                existing = {payload.object_key(o): o.get("url") for o in client.list(
                    f"{zaken}/zaakobjecten", "het zoeken van de zaakobjecten", {"zaak": zaak_url})}
                for key, body in wanted:
                    if key in objects:
                        continue
                    url = existing.get(key) or client.post(
                        f"{zaken}/zaakobjecten", "het koppelen van een zaakobject", body)["url"]
                    objects[key] = url
                    self._save(row, steps, at)
            # 4. photos
            documents: dict[str, dict[str, str]] = steps.setdefault("documents", {})
            documenten = d.documenten_api.rstrip("/")
            # A photo keeps its number (and so its document's identificatie) across tries,
            # even when the signal's photo list changed in between.
            numbers: dict[str, int] = steps.setdefault("numbers", {})
            for _, sha in payload.sends_photos(subject, mapping):
                numbers.setdefault(sha, len(numbers) + 1)
            for _, sha in payload.sends_photos(subject, mapping):
                n = numbers[sha]
                done = documents.get(sha, {})
                if "link" in done or done.get("skipped"):
                    continue
                doc_ident = payload.document_identificatie(ident, n)
                if "document" not in done:
                    photo = read_photo(conn, self.attachments_dir, sha)
                    if photo is None:  # its bytes never arrived: nothing to send
                        documents[sha] = {"skipped": "1"}
                        self._save(row, steps, at)
                        continue
                    done["document"] = find_or_create(
                        client, f"{documenten}/enkelvoudiginformatieobjecten", "een foto",
                        {"bronorganisatie": d.rsin, "identificatie": doc_ident},
                        lambda p=photo, n=n: payload.document_body(p, n, ident, mapping, config,
                                                                   today))
                    documents[sha] = done
                    self._save(row, steps, at)
                done["link"] = find_or_create(
                    client, f"{zaken}/zaakinformatieobjecten", "de koppeling van een foto",
                    {"zaak": zaak_url, "informatieobject": done["document"]},
                    lambda d=done, n=n: payload.link_body(zaak_url, d["document"], n, ident))
                documents[sha] = done
                self._save(row, steps, at)
            status = self.cache.peek(mapping.statustype)
            if status is None:
                try:
                    status = self.cache.get(client, mapping.statustype, "het lezen van het statustype")
                except ZgwError:  # only for the label; the poller reads it later
                    status = None
        return (status or {}).get("omschrijving")

    def _nominatie(self, client: ZgwClient, zaaktype_url: str) -> str | None:
        """The archiefnominatie the zaaktype gives (read from its resultaattypen, cached)."""
        zaaktype = self.cache.get(client, zaaktype_url, "het lezen van het zaaktype")
        try:
            kinds = [self.cache.get(client, u, "het lezen van een resultaattype")
                     for u in zaaktype.get("resultaattypen") or []]
        except ZgwError:  # optional: the zaak goes without, the case system derives it later
            return None
        return payload.archiefnominatie(zaaktype, kinds)

    def _save(self, row: sqlite3.Row, steps: dict, at: float) -> None:
        self._write(lambda conn: outbox.save_steps(conn, row["id"], steps, at))


def find_or_create(client: ZgwClient, url: str, what: str, params: dict,
                   body: Callable[[], dict]) -> str:
    """The URL of the object `params` find at `url`, created with `body()` when there is none.
    A create refused because the object exists (an earlier try's call landed after the look-up:
    identificatie-niet-uniek, unique) is looked up again."""
    found = client.list(url, f"het zoeken van {what}", params)
    if found:
        return found[0]["url"]
    try:
        return client.post(url, f"het aanmaken van {what}", body())["url"]
    except ZgwError as e:
        if not e.exists_already:
            raise
        found = client.list(url, f"het zoeken van {what}", params)
        if not found:
            raise
        return found[0]["url"]


def subject_label(conn: sqlite3.Connection, subject: payload.Subject) -> str:
    """The category label a zaak's omschrijving starts with: the signal's (sub)category, or a
    kwestie's most frequent one."""
    if subject.kind == "signal":
        return subject.main.category_label
    chosen = zgw_config.kwestie_category((s.category, s.subcategory) for s in subject.signals)
    assert chosen is not None
    return category_label(conn, chosen[1] or chosen[0])


def payload_subject(conn: sqlite3.Connection, row: sqlite3.Row) -> payload.Subject:
    subject = load_subject(conn, row["subject_kind"], row["subject_id"])
    if subject is None:
        what = "Het signaal" if row["subject_kind"] == "signal" else "De kwestie (met signalen)"
        raise ZgwError(f"{what} bestaat niet meer; er is geen zaak gemaakt.", permanent=True)
    return subject
