"""Reads from the Catalogi API, cached: zaaktypen (omschrijving, concept, statustypen),
statustypen (omschrijving, isEindstatus) and resultaattypen. Published catalogue entries do
not change, so an hour's cache is safe; `check` reads afresh."""

from __future__ import annotations

import threading
import time
from typing import Any

from .client import ZgwClient

TTL = 3600.0


class CatalogiCache:
    """Catalogue resources by URL, for `TTL` seconds."""

    def __init__(self, ttl: float = TTL, clock=time.monotonic):
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, Any]] = {}

    def peek(self, url: str) -> Any | None:
        """A cached resource without a call (None when not cached or stale)."""
        with self._lock:
            hit = self._items.get(url)
        return hit[1] if hit is not None and self._clock() - hit[0] < self._ttl else None

    def get(self, client: ZgwClient, url: str, what: str) -> Any:
        """The resource at `url`, read once per `TTL`."""
        found = self.peek(url)
        if found is not None:
            return found
        found = client.get(url, what)
        with self._lock:
            self._items[url] = (self._clock(), found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def check_mapping(client: ZgwClient, mapping) -> tuple[bool, str]:
    """(ok, one Dutch line) for one mapping: the zaaktype exists, is published, has the
    statustype, and lists the informatieobjecttype."""
    from .client import TRY_LATER, ZgwError

    name = f"{mapping.category}: zaaktype {mapping.zaaktype}"
    try:
        zaaktype = client.get(mapping.zaaktype, "het lezen van het zaaktype")
    except ZgwError as e:
        return False, f"{name}: niet te lezen — {e.worded(TRY_LATER)}"
    label = zaaktype.get("omschrijving") or zaaktype.get("identificatie") or "?"
    problems = []
    if zaaktype.get("concept", True):
        problems.append("is nog een concept (niet gepubliceerd)")
    if mapping.statustype not in (zaaktype.get("statustypen") or []):
        try:
            statustype = client.get(mapping.statustype, "het lezen van het statustype")
        except ZgwError as e:
            statustype = None
            problems.append(f"statustype niet te lezen ({e.worded(TRY_LATER)})")
        if statustype is not None and statustype.get("zaaktype") != mapping.zaaktype:
            problems.append("het statustype hoort niet bij dit zaaktype")
    iots = zaaktype.get("informatieobjecttypen")
    if iots is not None and mapping.informatieobjecttype not in iots:
        problems.append("het informatieobjecttype staat niet bij dit zaaktype (foto's kunnen"
                        " dan niet aan de zaak worden gekoppeld)")
    if problems:
        return False, f"{name} ({label}): " + "; ".join(problems)
    return True, f"{name} ({label}): bestaat, gepubliceerd, statustype hoort erbij"
