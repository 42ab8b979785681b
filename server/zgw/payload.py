"""What is sent: the bodies of the zaak, its first status, its zaakobjecten and its
documents, from a signal or kwestie (`Subject`). Pure functions: no database, no HTTP.

Personal data: the description (and a kwestie's title and description) of a signal marked
"bevat persoonsgegevens" goes only when the mapping allows it; otherwise the zaak says it was
left out. Who made a signal is never sent unless the configuration says so: the team is named.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime

from ..timeutil import LOCAL
from .config import ZgwConfig
from .models import MappingIn

BRON = "Gebiedsradar"
MAX_OMSCHRIJVING = 80
MAX_TOELICHTING = 1000
LEFT_OUT = ("De omschrijving is weggelaten: {what} bevat persoonsgegevens en deze koppeling"
            " stuurt geen persoonsgegevens mee. Bekijk {it} in Gebiedsradar ({id}).")
#: The objectTypeOverige of a kwestie's signals (pattern [a-z_]+).
SIGNAL_OBJECT = "gebiedsradar_signaal"


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Photo:
    sha256: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class SignalFacts:
    """What a zaak may tell of one signal."""

    id: str
    category: str
    subcategory: str | None
    category_label: str
    description: str
    urgency: str
    source: str
    observed: datetime
    lat: float | None
    lon: float | None
    personal: bool
    created_by: str
    kern: Area | None
    wijk: Area | None
    buurt: Area | None
    photos: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Subject:
    """A signal, or a kwestie with its signals, as handed off."""

    kind: str  # signal | kwestie
    id: str
    signals: list[SignalFacts]
    title: str = ""
    description: str = ""

    @property
    def personal(self) -> bool:
        return any(s.personal for s in self.signals)

    @property
    def main(self) -> SignalFacts:
        return self.signals[0]


def local_day(moment: datetime) -> date:
    """The day of a moment in the Netherlands (a signal's time may be stored in UTC: 23:30Z
    is the next day in Amsterdam, and the zaak's dates are the municipality's days)."""
    return moment.astimezone(LOCAL).date() if moment.tzinfo is not None else moment.date()


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut with an ellipsis."""
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def sends_description(subject: Subject, mapping: MappingIn) -> bool:
    return mapping.send_personal_data or not subject.personal


def _most(values: list) -> object | None:
    counts: dict = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _kern(subject: Subject) -> Area | None:
    return _most([s.kern for s in subject.signals])  # type: ignore[return-value]


def omschrijving(subject: Subject, label: str) -> str:
    kern = _kern(subject)
    text = f"{label} in {kern.name}" if kern else label
    if subject.kind == "kwestie":
        text = f"Kwestie: {text}"
    return clip(text, MAX_OMSCHRIJVING)


NOTE = "Notitie: "


