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
from .subject import load_subject, read_photo

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
                found = client.list(f"{zaken}/zaken", "het zoeken van de zaak",
                                    {"identificatie": ident, "bronorganisatie": d.rsin})
                if found:
                    zaak_url = found[0]["url"]
                else:
                    zaaktype = self.cache.get(client, mapping.zaaktype, "het lezen van het zaaktype")
                    label = subject.main.category_label
                    body = payload.zaak_body(subject, mapping, config, ident, today, label,
                                             row["note"], zaaktype)
                    zaak_url = client.post(f"{zaken}/zaken", "het aanmaken van de zaak", body)["url"]
                steps["zaak"] = zaak_url

                def made(conn: sqlite3.Connection) -> None:
                    outbox.save_steps(conn, row["id"], steps, at, zaak_url)
                    audit(conn, row["requested_by"], "zaak_created", row["subject_id"])
                self._write(made)
            # 2. the first status
            if "status" not in steps:
                found = client.list(f"{zaken}/statussen", "het zoeken van de status",
                                    {"zaak": zaak_url, "statustype": mapping.statustype})
                if found:
                    status_url = found[0]["url"]
                else:
                    status_url = client.post(f"{zaken}/statussen", "het zetten van de status",
                                             payload.status_body(zaak_url, mapping.statustype,
                                                                 datetime.fromtimestamp(at, UTC)))["url"]
                steps["status"] = status_url
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
            for n, (_, sha) in enumerate(payload.sends_photos(subject, mapping), start=1):
                done = documents.get(sha, {})
                if "link" in done or done.get("skipped"):
                    continue
                doc_ident = payload.document_identificatie(ident, n)
                if "document" not in done:
                    found = client.list(f"{documenten}/enkelvoudiginformatieobjecten",
                                        "het zoeken van een document",
                                        {"bronorganisatie": d.rsin, "identificatie": doc_ident})
                    if found:
                        done["document"] = found[0]["url"]
                    else:
                        photo = read_photo(self.db.conn, self.attachments_dir, sha)
                        if photo is None:  # its bytes never arrived: nothing to send
                            documents[sha] = {"skipped": "1"}
                            self._save(row, steps, at)
                            continue
                        body = payload.document_body(photo, n, ident, mapping, config, today)
                        done["document"] = client.post(
                            f"{documenten}/enkelvoudiginformatieobjecten",
                            "het opslaan van een foto", body)["url"]
                    documents[sha] = done
                    self._save(row, steps, at)
                found = client.list(f"{zaken}/zaakinformatieobjecten", "het zoeken van een koppeling",
                                    {"zaak": zaak_url, "informatieobject": done["document"]})
                done["link"] = found[0]["url"] if found else client.post(
                    f"{zaken}/zaakinformatieobjecten", "het koppelen van een foto",
                    payload.link_body(zaak_url, done["document"], n, ident))["url"]
                documents[sha] = done
                self._save(row, steps, at)
            status = self.cache.peek(mapping.statustype)
            if status is None:
                try:
                    status = self.cache.get(client, mapping.statustype, "het lezen van het statustype")
                except ZgwError:  # only for the label; the poller reads it later
                    status = None
        return (status or {}).get("omschrijving")

    def _save(self, row: sqlite3.Row, steps: dict, at: float) -> None:
        self._write(lambda conn: outbox.save_steps(conn, row["id"], steps, at))


def payload_subject(conn: sqlite3.Connection, row: sqlite3.Row) -> payload.Subject:
    subject = load_subject(conn, row["subject_kind"], row["subject_id"])
    if subject is None:
        what = "Het signaal" if row["subject_kind"] == "signal" else "De kwestie (met signalen)"
        raise ZgwError(f"{what} bestaat niet meer; er is geen zaak gemaakt.", permanent=True)
    return subject
