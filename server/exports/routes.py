"""HTTP routes: the CSV and GeoJSON exports, the Open311 read side and its settings.

Team leads and beheerders only (the contract); the settings are the beheerder's.
Errors are problem+json on every path, the `.xml` ones included: one error shape for
the whole API, and what Open311 clients do with an error is look at the HTTP status
(the GeoReport v2 `<errors>` document adds nothing a client can act on).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, get, put
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.response import Stream

from ..errors import NotFound, Unreadable
from ..guards import require_roles
from ..params import period_param
from ..signals.models import Status
from ..signals.queries import SignalFilter
from ..timeutil import LOCAL, now
from ..users.models import User
from . import open311
from .config import Open311Config, load_config, save_config
from .csv_export import MEDIA_TYPE as CSV_TYPE
from .geojson_export import MEDIA_TYPE as GEOJSON_TYPE
from .models import Open311Request, Open311Service
from .open311_xml import MEDIA_TYPE as XML_TYPE
from .open311_xml import requests_xml, services_xml
from .stream import Format, signal_export

LEADS = require_roles("teamleider", "beheerder")

Area = Annotated[str | None, QueryParameter(description="kern-, wijk- of buurtcode")]
CategoryParam = Annotated[str | None, QueryParameter(description="categorie of subcategorie")]
Since = Annotated[str | None, QueryParameter(
    description="observed_at vanaf (datum of RFC 3339-tijd), inclusief")]
Until = Annotated[str | None, QueryParameter(
    description="observed_at tot (RFC 3339-tijd, exclusief; een datum telt tot en met die dag)")]
Words = Annotated[str | None, QueryParameter(
    max_length=1000, description="zoekwoorden in de omschrijving (zoals bij GET /signals)")]
Mine = Annotated[bool, QueryParameter(description="alleen signalen die ik maakte")]
Assignee = Annotated[str | None, QueryParameter(
    min_length=1, max_length=64, description="alleen signalen overgedragen aan deze gebruiker (`me`: aan mij)")]
FollowUp = Annotated[Literal["due"] | None, QueryParameter(
    name="followUp", description="`due`: opvolgdatum vandaag of eerder, niet afgesloten")]
FollowUpSnake = Annotated[Literal["due"] | None, QueryParameter(name="follow_up", include_in_schema=False)]
Pseudonymised = Annotated[bool, QueryParameter(
    description="zonder omschrijving en auteurs; locaties afgerond op het raster van de Open311-"
                "instelling (standaard 100 m); van signalen met persoonsgegevens geen locatie en buurt")]


def signal_filter(user: User, area: str | None, category: str | None, status: str | None,
                  since: str | None, until: str | None, q: str | None, mine: bool,
                  assignee: str | None, follow_up: bool) -> SignalFilter:
    """The filter of GET /signals from the same query values."""
    return SignalFilter(area=area, category=category, status=status,
                        since=period_param("since", since, end=False),
                        until=period_param("until", until, end=True), q=q,
                        created_by=user.username if mine else None,
                        assignee=user.username if assignee == "me" else assignee,
                        follow_up_by=now().astimezone(LOCAL).date() if follow_up else None)


def _export_filter(request: Request[User, str, State], area: Area = None,
                   category: CategoryParam = None,
                   status: Annotated[Status | None, QueryParameter()] = None,
                   since: Since = None, until: Until = None, q: Words = None, mine: Mine = False,
                   assignee: Assignee = None, follow_up: FollowUp = None,
                   follow_up_snake: FollowUpSnake = None) -> SignalFilter:
    """The query of both exports (a dependency: one list of parameters for both)."""
    return signal_filter(request.user, area, category, status, since, until, q, mine, assignee,
                         bool(follow_up or follow_up_snake))


def _stream(state: State, user: User, flt: SignalFilter, fmt: Format, pseudonymised: bool) -> Stream:
    grid = load_config(state.db.conn).location_rounding_m
    export = signal_export(state.db, state.areas.fresh(), user, flt, fmt,
                           pseudonymised=pseudonymised, grid_m=grid)
    name = (f"gebiedsradar-signalen-{now().astimezone(LOCAL).date().isoformat()}"
            f"{'-gepseudonimiseerd' if pseudonymised else ''}.{fmt}")
    return Stream(export, media_type=CSV_TYPE if fmt == "csv" else GEOJSON_TYPE,
                  headers={"Content-Disposition": f'attachment; filename="{name}"'})


class ExportController(Controller):
    path = "/export"
    tags = ["Export"]
    guards = [LEADS]

    @get("/signals.csv", operation_id="exportSignalsCsv", sync_to_thread=True, media_type=CSV_TYPE,
         dependencies={"flt": Provide(_export_filter, sync_to_thread=False)},
         summary="The signals of GET /signals (same filters, no paging) as CSV for Dutch Excel:"
                 " UTF-8 with BOM, `;`, decimal comma; streamed")
    def signals_csv(self, request: Request[User, str, State], state: State, flt: NamedDependency[SignalFilter],
                    pseudonymised: Pseudonymised = False) -> Stream:
        return _stream(state, request.user, flt, "csv", pseudonymised)

    @get("/signals.geojson", operation_id="exportSignalsGeoJson", sync_to_thread=True,
         media_type=GEOJSON_TYPE, dependencies={"flt": Provide(_export_filter, sync_to_thread=False)},
         summary="The signals of GET /signals (same filters, no paging) as a GeoJSON"
                 " FeatureCollection (RFC 7946); streamed")
    def signals_geojson(self, request: Request[User, str, State], state: State, flt: NamedDependency[SignalFilter],
                        pseudonymised: Pseudonymised = False) -> Stream:
        return _stream(state, request.user, flt, "geojson", pseudonymised)

    @get("/open311/config", operation_id="getOpen311Config", sync_to_thread=True,
         guards=[require_roles("beheerder")], summary="What Open311 consumers get to see")
    def get_open311_config(self, state: State) -> Open311Config:
        return load_config(state.db.conn)

    @put("/open311/config", operation_id="putOpen311Config", sync_to_thread=True,
         guards=[require_roles("beheerder")],
         summary="Replace the Open311 settings (descriptions, location rounding, agency)")
    def put_open311_config(self, request: Request[User, str, State], state: State,
                           data: JSONBody[Open311Config]) -> Open311Config:
        return save_config(state.db, request.user.username, data)


ServiceCode = Annotated[str | None, QueryParameter(
    name="serviceCode", description="service_code, meerdere met komma's (Open311: `service_code`)")]
ServiceCodeSnake = Annotated[str | None, QueryParameter(name="service_code", include_in_schema=False)]
StartDate = Annotated[str | None, QueryParameter(
    name="startDate", description="requested_datetime vanaf, ISO 8601 (Open311: `start_date`);"
                                  " zonder start- en einddatum: de laatste 90 dagen")]
StartDateSnake = Annotated[str | None, QueryParameter(name="start_date", include_in_schema=False)]
EndDate = Annotated[str | None, QueryParameter(
    name="endDate", description="requested_datetime tot en met, ISO 8601 (Open311: `end_date`)")]
EndDateSnake = Annotated[str | None, QueryParameter(name="end_date", include_in_schema=False)]
RequestIds = Annotated[str | None, QueryParameter(
    name="serviceRequestId", description="alleen deze ids, met komma's; gaat boven de andere"
                                          " filters (Open311: `service_request_id`)")]
RequestIdsSnake = Annotated[str | None, QueryParameter(name="service_request_id", include_in_schema=False)]
OpenClosed = Annotated[str | None, QueryParameter(
    description="`open`, `closed` of `open,closed` (afgesloten is closed)")]
Page = Annotated[int, QueryParameter(ge=1, le=10**9, description="pagina, vanaf 1")]
PageSize = Annotated[int | None, QueryParameter(
    name="pageSize", ge=1, le=open311.MAX_PAGE_SIZE,
    description=f"aantal per pagina ({open311.DEFAULT_PAGE_SIZE}; Open311: `page_size`)")]
PageSizeSnake = Annotated[int | None, QueryParameter(
    name="page_size", ge=1, le=open311.MAX_PAGE_SIZE, include_in_schema=False)]
JurisdictionSnake = Annotated[str | None, QueryParameter(name="jurisdiction_id", include_in_schema=False)]


def _open311_query(service_code: ServiceCode = None, service_code_snake: ServiceCodeSnake = None,
                   status: OpenClosed = None, start_date: StartDate = None,
                   start_date_snake: StartDateSnake = None, end_date: EndDate = None,
                   end_date_snake: EndDateSnake = None, service_request_id: RequestIds = None,
                   service_request_id_snake: RequestIdsSnake = None, page: Page = 1,
                   page_size: PageSize = None,
                   page_size_snake: PageSizeSnake = None) -> open311.RequestQuery:
    """The query of requests.json and requests.xml (a dependency: one list of parameters,
    the specification's snake_case names or the document's camelCase ones)."""
    return _query(service_code or service_code_snake, status, start_date or start_date_snake,
                  end_date or end_date_snake, service_request_id or service_request_id_snake,
                  page, page_size or page_size_snake)


def _query(service_code: str | None, status: str | None, start_date: str | None,
           end_date: str | None, ids: str | None, page: int, page_size: int | None) -> open311.RequestQuery:
    id_list = open311.split_list("serviceRequestId", ids)
    if len(id_list) > open311.MAX_PAGE_SIZE:
        raise Unreadable("serviceRequestId", f"hooguit {open311.MAX_PAGE_SIZE} ids")
    return open311.RequestQuery(
        service_codes=open311.split_list("serviceCode", service_code),
        statuses=open311.split_list("status", status, ("open", "closed")),
        start=period_param("startDate", start_date, end=False),
        end=period_param("endDate", end_date, end=True),
        ids=id_list, page=page, page_size=page_size or open311.DEFAULT_PAGE_SIZE)


class Open311Controller(Controller):
    """GeoReport v2 (https://wiki.open311.org/GeoReport_v2), read side. The query names of the
    specification (snake_case) are accepted as sent; the document shows camelCase names."""

    path = "/open311"
    tags = ["Open311"]
    guards = [LEADS]

    def _requests(self, request: Request[User, str, State], state: State,
                  query: open311.RequestQuery) -> list[Open311Request]:
        return open311.list_requests(state.db.conn, state.areas.fresh(), request.user, query,
                                     load_config(state.db.conn))

    @get("/services.json", operation_id="listOpen311Services", sync_to_thread=True,
         summary="Open311 services: one per category and subcategory")
    def services_json(self, state: State, jurisdiction_id: JurisdictionSnake = None) -> list[Open311Service]:
        return open311.services(state.db.conn)

    @get("/services.xml", operation_id="listOpen311ServicesXml", sync_to_thread=True,
         media_type=XML_TYPE, summary="Open311 services as XML")
    def services_xml(self, state: State, jurisdiction_id: JurisdictionSnake = None) -> Response[bytes]:
        return Response(services_xml(open311.services(state.db.conn)), media_type=XML_TYPE)

    @get("/requests.json", operation_id="listOpen311Requests", sync_to_thread=True,
         dependencies={"wanted": Provide(_open311_query, sync_to_thread=False)},
         summary="Open311 service requests: signals without personal data, newest first, locations"
                 " rounded")
    def requests_json(self, request: Request[User, str, State], state: State,
                      wanted: NamedDependency[open311.RequestQuery],
                      jurisdiction_id: JurisdictionSnake = None) -> list[Open311Request]:
        return self._requests(request, state, wanted)

    @get("/requests.xml", operation_id="listOpen311RequestsXml", sync_to_thread=True,
         media_type=XML_TYPE, dependencies={"wanted": Provide(_open311_query, sync_to_thread=False)},
         summary="Open311 service requests as XML")
    def requests_xml(self, request: Request[User, str, State], state: State,
                     wanted: NamedDependency[open311.RequestQuery],
                     jurisdiction_id: JurisdictionSnake = None) -> Response[bytes]:
        return Response(requests_xml(self._requests(request, state, wanted)), media_type=XML_TYPE)

    @get("/requests/{request_file:str}", operation_id="getOpen311Request", sync_to_thread=True,
         media_type=XML_TYPE,
         summary="One Open311 service request: `{id}.json` or `{id}.xml` (the path parameter holds"
                 " the id and the format, e.g. 3f2b….json); answered as a list of one, as the"
                 " specification does")
    def one_request(self, request: Request[User, str, State], state: State,
                    request_file: Annotated[str, PathParameter(
                        description="het id van het signaal met .json of .xml erachter",
                        pattern=r"^[0-9a-fA-F-]{1,64}\.(json|xml)$")],
                    jurisdiction_id: JurisdictionSnake = None) -> Response[bytes]:
        request_id, _, fmt = request_file.rpartition(".")
        if fmt not in ("json", "xml") or not request_id:
            raise NotFound(f"Open311-verzoek {request_file} bestaat niet; vraag <id>.json of <id>.xml.")
        found = open311.one_request(state.db.conn, state.areas.fresh(), request.user, request_id.lower(),
                                    load_config(state.db.conn))
        if found is None:
            raise NotFound(f"Open311-verzoek {request_id} bestaat niet of is niet openbaar.")
        if fmt == "xml":
            return Response(requests_xml([found]), media_type=XML_TYPE)
        return Response(msgspec.json.encode([found]), media_type="application/json")