def toelichting(subject: Subject, mapping: MappingIn, config: ZgwConfig, note: str | None) -> str:
    """The zaak's toelichting, at most 1000 characters: the team lead's note first (it gets
    its room before anything else; cut visibly with "…" only when even it does not fit), then
    the description (or why it was left out) cut with "…" to the room left, then the facts."""
    d = config.data
    s = subject.main
    if subject.kind == "signal":
        facts = (f"Urgentie: {s.urgency}. Bron: {s.source}."
                 f" Waargenomen: {local_day(s.observed).isoformat()}.")
    else:
        first = local_day(min(x.observed for x in subject.signals)).isoformat()
        last = local_day(max(x.observed for x in subject.signals)).isoformat()
        facts = f"{len(subject.signals)} signalen, waargenomen van {first} tot {last}."
    by = f"Doorgezet vanuit Gebiedsradar door {d.behandelaar}"
    if d.send_author:
        authors = sorted({x.created_by for x in subject.signals})
        by += f" (gemeld door {', '.join(authors)})"
    # The fixed lines are cut last (only long author lists can make them long).
    fixed = clip(f"{facts} {by}.", MAX_TOELICHTING // 2)
    if not sends_description(subject, mapping):
        what, it = (("het signaal", "het") if subject.kind == "signal"
                    else ("een signaal van deze kwestie", "de kwestie"))
        description = LEFT_OUT.format(what=what, it=it, id=subject.id)
    elif subject.kind == "signal":
        description = subject.main.description
    else:
        description = f"Kwestie: {subject.title}" + (f"\n{subject.description}"
                                                     if subject.description else "")
    room = MAX_TOELICHTING - len(fixed) - 2  # two newlines before the fixed lines
    parts: list[str] = []
    if note and note.strip():
        noted = clip(NOTE + note, room)
        parts.append(noted)
        room -= len(noted) + 2
    description = description.strip()
    if description and room >= 2:  # room for at least a character and the "…"
        parts.append(clip(description, room))
    parts.append(fixed)
    return "\n\n".join(parts)


def _point(subject: Subject) -> dict | None:
    points = [(s.lon, s.lat) for s in subject.signals if s.lat is not None and s.lon is not None]
    if not points:
        return None
    lon = sum(p[0] for p in points) / len(points)
    lat = sum(p[1] for p in points) / len(points)
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def zaak_body(subject: Subject, mapping: MappingIn, config: ZgwConfig, identificatie: str,
              today: date, label: str, note: str | None, nominatie: str | None = None) -> dict:
    """`POST /zaken`: the zaak, found again later by `identificatie` + `bronorganisatie`;
    `nominatie` is the archiefnominatie the zaaktype gives (`archiefnominatie`)."""
    rsin = config.data.rsin
    start = min(local_day(min(s.observed for s in subject.signals)), today)
    body: dict = {
        "identificatie": identificatie,
        "bronorganisatie": rsin,
        "verantwoordelijkeOrganisatie": rsin,
        "zaaktype": mapping.zaaktype,
        "omschrijving": omschrijving(subject, label),
        "toelichting": toelichting(subject, mapping, config, note),
        "startdatum": start.isoformat(),
        "registratiedatum": today.isoformat(),
        "kenmerken": [{"kenmerk": subject.id, "bron": BRON}],
        "vertrouwelijkheidaanduiding": mapping.vertrouwelijkheidaanduiding,
    }
    point = _point(subject)
    if point is not None:
        body["zaakgeometrie"] = point
    if nominatie in NOMINATIES:
        body["archiefnominatie"] = nominatie
    return body


NOMINATIES = ("blijvend_bewaren", "vernietigen")


def archiefnominatie(zaaktype: dict, resultaattypen: list[dict]) -> str | None:
    """The archiefnominatie a zaaktype gives. A Catalogi API 1.3.1 ZaakType has none of its
    own: it is a property of each of its resultaattypen, so the zaaktype gives one only when
    all its resultaattypen agree (the zaak's eventual result cannot change it then). A
    zaaktype of another implementation that carries one directly is taken at its word."""
    own = zaaktype.get("archiefnominatie")
    if own in NOMINATIES:
        return own
    found = {r.get("archiefnominatie") for r in resultaattypen}
    if len(found) == 1 and (only := found.pop()) in NOMINATIES:
        return only
    return None


def status_body(zaak_url: str, statustype: str, at: datetime) -> dict:
    """`POST /statussen`: the first status."""
    return {"zaak": zaak_url, "statustype": statustype, "datumStatusGezet": at.isoformat(),
            "statustoelichting": "Doorgezet vanuit Gebiedsradar"}


def cbs_parts(code: str, prefix: str) -> tuple[str, str, str] | None:
    """(gemeente, wijk, buurt) of a CBS wijk or buurt code: WK + gemeente (4) + wijk (2), BU +
    gemeente (4) + wijk (2) + buurt (2); e.g. BU01710101 → ("0171", "01", "01"). The Zaken
    API's ObjectWijk and ObjectBuurt take these parts, not the CBS code: `gemGemeenteCode` at
    most 4 characters, `wijkCode`/`wykWijkCode` and `buurtCode` at most 2 (and all required),
    so the whole code would be refused. None for a code of another shape (not sent)."""
    size = 8 if prefix == "WK" else 10
    if len(code) != size or not code.startswith(prefix) or not code[2:].isdigit():
        return None
    return code[2:6], code[6:8], code[8:10]


def object_bodies(subject: Subject, zaak_url: str) -> list[tuple[str, dict]]:
    """(key, `POST /zaakobjecten` body) for each kern (woonplaats), wijk and buurt of the
    subject (CBS codes), and for a kwestie each of its signals (objectType overige)."""
    out: dict[str, dict] = {}
    for s in subject.signals:
        if s.kern is not None:
            out.setdefault(f"woonplaats:{s.kern.code}".lower(), {
                "zaak": zaak_url, "objectType": "woonplaats", "relatieomschrijving": "Kern",
                "objectIdentificatie": {"identificatie": s.kern.code,
                                        "woonplaatsNaam": clip(s.kern.name, 80)}})
        wijk = cbs_parts(s.wijk.code, "WK") if s.wijk is not None else None
        if s.wijk is not None and wijk is not None:
            gemeente, code, _ = wijk
            # Keyed with the gemeente: wijk 01 of two gemeenten are two wijken.
            out.setdefault(f"wijk:{gemeente}:{code}", {
                "zaak": zaak_url, "objectType": "wijk", "relatieomschrijving": "Wijk",
                "objectIdentificatie": {"wijkCode": code, "wijkNaam": clip(s.wijk.name, 40),
                                        "gemGemeenteCode": gemeente}})
        buurt = cbs_parts(s.buurt.code, "BU") if s.buurt is not None else None
        if s.buurt is not None and buurt is not None:
            gemeente, code, buurt_code = buurt
            out.setdefault(f"buurt:{gemeente}:{code}:{buurt_code}", {
                "zaak": zaak_url, "objectType": "buurt", "relatieomschrijving": "Buurt",
                "objectIdentificatie": {"buurtCode": buurt_code,
                                        "buurtNaam": clip(s.buurt.name, 40),
                                        "gemGemeenteCode": gemeente, "wykWijkCode": code}})
    if subject.kind == "kwestie":
        for s in subject.signals:
            out[f"overige:{s.id}".lower()] = {
                "zaak": zaak_url, "objectType": "overige", "objectTypeOverige": SIGNAL_OBJECT,
                "relatieomschrijving": "Signaal in Gebiedsradar",
                "objectIdentificatie": {"overigeData": {
                    "identificatie": s.id, "categorie": s.category,
                    "waargenomen": s.observed.isoformat()}}}
    return list(out.items())


def object_key(obj: dict) -> str | None:
    """The key of a zaakobject as the case system returns it (keys camelCased, compared
    without case), to match it with `object_bodies`."""
    kind = str(obj.get("objectType", "")).lower()
    ident = {str(k).lower(): v for k, v in (obj.get("objectIdentificatie") or {}).items()}
    if kind == "woonplaats":
        return f"woonplaats:{ident.get('identificatie', '')}".lower()
    gemeente = ident.get("gemgemeentecode", "")
    if kind == "wijk":
        return f"wijk:{gemeente}:{ident.get('wijkcode', '')}".lower()
    if kind == "buurt":
        return (f"buurt:{gemeente}:{ident.get('wykwijkcode', '')}:"
                f"{ident.get('buurtcode', '')}").lower()
    if kind == "overige":
        data = {str(k).lower(): v for k, v in (ident.get("overigedata") or {}).items()}
        return f"overige:{data.get('identificatie', '')}".lower()
    return None


def sends_photos(subject: Subject, mapping: MappingIn) -> list[tuple[str, str]]:
    """(signal id, photo hash) of the photos to send: those of personal-data signals only
    when the mapping allows personal data."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for s in subject.signals:
        if s.personal and not mapping.send_personal_data:
            continue
        for h in s.photos:
            if h not in seen:
                seen.add(h)
                out.append((s.id, h))
    return out


EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def document_identificatie(identificatie: str, n: int) -> str:
    """The document's own identificatie (looked up before creating, like the zaak's)."""
    return f"{identificatie}-F{n}"


def document_body(photo: Photo, n: int, identificatie: str, mapping: MappingIn,
                  config: ZgwConfig, on: date) -> dict:
    """`POST /enkelvoudiginformatieobjecten`: one photo, base64, with its vertrouwelijkheid."""
    ext = EXTENSIONS.get(photo.content_type, "bin")
    return {
        "identificatie": document_identificatie(identificatie, n),
        "bronorganisatie": config.data.rsin,
        "creatiedatum": on.isoformat(),
        "titel": f"Foto {n} bij {identificatie}",
        "vertrouwelijkheidaanduiding": mapping.vertrouwelijkheidaanduiding,
        "auteur": clip(config.data.behandelaar, 200),
        "taal": "dut",
        "formaat": photo.content_type,
        "bestandsnaam": f"{identificatie}-foto-{n}.{ext}",
        "inhoud": base64.b64encode(photo.data).decode("ascii"),
        "informatieobjecttype": mapping.informatieobjecttype,
        "indicatieGebruiksrecht": False,
    }


def link_body(zaak_url: str, document_url: str, n: int, identificatie: str) -> dict:
    """`POST /zaakinformatieobjecten`: the photo linked with the zaak."""
    return {"zaak": zaak_url, "informatieobject": document_url,
            "titel": f"Foto {n} bij {identificatie}"}
