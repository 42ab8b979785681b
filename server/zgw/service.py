"""Asking for a zaak: who may, which mapping fits, and the one transaction that stores the
request in the outbox together with the signals' status "doorgezet" (a GroupCommit job: the
mutations and the outbox row on the same connection, committed together or not at all)."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

import msgspec

from ..audit import audit
from ..errors import Conflict, Forbidden, Invalid
from ..kwesties.store import _visible_kwestie
from ..signals import access
from ..signals.models import SignalUpdate
from ..signals.service import Mutation, SignalWriter
from ..users.models import User
from . import config as zgw_config
from . import outbox, payload, refs
from .models import MappingIn, ZaakRef
from .progress import SYSTEM
from .subject import kwestie_signal_rows, load_subject

LEADS = ("teamleider", "beheerder")
NOT_CONFIGURED = "De koppeling met het zaaksysteem is nog niet ingesteld; vraag de functioneel beheerder."


@dataclass(frozen=True, slots=True)
class Plan:
    """What a hand-off would do: the mapping, and whether the description goes."""

    mapping: MappingIn
    subject: payload.Subject


def may_hand_off(user: User, config: zgw_config.ZgwConfig | None) -> bool:
    """Team leads and beheerders; gebiedsregisseurs when the configuration allows it (for what
    they may see: their own areas)."""
    return user.role in LEADS or (user.role == "gebiedsregisseur" and config is not None
                                  and config.data.regisseurs_may_hand_off)


def check_role(user: User, config: zgw_config.ZgwConfig | None) -> None:
    if not may_hand_off(user, config):
        raise Forbidden("Doorzetten naar het zaaksysteem is voor teamleiders en beheerders"
                        + (" (en gebiedsregisseurs, als de beheerder dat toestaat)."
                           if user.role == "gebiedsregisseur" else "."))


def check_visible(conn: sqlite3.Connection, user: User, kind: str, subject_id: str) -> None:
    """NotFound for what the user may not see (like the rest of the API)."""
    if kind == "signal":
        access.visible_row(conn, subject_id, user)
    else:
        _visible_kwestie(conn, user, subject_id)


OUTSIDE_AREAS = ("Deze kwestie bevat signalen buiten uw gebieden; vraag een teamleider om haar"
                 " door te zetten.")


def outside_areas(conn: sqlite3.Connection, user: User, kind: str, subject_id: str) -> bool:
    """Whether a gebiedsregisseur would hand off signals outside their own areas (a kwestie
    may hold signals of other areas; a regisseur hands off only their own)."""
    if user.role != "gebiedsregisseur" or kind != "kwestie":
        return False
    return any(not access.may_see(user, s) for s in kwestie_signal_rows(conn, subject_id))


def plan(conn: sqlite3.Connection, config: zgw_config.ZgwConfig | None, kind: str,
         subject_id: str) -> Plan:
    """The mapping for a signal or kwestie: Conflict when ZGW is not configured, Invalid when
    no mapping fits (or a kwestie holds no live signal)."""
    if config is None:
        raise Conflict(NOT_CONFIGURED)
    subject = load_subject(conn, kind, subject_id)
    if subject is None:
        raise Invalid("kwestie", "de kwestie heeft geen signalen om door te zetten")
    if kind == "signal":
        category, sub = subject.main.category, subject.main.subcategory
    else:
        category, sub = zgw_config.kwestie_category(
            (s.category, s.subcategory) for s in subject.signals)  # type: ignore[misc]
    mapping = zgw_config.choose(config.data.mappings, category, sub)
    if mapping is None:
        raise Invalid("category", f"geen zaaktype gekoppeld aan categorie '{sub or category}'",
                      f"Er is geen zaaktype gekoppeld aan de categorie '{sub or category}'; vraag"
                      " de functioneel beheerder een koppeling toe te voegen.")
    return Plan(mapping, subject)


def ask(w: SignalWriter, user: User, kind: str, subject_id: str, note: str | None,
        at: float | None = None) -> tuple[ZaakRef, bool]:
    """Queue a hand-off (run as a GroupCommit job): the outbox row and the status "doorgezet"
    of the signal (of a kwestie: each of its signals not afgesloten) in this transaction.
    Asking again answers the same row (a failed one is queued again). Returns (ref, queued).
    A signal without a hand-off of its own whose zaak is a kwestie's answers that kwestie's
    hand-off (a failed one is queued again): never a second zaak for a signal already in one."""
    conn = w.conn
    at = time.time() if at is None else at
    config = zgw_config.load(conn)
    check_role(user, config)
    check_visible(conn, user, kind, subject_id)
    if kind == "signal" and outbox.get(conn, "signal", subject_id) is None:
        via = refs.kwestie_of(conn, subject_id)
        if via is not None:
            # The signal is visible, so the kwestie holding it is too (_visible_kwestie).
            ref, queued = ask(w, user, "kwestie", via, note, at)
            return msgspec.structs.replace(ref, kwestie_id=via), queued
    chosen = plan(conn, config, kind, subject_id)
    existing = outbox.get(conn, kind, subject_id)
    if (existing is None or existing["state"] == "failed") and outside_areas(
            conn, user, kind, subject_id):
        raise Forbidden(OUTSIDE_AREAS)
    row, queued = outbox.enqueue(conn, kind, subject_id, chosen.mapping, note, user.username, at)
    if (not queued and kind == "kwestie" and row["state"] == "done"
            and outbox.missing_signals(row, [s.id for s in chosen.subject.signals])
            and not outside_areas(conn, user, kind, subject_id)
            and outbox.requeue_done(conn, kind, subject_id, at)):
        # Signals joined the kwestie after its zaak was made: send it again to add them.
        row, queued = outbox.by_id(conn, row["id"]), True
    if queued:
        if kind == "signal":
            targets = [conn.execute("SELECT * FROM signals WHERE id = ?", (subject_id,)).fetchone()]
        else:
            targets = kwestie_signal_rows(conn, subject_id)
        before: dict[str, str] = {}
        for s in targets:
            if s["status"] in ("doorgezet", "afgesloten"):
                continue
            # A kwestie's signal outside a (team lead's) areas is set by the system user.
            actor = user if access.may_see(user, s) else SYSTEM
            outcome = w.apply(actor, Mutation("update", s["id"], SignalUpdate(status="doorgezet")))
            if outcome.error is not None:
                raise outcome.error
            before[s["id"]] = s["status"]
        # Put back when the hand-off fails for good (worker.py): no "Doorgezet" without a zaak.
        outbox.remember_before(conn, row["id"], before)
        row = outbox.by_id(conn, row["id"])
        audit(conn, user.username, "zaak_handoff", subject_id)
    return outbox.to_ref(row, config.data.zaak_weblink if config else None), queued

