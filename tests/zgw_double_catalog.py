"""The ZGW test double's fixed parts: the three specifications (with their known quirks
patched) and the seeded Catalogi API objects.

Kept apart from `zgw_double.py` (the server and its state) so each file holds one thing.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).resolve().parent / "data" / "specs"

# API name -> (spec file, version Open Zaak 1.21 reports in its `API-version` header).
APIS = {
    "zaken": ("zaken-api-1.5.1.yaml", "1.5.1"),
    "documenten": ("documenten-api-1.4.2.yaml", "1.4.2"),
    "catalogi": ("catalogi-api-1.3.1.yaml", "1.3.1"),
}


def _patch_nullable_allof(node: Any) -> None:
    """`{"allOf": [X], "nullable": true}` rejects null in openapi-core (the null reaches X,
    which is not nullable): rewrite it as `anyOf: [X, {"enum": [null]}]`, which means what
    the specification intends (e.g. `zaakgeometrie`, `verlenging` may be null)."""
    if isinstance(node, dict):
        if node.get("nullable") is True and "allOf" in node and len(node["allOf"]) == 1:
            node["anyOf"] = [node.pop("allOf")[0], {"enum": [None]}]
        for value in node.values():
            _patch_nullable_allof(value)
    elif isinstance(node, list):
        for value in node:
            _patch_nullable_allof(value)


@functools.cache
def spec(api: str) -> dict[str, Any]:
    """The parsed specification of `api` ("zaken", "documenten", "catalogi"), quirks patched.

    Patched (documented in tests/data/README.md): nullable `allOf` (see above), and in the
    Catalogi API `ZaakType.informatieobjecttypen` and `InformatieObjectType.zaaktypen`, which
    the generated specification types as a string while Open Zaak answers a list of URLs.
    Read-only properties listed in `required` need no patch: openapi-core skips them in
    requests and rejects them when a client sends them.
    """
    filename, _version = APIS[api]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SPECS / filename).open(encoding="utf-8") as fh:
        document = yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    _patch_nullable_allof(document)
    if api == "catalogi":
        schemas = document["components"]["schemas"]
        url_list = {"type": "array", "readOnly": True, "items": {"type": "string", "format": "uri"}}
        schemas["ZaakType"]["properties"]["informatieobjecttypen"] = copy.deepcopy(url_list)
        schemas["InformatieObjectType"]["properties"]["zaaktypen"] = copy.deepcopy(url_list)
    return document


@functools.cache
def spec_for_openapi_core(api: str) -> dict[str, Any]:
    """`spec(api)` without its optional query parameters, which the double checks itself.

    openapi-core resolves every declared parameter on every request, sent or not: `GET /zaken`
    declares 45 filters, and checking them took 16 ms a call (the benchmark's lookups by
    identificatie). `zgw_double._check_query` validates the parameters actually sent against
    the same schemas.
    """
    document = dict(spec(api))
    paths = {}
    for template, operations in document["paths"].items():
        paths[template] = {
            method: (dict(op, parameters=[p for p in op.get("parameters", [])
                                          if p.get("in") != "query" or p.get("required")])
                     if isinstance(op, dict) and "parameters" in op else op)
            for method, op in operations.items()}
    document["paths"] = paths
    return document


def seed_catalogue(catalogi_api: str, new_uuid, rsin: str) -> dict[str, Any]:
    """The Catalogi API objects a test double starts with.

    Returns {"objects": {url: (kind, object)}, plus the named URLs}. `new_uuid()` gives the
    next uuid string (the double's deterministic sequence).
    """
    def url(resource: str) -> str:
        return f"{catalogi_api}/{resource}/{new_uuid()}"

    catalogus = url("catalogussen")
    zaaktype = url("zaaktypen")
    concept_zaaktype = url("zaaktypen")
    statustypen = [url("statustypen") for _ in range(3)]
    resultaattype = url("resultaattypen")
    foto = url("informatieobjecttypen")
    brief = url("informatieobjecttypen")
    objects: dict[str, tuple[str, dict[str, Any]]] = {}

    def zaaktype_object(u: str, identificatie: str, omschrijving: str, concept: bool,
                        sts: list[str], rts: list[str], iots: list[str]) -> dict[str, Any]:
        return {
            "url": u, "identificatie": identificatie, "omschrijving": omschrijving,
            "omschrijvingGeneriek": "", "vertrouwelijkheidaanduiding": "intern",
            "doel": "Meldingen en signalen over de openbare ruimte afhandelen.",
            "aanleiding": "Een melding of signaal over de openbare ruimte.", "toelichting": "",
            "indicatieInternOfExtern": "extern", "handelingInitiator": "Melden",
            "onderwerp": "Openbare ruimte", "handelingBehandelaar": "Behandelen",
            "doorlooptijd": "P28D", "servicenorm": None, "opschortingEnAanhoudingMogelijk": False,
            "verlengingMogelijk": False, "verlengingstermijn": None, "trefwoorden": [],
            "publicatieIndicatie": False, "publicatietekst": "", "verantwoordingsrelatie": [],
            "productenOfDiensten": [], "selectielijstProcestype": "",
            "referentieproces": {"naam": "Melding openbare ruimte", "link": ""},
            "verantwoordelijke": rsin, "zaakobjecttypen": [], "catalogus": catalogus,
            "statustypen": sts, "resultaattypen": rts, "eigenschappen": [],
            "informatieobjecttypen": iots, "roltypen": [], "besluittypen": [],
            "deelzaaktypen": [], "gerelateerdeZaaktypen": [], "beginGeldigheid": "2024-01-01",
            "eindeGeldigheid": None, "beginObject": "2024-01-01", "eindeObject": None,
            "versiedatum": "2024-01-01", "concept": concept,
        }

    objects[zaaktype] = ("zaaktype", zaaktype_object(
        zaaktype, "MOR-2024", "Melding openbare ruimte", False, statustypen, [resultaattype], [foto]))
    objects[concept_zaaktype] = ("zaaktype", zaaktype_object(
        concept_zaaktype, "MOR-2025", "Melding openbare ruimte (nieuwe versie)", True, [], [], []))
    for number, (u, omschrijving) in enumerate(
            zip(statustypen, ["Ontvangen", "In behandeling", "Afgehandeld"], strict=True), start=1):
        objects[u] = ("statustype", {
            "url": u, "omschrijving": omschrijving, "omschrijvingGeneriek": "", "statustekst": "",
            "zaaktype": zaaktype, "catalogus": catalogus, "zaaktypeIdentificatie": "MOR-2024",
            "volgnummer": number, "isEindstatus": number == 3, "informeren": False,
            "doorlooptijd": None, "toelichting": None, "checklistitemStatustype": [],
            "eigenschappen": [], "beginGeldigheid": None, "eindeGeldigheid": None,
            "beginObject": None, "eindeObject": None, "zaakobjecttype": "",
        })
    objects[resultaattype] = ("resultaattype", {
        "url": resultaattype, "zaaktype": zaaktype, "zaaktypeIdentificatie": "MOR-2024",
        "omschrijving": "Afgehandeld",
        "resultaattypeomschrijving":
            "https://selectielijst.openzaak.nl/api/v1/resultaattypeomschrijvingen/"
            "7cb315fb-4f7b-4a43-aca1-e4522e4c73b3",
        "omschrijvingGeneriek": "Afgehandeld",
        "selectielijstklasse":
            "https://selectielijst.openzaak.nl/api/v1/resultaten/afa30940-855b-4a7e-aa21-9e15a8078814",
        "toelichting": "", "archiefnominatie": "vernietigen", "archiefactietermijn": "P10Y",
        "brondatumArchiefprocedure": {
            "afleidingswijze": "afgehandeld", "datumkenmerk": "", "einddatumBekend": False,
            "objecttype": "", "registratie": "", "procestermijn": None,
        },
        "procesobjectaard": "", "catalogus": catalogus, "beginGeldigheid": None,
        "eindeGeldigheid": None, "beginObject": None, "eindeObject": None,
        "indicatieSpecifiek": None, "procestermijn": None, "besluittypen": [],
        "besluittypeOmschrijving": [], "informatieobjecttypen": [],
        "informatieobjecttypeOmschrijving": [], "zaakobjecttypen": [],
    })
    for u, omschrijving, zaaktypen in ((foto, "Foto", [zaaktype]), (brief, "Brief", [])):
        objects[u] = ("informatieobjecttype", {
            "url": u, "catalogus": catalogus, "omschrijving": omschrijving,
            "vertrouwelijkheidaanduiding": "intern", "beginGeldigheid": "2024-01-01",
            "eindeGeldigheid": None, "beginObject": "2024-01-01", "eindeObject": None,
            "concept": False, "zaaktypen": zaaktypen, "besluittypen": [],
            "informatieobjectcategorie": omschrijving, "trefwoord": [],
            "omschrijvingGeneriek": {
                "informatieobjecttypeOmschrijvingGeneriek": "",
                "definitieInformatieobjecttypeOmschrijvingGeneriek": "",
                "herkomstInformatieobjecttypeOmschrijvingGeneriek": "",
                "hierarchieInformatieobjecttypeOmschrijvingGeneriek": "",
                "opmerkingInformatieobjecttypeOmschrijvingGeneriek": "",
            },
        })
    return {
        "objects": objects, "catalogus_url": catalogus, "zaaktype_url": zaaktype,
        "concept_zaaktype_url": concept_zaaktype, "statustype_urls": statustypen,
        "eindstatustype_url": statustypen[-1], "resultaattype_url": resultaattype,
        "informatieobjecttype_url": foto, "other_informatieobjecttype_url": brief,
    }
