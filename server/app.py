"""The Litestar application factory."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, Router, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.types import Receive, Scope, Send

from . import retention
from .alerts.detect import DetectionSettings, detect
from .alerts.routes import AlertsController
from .alerts.scheduler import Debounced
from .areas.routes import AreasController
from .areas.store import AreaCatalog
from .attachments.routes import AttachmentsController
from .auth.login import Logins
from .auth.middleware import BearerAuthMiddleware
from .auth.routes import AuthController
from .auth.throttle import ThrottleLimits
from .auth.tokens import secret_key
from .bootstrap import open_database
from .categories.routes import CategoriesController
from .content import require_json
from .events import Events
from .exports.routes import ExportController, Open311Controller
from .guards import PUBLIC
from .health import health
from .kwesties.routes import KwestiesController
from .methods import allowed_methods
from .openapi import public_operations, shape_openapi
from .problems import PROBLEM_JSON, handle_exception, make_problem
from .request_context import RequestContextMiddleware
from .retention.scheduler import Periodic
from .settings import API_PREFIX, API_VERSION, Settings
from .signals.group_commit import GroupCommit
from .signals.routes import SignalsController
from .signals.service import SignalService
from .stats.routes import StatsController
from .sync.routes import SyncController
from .users.routes import UsersController
from .zgw.routes import ZaakController, ZgwConfigController
from .zgw.runtime import ZgwRuntime

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "strict-transport-security": "max-age=31536000",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
APP_CSP = ("default-src 'self'; img-src 'self' data: blob: https://service.pdok.nl; "
           "style-src 'self' 'unsafe-inline'; connect-src 'self'; worker-src 'self'; "
           "manifest-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")


def _cache_control(path: str) -> str:
    if path.startswith("/api/"):
        return "no-store"
    if path.startswith("/assets/"):
        return "public, max-age=31536000, immutable"  # file names carry a content hash
    return "no-cache"  # index.html, sw.js, manifest: always revalidate so updates arrive


@get(API_PREFIX + "/openapi.json", opt=PUBLIC, include_in_schema=False, sync_to_thread=False)
def openapi_json(request: Request[Any, Any, State]) -> Response[bytes]:
    state = request.app.state
    if state.get("openapi") is None:
        state.openapi = msgspec.json.encode(shape_openapi(request.app.openapi_schema.to_schema(),
                                                          public_operations(request.app)))
    return Response(state.openapi, media_type="application/json",
                    headers={"Access-Control-Allow-Origin": "*"})


class GebiedsradarApp(Litestar):
    """Litestar with the headers every response carries and ADR's trailing-slash rule."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Outermost, so the audit of a denial (in the exception handler) knows the request.
        await RequestContextMiddleware(self._serve)(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {**SECURITY_HEADERS, "api-version": API_VERSION,
                         "cache-control": _cache_control(path),
                         "content-security-policy": API_CSP if path.startswith("/api/") else APP_CSP}
                headers += [(k.encode(), v.encode()) for k, v in extra.items()
                            if k.encode() not in names]
                message = {**message, "headers": headers}
            await send(message)

        if path.startswith("/api/") and path.endswith("/"):
            # NL API Design Rules: no trailing slashes, and no redirect to the right path.
            body = msgspec.json.encode(make_problem(
                404, "Laat de / aan het eind weg.", instance=path))
            await send_with_headers({"type": "http.response.start", "status": 404,
                                     "headers": [(b"content-type", PROBLEM_JSON.encode()),
                                                 (b"content-length", str(len(body)).encode())]})
            await send_with_headers({"type": "http.response.body", "body": body})
            return
        if scope["method"] == "OPTIONS" and path.startswith("/api/") \
                and (allow := allowed_methods(self, path)) is not None:
            # Before auth and guards: OPTIONS only tells the methods (methods.py).
            await send_with_headers({"type": "http.response.start", "status": 204,
                                     "headers": [(b"allow", allow.encode())]})
            await send_with_headers({"type": "http.response.body", "body": b""})
            return
        await super().__call__(scope, receive, send_with_headers)


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the app: open (and if needed initialise) the database, mount API and PWA."""
    settings = settings or Settings.from_env()
    opened = open_database(settings)
    db = opened.db
    catalog = AreaCatalog(db)
    detector = Debounced(
        lambda: detect(db, catalog, settings=DetectionSettings(settings.false_alarms_per_area_year)),
        settings.alert_debounce_seconds)
    events = Events()
    if settings.detect_after_changes:
        events.subscribe(lambda _: detector.request())  # new or changed signals: look soon
        catalog.on_reload = detector.request  # an area import elsewhere re-assigned signals
    writes = GroupCommit(SignalService(db, catalog, events))
    db.writer = writes.write  # audit entries of reads join the writer's group commits
    # Retention rules once a day (and a minute after start), off the request path.
    every = settings.retention_interval_hours * 3600
    retention_runs = Periodic(lambda: retention.run(db, settings), every, first=min(60.0, every))
    # ZGW hand-off (issue 13): the outbox worker and the 15-minute poller of open zaken.
    zgw = ZgwRuntime(db, settings, writes.call)
    key = secret_key(db, settings.secret_key)
    state = State({
        "settings": settings,
        "db": db,
        "areas": catalog,
        "detector": detector,
        "events": events,
        "writes": writes,
        "secret_key": key,
        "logins": Logins(db, ThrottleLimits(pepper=key.encode()), hashing=settings.login_hashing,
                         waiting=settings.login_waiting, writes=writes),
        "openapi": None,
        "zgw": zgw,
    })
    api = Router(path=API_PREFIX, route_handlers=[
        health, AuthController, UsersController, CategoriesController, AreasController,
        SignalsController, SyncController, AttachmentsController,
        StatsController, AlertsController, KwestiesController,
        ZgwConfigController, ZaakController,
        ExportController, Open311Controller,
    ])
    handlers: list[Any] = [api, openapi_json]
    index = settings.pwa_dist / "index.html"
    if index.exists():
        handlers.append(create_static_files_router(
            path="/", directories=[settings.pwa_dist], html_mode=True, opt=PUBLIC,
            include_in_schema=False, name="pwa"))
    else:
        log.warning("no PWA build at %s: run `make build` (the API works without it)",
                    settings.pwa_dist)

    def not_found(request: Request, exc: Exception) -> Response[Any]:
        # The app routes in the browser: unknown non-API paths get the app itself.
        if not request.url.path.startswith("/api/") and index.exists() \
                and request.method in ("GET", "HEAD"):
            return File(index, content_disposition_type="inline", media_type="text/html")
        return handle_exception(request, exc)

    return GebiedsradarApp(
        route_handlers=handlers,
        state=state,
        middleware=[DefineMiddleware(BearerAuthMiddleware, exclude=["^/$", "^/assets/"])],
        exception_handlers={NotFoundException: not_found, Exception: handle_exception},
        before_request=require_json,
        openapi_config=OpenAPIConfig(
            title="Gebiedsradar API", version=API_VERSION, path=API_PREFIX + "/_schema",
            render_plugins=[JsonRenderPlugin()],
            description="Signalen van gebiedsregisseurs: vastleggen, synchroniseren,"
                        " groeperen per kern, wijk en buurt, en vroeg waarschuwen.",
        ),
        on_startup=[retention_runs.start, zgw.start],
        on_shutdown=[zgw.stop, lambda: setattr(db, "writer", None), writes.stop, detector.cancel,
                     retention_runs.stop, lambda: db.close()],
        debug=False,
    )
