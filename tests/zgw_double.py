"""A stateful test double of the ZGW Zaken API 1.5.1, Documenten API 1.4.2 and Catalogi API
1.3.1, served like Open Zaak 1.21 under one host, for the hand-off tests and benchmark.

    with ZgwDouble() as double:             # or the `zgw_double` fixture (tests/conftest.py)
        config = double.config()            # a Gebiedsradar ZGW configuration body
        ...                                 # the product talks HTTP to double.base
        double.advance(zaak_url)            # a case worker sets the next status
        double.close(zaak_url)              # ... and a resultaat plus the eindstatus
        assert double.violations == []

Served (everything else in the specifications answers 501 and is a violation):
Zaken API `{base}/zaken/api/v1`: POST/GET /zaken (filters identificatie, bronorganisatie,
zaaktype), GET/PATCH /zaken/{uuid}, POST/GET /statussen (zaak, statustype,
indicatieLaatstGezetteStatus), GET /statussen/{uuid}, POST/GET /zaakobjecten(/{uuid}) (zaak,
object, objectType), POST/GET /resultaten(/{uuid}) (zaak, resultaattype), POST/GET
/zaakinformatieobjecten(/{uuid}) (zaak, informatieobject; not paged, as specified).
Documenten API `{base}/documenten/api/v1`: POST/GET /enkelvoudiginformatieobjecten (bronorganisatie,
identificatie), GET /enkelvoudiginformatieobjecten/{uuid} and .../{uuid}/download.
Catalogi API `{base}/catalogi/api/v1`: GET /zaaktypen, /statustypen, /resultaattypen,
/informatieobjecttypen and each /{uuid} (lists default to `status=definitief`, as Open Zaak).
Lists are paged like Open Zaak: {"count", "next", "previous", "results"}, 100 a page.

Checked on every request, in Open Zaak's order; each refusal is answered as Open Zaak answers
it (a ZGW problem body) and recorded in `violations` ("METHOD /path: what"):
- bearer JWT, HS256 with `secret`, claims iss, iat, client_id (= `client_id`): 401 without,
  403 when invalid or more than 3600 s after iat (by `clock`);
- on the Zaken API's /zaken resource only: `Accept-Crs` and `Content-Crs` `EPSG:4326`
  (412 when missing, 406/415 when another CRS);
- a body that is not `application/json`: 415;
- path, query, headers and body against the specification with openapi-core (400 with
  invalidParams name/code/reason; 404/405 for paths and methods the specification lacks), and
  the `ZaakObject` discriminator (objectIdentificatie against the schema objectType picks);
- Open Zaak's rules: URLs with the request's scheme, host and port (`unknown-service`) that
  resolve to an object of the right kind (`does-not-exist`, `bad-url`); RSIN 11-proef for
  bronorganisatie and verantwoordelijkeOrganisatie; identificatie unique per bronorganisatie
  (`identificatie-niet-uniek`); no zaak of a concept zaaktype (`not-published`); statustype and
  resultaattype of the zaak's zaaktype; one resultaat per zaak; an eindstatus only after a
  resultaat and with indicatieGebruiksrecht set on every linked document; a document only
  linked when the zaaktype lists its informatieobjecttype.
Recorded but answered like Open Zaak (which ignores them): body fields and query parameters
the specification does not know. Every answer of the double itself is validated against the
specification too ("antwoord van de double ..." in `violations`). A GET of an unknown object
answers 404 and is no violation.

Public interface of `ZgwDouble(client_id="gebiedsradar", secret=<40 chars>, rsin="002564440",
seed=13, validate_responses=True)` (seed: the uuid sequence; validate_responses=False halves
the time per call, for a benchmark):
- `start()`/`stop()`, context manager; `base`, `zaken_api`, `documenten_api`, `catalogi_api`,
  `client_id`, `secret`, `rsin`; `config(**overrides)`; `token(**claims)` and `headers()` (a
  correct client's JWT and /zaken headers, for tests); `clock` (callable, default time.time).
- Catalogue: `zaaktype_url` ("Melding openbare ruimte", published), `concept_zaaktype_url`,
  `statustype_urls` (volgnummer 1 Ontvangen, 2 In behandeling, 3 Afgehandeld = eindstatus),
  `eindstatustype_url`, `resultaattype_url` (archiefnominatie "vernietigen"),
  `informatieobjecttype_url` ("Foto", listed on the zaaktype), `other_informatieobjecttype_url`
  ("Brief", not listed), `catalogus_url`.
- State, as GET answers it: `zaken`, `statussen`, `zaakobjecten`, `resultaten`, `documenten`,
  `zaakinformatieobjecten` (lists of dicts), `zaken_by_kenmerk(kenmerk)`,
  `document_content(url)` (bytes); `calls` [(method, path, status)], status 0 for a dropped
  connection; `violations` [str].
- A case worker: `advance(zaak_url, statustype_url=None, toelichting="")`, `close(zaak_url,
  toelichting=...)`; both raise AssertionError where Open Zaak would refuse, then call
  `on_change(zaak_url)` if set (e.g. to post a Notificaties API callback).
- Faults (thread-safe; `path_regex` is searched in the path without query string, method
  "*" matches any, `times=None` for ever): `fail(method, path_regex, status=503, times=1,
  body=None)`, `drop(method, path_regex, times=1, after_commit=True)`, `delay(method,
  path_regex, seconds, times=1)`, `decide = callable(method, path) -> None | ("fail", status)
  | ("drop_before",) | ("drop_after",) | ("delay", seconds)` (asked first, for every call),
  `clear_faults()`. Injected answers are not violations.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import datetime as dt
import functools
import json
import random
import re
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    MissingParameterError,
    MissingRequestBodyError,
    SecurityValidationError,
)
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator, oas30_format_checker
from werkzeug.datastructures import Headers, ImmutableMultiDict

from zgw_double_catalog import APIS, seed_catalogue, spec, spec_for_openapi_core

TOKEN_MAX_AGE = 3600          # Open Zaak refuses a JWT this many seconds after its `iat`
PAGE_SIZE = 100               # Open Zaak's page size for lists
CRS = "EPSG:4326"


class _Dropped(Exception):
    """Raised inside the handler: close the connection without an answer."""


@dataclass
class _Rule:
    action: str               # "fail", "drop_before", "drop_after", "delay"
    method: str
    pattern: re.Pattern[str]
    times: int | None         # None: for ever
    status: int = 503
    body: dict[str, Any] | None = None
    seconds: float = 0.0


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] | None = None
    content_type: str = "application/json"
    raw: bytes | None = None


class _Problem(Exception):
    """An answer the way Open Zaak refuses a request (a ZGW problem body)."""

    def __init__(self, status: int, code: str, detail: str,
                 invalid_params: list[dict[str, str]] | None = None, *, violation: bool = True):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.invalid_params = invalid_params
        self.violation = violation


def _invalid(name: str, code: str, reason: str) -> _Problem:
    return _Problem(400, "invalid", "Ongeldige invoer.", [{"name": name, "code": code, "reason": reason}])


TITLES = {400: "Ongeldige invoer.", 401: "Authenticatiegegevens zijn niet opgegeven.",
          403: "U heeft geen toestemming om deze actie uit te voeren.", 404: "Niet gevonden.",
          405: "Methode niet toegestaan.", 406: "Kon niet voldoen aan de opgegeven Accept header.",
          409: "Conflict.", 412: "Precondition failed", 415: "Media type niet ondersteund.",
          500: "Er is een serverfout opgetreden.", 501: "Niet geïmplementeerd.",
          502: "Bad gateway.", 503: "Service tijdelijk niet beschikbaar.", 504: "Gateway time-out."}
CODES = {400: "invalid", 401: "not_authenticated", 403: "permission_denied", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 409: "conflict",
         412: "precondition_failed", 415: "unsupported_media_type", 500: "error"}


def rsin_valid(value: str) -> bool:
    """The 11-proef of an RSIN/BSN: nine digits, sum of digit*weight (9..2, -1) divisible by 11."""
    if not re.fullmatch(r"\d{9}", value or ""):
        return False
    total = sum(int(d) * w for d, w in zip(value[:8], range(9, 1, -1), strict=True)) - int(value[8])
    return total % 11 == 0


def camelize(value: Any) -> Any:
    """Keys of nested dicts in camelCase, as Open Zaak's renderer answers them."""
    if isinstance(value, dict):
        return {re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), k) if isinstance(k, str) else k:
                camelize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camelize(v) for v in value]
    return value


def _format_uri(value: Any) -> bool:
    # Open Zaak answers "" for unset URL fields; everything else needs a scheme and host.
    if not isinstance(value, str):
        return True
    if value == "":
        return True
    parts = urlsplit(value)
    return bool(parts.scheme in ("http", "https") and parts.netloc)


class _SpecRequest:
    """The openapi-core request protocol over what the handler read."""

    def __init__(self, host_url: str, method: str, path: str, query: list[tuple[str, str]],
                 headers: dict[str, str], body: bytes | None):
        self.host_url, self.method, self.path = host_url, method.lower(), path
        self.full_url_pattern = host_url + path
        self.parameters = RequestParameters(query=ImmutableMultiDict(query), header=Headers(headers),
                                            cookie=ImmutableMultiDict(), path={})
        self.body = body or None
        ctype = headers.get("Content-Type") or headers.get("content-type") or ""
        self.content_type = ctype.lower()


class _SpecResponse:
    def __init__(self, status: int, headers: dict[str, str], content_type: str, data: bytes):
        self.status_code, self.content_type, self.data = status, content_type, data
        self.headers = Headers(headers)


def _schema_errors(exc: Exception) -> list[tuple[str, str, str]]:
    """(name, code, reason) for every schema error under an openapi-core exception."""
    cause = exc.__cause__ or exc
    errors = getattr(cause, "schema_errors", None)
    if not errors:
        return [("nonFieldErrors", "invalid", str(cause))]
    return _error_params(errors)


def _error_params(errors: list[Any]) -> list[tuple[str, str, str]]:
    """(name, code, reason) for jsonschema errors, named like Open Zaak's invalidParams."""
    out: list[tuple[str, str, str]] = []
    stack = list(errors)
    while stack:
        err = stack.pop(0)
        path = [str(p) for p in err.absolute_path]
        if err.validator in ("oneOf", "anyOf") and err.context:
            # Report the branch that went furthest; with a discriminator-less oneOf the
            # deepest error is the useful one.
            best = max(err.context, key=lambda e: len(e.absolute_path))
            stack.append(best)
            continue
        name = ".".join(path)
        code = {"required": "required", "maxLength": "max_length", "minLength": "min_length",
                "enum": "invalid_choice", "format": "invalid", "type": "invalid",
                "maxItems": "max_length", "minItems": "min_length", "pattern": "invalid",
                "maximum": "max_value", "minimum": "min_value"}.get(str(err.validator), "invalid")
        if err.validator == "required":
            found = re.match(r"'(.+?)' is a required property", err.message)
            if found:
                name = ".".join([*path, found.group(1)])
        if "read-only" in err.message:
            code = "read-only"
        out.append((name or "nonFieldErrors", code, err.message))
    return out


class ZgwDouble:
    """The three ZGW APIs in one local HTTP server with state, validation and faults."""

    def __init__(self, client_id: str = "gebiedsradar",
                 secret: str = "gebiedsradar-test-secret-0123456789abcdef",
                 rsin: str = "002564440", seed: int = 13, validate_responses: bool = True):
        self.client_id, self.secret, self.rsin = client_id, secret, rsin
        # Checking the double's own answers is half its time per call; a benchmark that
        # measures the client may switch it off (the tests of the double keep it on).
        self.validate_responses = validate_responses
        self.violations: list[str] = []
        self.calls: list[tuple[str, str, int]] = []
        self.decide: Callable[[str, str], tuple | None] | None = None
        self.on_change: Callable[[str], None] | None = None
        self.clock: Callable[[], float] = time.time   # tests may shift it (token age)
        self._random = random.Random(seed)
        self._lock = threading.RLock()           # state
        self._faults_lock = threading.RLock()     # `decide` may add rules itself
        self._rules: list[_Rule] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._store: dict[str, dict[str, dict[str, Any]]] = {
            k: {} for k in ("zaken", "statussen", "zaakobjecten", "resultaten",
                            "documenten", "zaakinformatieobjecten")}
        self._content: dict[str, bytes] = {}
        self._serial = 0
        self.base = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ZgwDouble:
        """Bind 127.0.0.1 on a free port and serve in a background thread."""
        double = self

        class Handler(_Handler):
            owner = double

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{port}"
        self.zaken_api = f"{self.base}/zaken/api/v1"
        self.documenten_api = f"{self.base}/documenten/api/v1"
        self.catalogi_api = f"{self.base}/catalogi/api/v1"
        self._openapi = {}
        for api in APIS:
            document = dict(spec_for_openapi_core(api), servers=[{"url": f"{self.base}/{api}/api/v1"}])
            self._openapi[api] = openapi = OpenAPI.from_dict(document, config=_config())
            openapi.request_validator.schema_validators_factory = _WRITE_VALIDATORS
            openapi.response_validator.schema_validators_factory = _READ_VALIDATORS
        seeded = seed_catalogue(self.catalogi_api, self._new_uuid, self.rsin)
        self._catalogue: dict[str, tuple[str, dict[str, Any]]] = seeded.pop("objects")
        self.catalogus_url: str = seeded["catalogus_url"]
        self.zaaktype_url: str = seeded["zaaktype_url"]
        self.concept_zaaktype_url: str = seeded["concept_zaaktype_url"]
        self.statustype_urls: list[str] = seeded["statustype_urls"]
        self.eindstatustype_url: str = seeded["eindstatustype_url"]
        self.resultaattype_url: str = seeded["resultaattype_url"]
        self.informatieobjecttype_url: str = seeded["informatieobjecttype_url"]
        self.other_informatieobjecttype_url: str = seeded["other_informatieobjecttype_url"]
        self._thread = threading.Thread(target=self._server.serve_forever, name="zgw-double",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> ZgwDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration and tokens --------------------------------------------------------------

    def config(self, **overrides: Any) -> dict[str, Any]:
        """A valid Gebiedsradar ZGW configuration body (issue 13 §1) pointing at this double."""
        body = {
            "zaken_api": self.zaken_api, "documenten_api": self.documenten_api,
            "catalogi_api": self.catalogi_api, "client_id": self.client_id, "secret": self.secret,
            "rsin": self.rsin,
            "mappings": [{
                "category": "*", "zaaktype": self.zaaktype_url, "statustype": self.statustype_urls[0],
                "informatieobjecttype": self.informatieobjecttype_url,
                "vertrouwelijkheidaanduiding": "intern", "send_personal_data": False,
            }],
        }
        body.update(overrides)
        return body

    def token(self, *, iat: float | None = None, **claims: Any) -> str:
        """A ZGW JWT as a correct client makes it (for tests of the double itself)."""
        payload = {"iss": self.client_id, "iat": int(self.clock() if iat is None else iat),
                   "client_id": self.client_id, "user_id": "gebiedsradar",
                   "user_representation": "Gebiedsradar"}
        payload.update(claims)
        return jwt.encode(payload, self.secret, algorithm="HS256")

    def headers(self, **extra: str) -> dict[str, str]:
        """Headers a correct client sends to /zaken (token, both Crs headers)."""
        return {"Authorization": f"Bearer {self.token()}", "Accept-Crs": CRS, "Content-Crs": CRS,
                **extra}

    # -- faults ----------------------------------------------------------------------------

    def fail(self, method: str, path_regex: str, status: int = 503, times: int | None = 1,
             body: dict[str, Any] | None = None) -> None:
        """Answer the next `times` matching calls with `status` without doing anything."""
        self._add(_Rule("fail", method, re.compile(path_regex), times, status=status, body=body))

    def drop(self, method: str, path_regex: str, times: int | None = 1, after_commit: bool = True) -> None:
        """Close the connection without an answer: after doing and storing the work
        (`after_commit=True`), or before doing anything."""
        self._add(_Rule("drop_after" if after_commit else "drop_before", method,
                        re.compile(path_regex), times))

    def delay(self, method: str, path_regex: str, seconds: float, times: int | None = 1) -> None:
        """Wait `seconds` before handling the next `times` matching calls."""
        self._add(_Rule("delay", method, re.compile(path_regex), times, seconds=seconds))

    def clear_faults(self) -> None:
        """Forget every fault rule and `decide`."""
        with self._faults_lock:
            self._rules.clear()
            self.decide = None

    def _add(self, rule: _Rule) -> None:
        with self._faults_lock:
            self._rules.append(rule)

    def _fault_for(self, method: str, path: str) -> tuple | None:
        with self._faults_lock:
            if self.decide is not None:
                decision = self.decide(method, path)
                if decision is not None:
                    return tuple(decision)
            for rule in self._rules:
                if rule.method not in ("*", method.upper()) and rule.method.upper() != method.upper():
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if not rule.pattern.search(path):
                    continue
                if rule.times is not None:
                    rule.times -= 1
                if rule.action == "fail":
                    return ("fail", rule.status, rule.body)
                if rule.action == "delay":
                    return ("delay", rule.seconds)
                return (rule.action,)
        return None

    # -- state inspection -------------------------------------------------------------------

    def _rendered(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [self._render(kind, obj) for obj in self._store[kind].values()]

    @property
    def zaken(self) -> list[dict[str, Any]]:
        return self._rendered("zaken")

    @property
    def statussen(self) -> list[dict[str, Any]]:
        return self._rendered("statussen")

    @property
    def zaakobjecten(self) -> list[dict[str, Any]]:
        return self._rendered("zaakobjecten")

    @property
    def resultaten(self) -> list[dict[str, Any]]:
        return self._rendered("resultaten")

    @property
    def documenten(self) -> list[dict[str, Any]]:
        return self._rendered("documenten")

    @property
    def zaakinformatieobjecten(self) -> list[dict[str, Any]]:
        return self._rendered("zaakinformatieobjecten")

    def zaken_by_kenmerk(self, kenmerk: str) -> list[dict[str, Any]]:
        """Every zaak with `kenmerk` among its kenmerken (a duplicate check: expect one)."""
        with self._lock:
            return [self._render("zaken", z) for z in self._store["zaken"].values()
                    if any(k.get("kenmerk") == kenmerk for k in z["kenmerken"])]

    def document_content(self, document_url: str) -> bytes:
        """The bytes stored for a document (its decoded `inhoud`)."""
        with self._lock:
            return self._content[document_url]

    # -- a case worker ---------------------------------------------------------------------

    def advance(self, zaak_url: str, statustype_url: str | None = None,
                toelichting: str = "") -> dict[str, Any]:
        """Set the next status on a zaak (default: the statustype with the next volgnummer)."""
        with self._lock:
            zaak = self._object("zaken", zaak_url)
            if statustype_url is None:
                current = self._store["statussen"].get(zaak["status"]) if zaak["status"] else None
                number = self._catalogue[current["statustype"]][1]["volgnummer"] if current else 0
                candidates = sorted(
                    (self._catalogue[u][1] for u in self._catalogue[zaak["zaaktype"]][1]["statustypen"]),
                    key=lambda s: s["volgnummer"])
                later = [s for s in candidates if s["volgnummer"] > number]
                if not later:
                    raise AssertionError(f"zaak {zaak_url} heeft al de laatste status")
                statustype_url = later[0]["url"]
            status = self._as_case_worker(lambda: self._create_status(
                {"zaak": zaak_url, "statustype": statustype_url,
                 "datumStatusGezet": self._next_status_time(zaak), "statustoelichting": toelichting},
                self.base))
        self._changed(zaak_url)
        return status

    def close(self, zaak_url: str, toelichting: str = "Afgehandeld door de behandelaar.") -> dict[str, Any]:
        """Give a zaak its resultaat and then its eindstatus, as a case worker closes it."""
        with self._lock:
            zaak = self._object("zaken", zaak_url)
            if not zaak["resultaat"]:
                self._as_case_worker(lambda: self._create_resultaat(
                    {"zaak": zaak_url, "resultaattype": self.resultaattype_url, "toelichting": toelichting},
                    self.base))
            eind = [u for u in self._catalogue[zaak["zaaktype"]][1]["statustypen"]
                    if self._catalogue[u][1]["isEindstatus"]][0]
            status = self._as_case_worker(lambda: self._create_status(
                {"zaak": zaak_url, "statustype": eind,
                 "datumStatusGezet": self._next_status_time(zaak), "statustoelichting": toelichting},
                self.base))
        self._changed(zaak_url)
        return status

    def _as_case_worker(self, action: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            return action()
        except _Problem as problem:
            reasons = "; ".join(f"{p['code']}: {p['reason']}" for p in problem.invalid_params or [])
            raise AssertionError(f"Open Zaak zou dit weigeren: {reasons or problem.detail}") from None

    def _changed(self, zaak_url: str) -> None:
        if self.on_change is not None:
            self.on_change(zaak_url)

    def _next_status_time(self, zaak: dict[str, Any]) -> str:
        now = dt.datetime.fromtimestamp(self.clock(), dt.UTC).replace(microsecond=0)
        for status in self._store["statussen"].values():
            if status["zaak"] == zaak["url"]:
                earlier = dt.datetime.fromisoformat(status["datumStatusGezet"].replace("Z", "+00:00"))
                now = max(now, earlier + dt.timedelta(seconds=1))
        return now.isoformat().replace("+00:00", "Z")

    def _object(self, kind: str, url: str) -> dict[str, Any]:
        try:
            return self._store[kind][url]
        except KeyError:
            raise AssertionError(f"geen {kind} met url {url}") from None

    # -- helpers ---------------------------------------------------------------------------

    def _new_uuid(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def _violation(self, method: str, path: str, what: str) -> None:
        with self._lock:
            self.violations.append(f"{method} {path}: {what}")

    # -- request handling (called from the handler thread) --------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes,
               host: str) -> tuple[_Reply, bool]:
        """Answer one request. Returns (reply, drop_after)."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qsl(parts.query, keep_blank_values=True)
        fault = self._fault_for(method, path)
        drop_after = False
        if fault:
            if fault[0] == "fail":
                status = int(fault[1])
                body_given = fault[2] if len(fault) > 2 else None
                problem = body_given or self._problem_body(
                    _Problem(status, CODES.get(status, "error"), TITLES.get(status, "Fout."),
                             [{"name": "nonFieldErrors", "code": "invalid",
                               "reason": "Geweigerd door de testdouble."}] if status == 400 else None),
                    path)
                return _Reply(status, problem, content_type="application/problem+json"), False
            if fault[0] == "drop_before":
                raise _Dropped
            if fault[0] == "delay":
                time.sleep(float(fault[1]))
            if fault[0] == "drop_after":
                drop_after = True
        api, resource = _split(path)
        try:
            if api is None:
                raise _Problem(404, "not_found", f"Geen API onder {path}.")
            request_base = f"http://{host}"
            self._authenticate(headers)
            if method in ("POST", "PUT", "PATCH"):
                # DRF's answer to a body that is not JSON; parameters (charset) are fine.
                ctype = (_header(headers, "Content-Type") or "").split(";")[0].strip().lower()
                if ctype != "application/json":
                    raise _Problem(415, "unsupported_media_type",
                                   f"Media type '{ctype}' in verzoek niet ondersteund.")
                headers = {k: ("application/json" if k.lower() == "content-type" else v)
                           for k, v in headers.items()}
            if api == "zaken" and (resource == "/zaken" or resource.startswith("/zaken/")):
                _check_crs(headers)
            data = self._validate_request(api, method, path, query, headers, body)
            reply = self._route(api, method, resource, query, data, request_base)
        except _Problem as problem:
            if problem.violation:
                reasons = "; ".join(f"{p['name']}: {p['code']} ({p['reason']})"
                                    for p in problem.invalid_params or []) or problem.detail
                self._violation(method, path, f"{problem.status} {problem.code}: {reasons}")
            reply = _Reply(problem.status, self._problem_body(problem, path),
                           content_type="application/problem+json")
        reply.headers = {"API-version": APIS[api][1] if api else "1.0.0", **(reply.headers or {})}
        if api == "zaken" and (resource == "/zaken" or resource.startswith("/zaken/")) and reply.status < 300:
            reply.headers["Content-Crs"] = CRS
        if api is not None and self.validate_responses:
            self._validate_response(api, method, path, query, headers, body, reply)
        return reply, drop_after

    def _problem_body(self, problem: _Problem, path: str) -> dict[str, Any]:
        body = {"type": f"{self.base}/ref/fouten/{problem.code}/", "code": problem.code,
                "title": TITLES.get(problem.status, problem.detail), "status": problem.status,
                "detail": problem.detail, "instance": f"urn:uuid:{uuid.uuid4()}"}
        if problem.status == 400:
            body["invalidParams"] = problem.invalid_params or []
        return body

    def _authenticate(self, headers: dict[str, str]) -> None:
        auth = _header(headers, "Authorization")
        if not auth or not auth.startswith("Bearer "):
            raise _Problem(401, "not_authenticated", "Authenticatiegegevens zijn niet opgegeven.")
        token = auth[len("Bearer "):].strip()
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256"],
                                options={"verify_exp": False, "verify_iat": False,
                                         "require": ["iat", "iss", "client_id"]})
        except jwt.PyJWTError as exc:
            raise _Problem(403, "permission_denied", f"Ongeldig JWT: {exc}") from None
        if claims.get("client_id") != self.client_id:
            raise _Problem(403, "permission_denied", "Onbekende client_id in het JWT.")
        try:
            iat = float(claims["iat"])
        except (TypeError, ValueError):
            raise _Problem(403, "permission_denied", "Ongeldige iat in het JWT.") from None
        if self.clock() - iat > TOKEN_MAX_AGE:
            raise _Problem(403, "permission_denied", "Het JWT is verlopen (ouder dan een uur).")

    def _validate_request(self, api: str, method: str, path: str, query: list[tuple[str, str]],
                          headers: dict[str, str], body: bytes) -> Any:
        request = _SpecRequest(self.base, method, path, query, headers, body)
        problems: list[dict[str, str]] = []
        for error in self._openapi[api].iter_apicall_request_errors(request):
            if isinstance(error, PathNotFound):
                raise _Problem(404, "not_found", f"{path} bestaat niet in de {api} API.")
            if isinstance(error, OperationNotFound):
                raise _Problem(405, "method_not_allowed", f"{method} is niet toegestaan op {path}.")
            if isinstance(error, SecurityValidationError):
                continue   # checked by _authenticate
            if isinstance(error, MissingParameterError | InvalidParameter):
                name = getattr(error, "name", "parameter")
                code = "required" if isinstance(error, MissingParameterError) else "invalid"
                problems.append({"name": name, "code": code, "reason": str(error)})
            elif isinstance(error, InvalidRequestBody):
                problems.extend({"name": n, "code": c, "reason": r} for n, c, r in _schema_errors(error))
            elif isinstance(error, MissingRequestBodyError):
                problems.append({"name": "body", "code": "required", "reason": "Geen verzoekinhoud."})
            else:
                problems.append({"name": "nonFieldErrors", "code": "invalid", "reason": str(error)})
        if problems:
            raise _Problem(400, "invalid", "Ongeldige invoer volgens de specificatie.", problems)
        declared = {p["name"]: p for p in _operation(api, method, _split(path)[1]).get("parameters", [])
                    if p.get("in") == "query"}
        problems = [problem for name, value in query if name in declared
                    for problem in _check_query(api, declared[name], value)]
        if problems:
            raise _Problem(400, "invalid", "Ongeldige invoer volgens de specificatie.", problems)
        unknown = sorted({name for name, _value in query} - set(declared))
        if unknown:
            # Ignored by Open Zaak (and so by the double): a list filtered on a parameter that
            # does not exist silently answers everything.
            self._violation(method, path, f"queryparameters die de specificatie niet kent (Open Zaak "
                                          f"negeert ze zonder melding): {', '.join(unknown)}")
        if not body:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            raise _Problem(400, "parse_error", "Geen geldige JSON.") from None
        self._check_body_beyond_openapi_core(api, method, path, data)
        return data

    def _check_body_beyond_openapi_core(self, api: str, method: str, path: str, data: Any) -> None:
        """What openapi-core leaves out: the `ZaakObject` discriminator (`objectType` picks the
        schema of `objectIdentificatie`), and fields the specification does not know. Open Zaak
        ignores unknown fields silently, so does the double, but it records them: a misspelled
        optional field is a bug that would otherwise never show."""
        schema = _body_schema(api, method, _split(path)[1])
        if schema is None or not isinstance(data, dict):
            return
        known = _properties(api, schema)
        if schema.get("$ref", "").endswith("ZaakObject") and isinstance(data.get("objectType"), str):
            mapped = f"{data['objectType']}_ZaakObject"
            if mapped in spec("zaken")["components"]["schemas"]:
                known |= _properties(api, {"$ref": f"#/components/schemas/{mapped}"})
                errors = list(_validator("zaken", mapped).iter_errors(data))
                if errors:
                    raise _Problem(400, "invalid", "Ongeldige invoer volgens de specificatie.", [
                        {"name": n, "code": c, "reason": r} for n, c, r in _error_params(errors)])
        unknown = sorted(set(data) - known)
        if unknown:
            self._violation(method, path, f"velden die de specificatie niet kent (Open Zaak negeert ze "
                                          f"zonder melding): {', '.join(unknown)}")

    def _validate_response(self, api: str, method: str, path: str, query: list[tuple[str, str]],
                           headers: dict[str, str], body: bytes, reply: _Reply) -> None:
        if reply.status in (404, 405, 501):
            return
        data = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
        request = _SpecRequest(self.base, method, path, query, headers, body)
        response = _SpecResponse(reply.status, reply.headers or {}, reply.content_type, data)
        for error in self._openapi[api].iter_apicall_response_errors(request, response):
            if isinstance(error, PathNotFound | OperationNotFound):
                continue
            details = ([f"{n}: {r}" for n, _c, r in _schema_errors(error)]
                       if getattr(error, "__cause__", None) is not None else [str(error)])
            self._violation(method, path, f"antwoord van de double ({reply.status}) wijkt af van de "
                                          f"specificatie: {'; '.join(details)}")

    # -- routes ----------------------------------------------------------------------------

    def _route(self, api: str, method: str, resource: str, query: list[tuple[str, str]],
               data: Any, base: str) -> _Reply:
        segments = resource.strip("/").split("/")
        collection, ident = segments[0], (segments[1] if len(segments) > 1 else None)
        extra = segments[2:] if len(segments) > 2 else []
        q = dict(query)
        with self._lock:
            if api == "catalogi":
                kinds = {"zaaktypen": "zaaktype", "statustypen": "statustype",
                         "resultaattypen": "resultaattype", "informatieobjecttypen": "informatieobjecttype"}
                if method == "GET" and collection in kinds and not extra:
                    return self._catalogue_read(kinds[collection], ident, q, base)
            elif api == "zaken":
                kinds = {"zaken": "zaken", "statussen": "statussen", "zaakobjecten": "zaakobjecten",
                         "resultaten": "resultaten", "zaakinformatieobjecten": "zaakinformatieobjecten"}
                if collection in kinds and not extra and ident != "_zoek":
                    kind = kinds[collection]
                    if method == "GET":
                        return self._read(kind, ident, q, base)
                    if method == "POST" and ident is None:
                        created = getattr(self, f"_create_{kind}")(data, base)
                        return _Reply(201, created, {"Location": created["url"]})
                    if method == "PATCH" and kind == "zaken" and ident is not None:
                        return _Reply(200, self._patch_zaak(ident, data, base))
            elif api == "documenten" and collection == "enkelvoudiginformatieobjecten":
                if method == "GET" and not extra:
                    return self._read("documenten", ident, q, base)
                if method == "GET" and extra == ["download"]:
                    url = f"{self.documenten_api}/enkelvoudiginformatieobjecten/{ident}"
                    if url not in self._content:
                        raise _Problem(404, "not_found", "Niet gevonden.", violation=False)
                    return _Reply(200, None, content_type="application/octet-stream",
                                  raw=self._content[url])
                if method == "POST" and ident is None:
                    created = self._create_documenten(data, base)
                    return _Reply(201, created, {"Location": created["url"]})
        raise _Problem(501, "not_implemented",
                       f"De testdouble kent {method} {resource} in de {api} API niet.")

    # reads

    _FILTERS = {
        "zaken": ("identificatie", "bronorganisatie", "zaaktype"),
        "statussen": ("zaak", "statustype"),
        "zaakobjecten": ("zaak", "object", "objectType"),
        "resultaten": ("zaak", "resultaattype"),
        "zaakinformatieobjecten": ("zaak", "informatieobject"),
        "documenten": ("bronorganisatie", "identificatie"),
    }

    def _api_for(self, kind: str) -> str:
        if kind == "documenten":
            return f"{self.documenten_api}/enkelvoudiginformatieobjecten"
        return f"{self.zaken_api}/{kind}"

    def _read(self, kind: str, ident: str | None, q: dict[str, str], base: str) -> _Reply:
        if ident is not None:
            obj = self._store[kind].get(f"{self._api_for(kind)}/{ident}")
            if obj is None:
                raise _Problem(404, "not_found", "Niet gevonden.", violation=False)
            return _Reply(200, self._render(kind, obj))
        # Filter the stored objects, render only what is answered (1,000s of zaken in the benchmark).
        items = list(self._store[kind].values())
        for name in self._FILTERS[kind]:
            if name in q:
                items = [o for o in items if str(o.get(name)) == q[name]]
        if kind == "statussen" and q.get("indicatieLaatstGezetteStatus") in ("true", "false"):
            wanted = q["indicatieLaatstGezetteStatus"] == "true"
            items = [o for o in items if self._render(kind, o)["indicatieLaatstGezetteStatus"] is wanted]
        if kind in ("zaakinformatieobjecten",):
            return _Reply(200, [self._render(kind, o) for o in items])   # not paged in the specification
        return _Reply(200, self._page(items, q, f"{self._api_for(kind)}",
                                      lambda o: self._render(kind, o)))

    def _page(self, items: list[dict[str, Any]], q: dict[str, str], url: str,
              render: Callable[[dict[str, Any]], dict[str, Any]] = dict) -> dict[str, Any]:
        try:
            page = max(1, int(q.get("page", "1")))
        except ValueError:
            raise _invalid("page", "invalid", "Ongeldige pagina.") from None
        start = (page - 1) * PAGE_SIZE
        if page > 1 and start >= len(items):
            raise _Problem(404, "not_found", "Ongeldige pagina.", violation=False)
        rest = {k: v for k, v in q.items() if k != "page"}
        def link(p: int) -> str:
            pairs = [*rest.items(), ("page", str(p))]
            return url + "?" + "&".join(f"{k}={v}" for k, v in pairs)
        return {"count": len(items),
                "next": link(page + 1) if start + PAGE_SIZE < len(items) else None,
                "previous": link(page - 1) if page > 1 else None,
                "results": [render(o) for o in items[start:start + PAGE_SIZE]]}

    def _catalogue_read(self, kind: str, ident: str | None, q: dict[str, str], base: str) -> _Reply:
        plural = {"zaaktype": "zaaktypen", "statustype": "statustypen",
                  "resultaattype": "resultaattypen", "informatieobjecttype": "informatieobjecttypen"}[kind]
        if ident is not None:
            entry = self._catalogue.get(f"{self.catalogi_api}/{plural}/{ident}")
            if entry is None or entry[0] != kind:
                raise _Problem(404, "not_found", "Niet gevonden.", violation=False)
            return _Reply(200, dict(entry[1]))
        items = [dict(o) for k, o in self._catalogue.values() if k == kind]
        status = q.get("status", "definitief")
        if kind in ("zaaktype", "informatieobjecttype"):
            if status == "definitief":
                items = [o for o in items if not o["concept"]]
            elif status == "concept":
                items = [o for o in items if o["concept"]]
        elif status != "alles":
            concept = {u for u, (k, o) in self._catalogue.items() if k == "zaaktype" and o["concept"]}
            items = [o for o in items if (o["zaaktype"] in concept) == (status == "concept")]
        for name in ("catalogus", "identificatie", "zaaktype", "omschrijving"):
            if name in q:
                items = [o for o in items if str(o.get(name)) == q[name]]
        ident_filter = q.get("zaaktypeIdentificatie") or q.get("zaaktype_identificatie")
        if ident_filter:
            items = [o for o in items if o.get("zaaktypeIdentificatie") == ident_filter]
        return _Reply(200, self._page(items, q, f"{self.catalogi_api}/{plural}"))

    def _render(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        out = json.loads(json.dumps(obj))
        if kind == "zaakobjecten" and "objectIdentificatie" in out:
            out["objectIdentificatie"] = camelize(out["objectIdentificatie"])
        if kind == "statussen":
            zaak = self._store["zaken"].get(obj["zaak"])
            out["indicatieLaatstGezetteStatus"] = bool(zaak and zaak["status"] == obj["url"])
        return out

    # URL checks

    def _resolve(self, field: str, url: Any, base: str, kind: str) -> dict[str, Any]:
        """The object behind a URL field, refused as Open Zaak refuses it."""
        if not isinstance(url, str) or not url:
            raise _invalid(field, "required", "Dit veld is vereist.")
        parts, here = urlsplit(url), urlsplit(base)
        if not parts.scheme or not parts.netloc:
            raise _invalid(field, "bad-url", "Voer een geldige URL in.")
        if (parts.scheme, parts.hostname, parts.port) != (here.scheme, here.hostname, here.port):
            raise _invalid(field, "unknown-service",
                           f"De service voor {parts.scheme}://{parts.netloc} is niet geconfigureerd "
                           "(zelfde schema, host en poort als de API nodig).")
        local = f"{self.base}{parts.path}"
        if kind in ("zaaktype", "statustype", "resultaattype", "informatieobjecttype"):
            entry = self._catalogue.get(local)
            if entry is None:
                raise _invalid(field, "does-not-exist", "De URL verwijst niet naar een bestaand object.")
            if entry[0] != kind:
                raise _invalid(field, "bad-url", f"De URL verwijst niet naar een {kind}.")
            return entry[1]
        obj = self._store[kind].get(local)
        if obj is None:
            raise _invalid(field, "does-not-exist", "De URL verwijst niet naar een bestaand object.")
        return obj

    def _check_rsin(self, field: str, value: Any) -> None:
        if not rsin_valid(str(value)):
            raise _invalid(field, "invalid", "Onjuist RSIN: voldoet niet aan de elfproef.")

    # creates

    def _identificatie(self, kind: str, prefix: str, bron: str, given: str | None) -> str:
        existing = {o.get("identificatie") for o in self._store[kind].values()
                    if o.get("bronorganisatie") == bron}
        if given:
            if given in existing:
                raise _invalid("identificatie", "identificatie-niet-uniek",
                               "Deze identificatie bestaat al voor deze bronorganisatie.")
            return given
        self._serial += 1
        return f"{prefix}-{self._now().year}-{self._serial:010d}"

    def _create_zaken(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        zaaktype = self._resolve("zaaktype", data.get("zaaktype"), base, "zaaktype")
        if zaaktype["concept"]:
            raise _invalid("zaaktype", "not-published", "Het zaaktype is nog niet gepubliceerd (concept).")
        self._check_rsin("bronorganisatie", data["bronorganisatie"])
        self._check_rsin("verantwoordelijkeOrganisatie", data["verantwoordelijkeOrganisatie"])
        ident = self._identificatie("zaken", "ZAAK", data["bronorganisatie"], data.get("identificatie"))
        url = f"{self.zaken_api}/zaken/{self._new_uuid()}"
        zaak = {
            "url": url, "uuid": url.rsplit("/", 1)[1], "identificatie": ident,
            "bronorganisatie": data["bronorganisatie"], "omschrijving": "", "toelichting": "",
            "zaaktype": data["zaaktype"], "registratiedatum": self._now().date().isoformat(),
            "verantwoordelijkeOrganisatie": data["verantwoordelijkeOrganisatie"],
            "startdatum": data["startdatum"], "einddatum": None, "einddatumGepland": None,
            "uiterlijkeEinddatumAfdoening": None, "publicatiedatum": None, "communicatiekanaal": "",
            "productenOfDiensten": [], "vertrouwelijkheidaanduiding": zaaktype["vertrouwelijkheidaanduiding"],
            "betalingsindicatie": "", "betalingsindicatieWeergave": "", "laatsteBetaaldatum": None,
            "zaakgeometrie": None, "verlenging": None,
            "opschorting": {"indicatie": False, "reden": ""}, "selectielijstklasse": "",
            "hoofdzaak": None, "deelzaken": [], "relevanteAndereZaken": [], "eigenschappen": [],
            "rollen": [], "status": None, "zaakinformatieobjecten": [], "zaakobjecten": [],
            "kenmerken": [], "archiefnominatie": None, "archiefstatus": "nog_te_archiveren",
            "archiefactiedatum": None, "resultaat": None, "opdrachtgevendeOrganisatie": "",
            "processobjectaard": "", "startdatumBewaartermijn": None, "processobject": None,
        }
        for key, value in data.items():
            if key in zaak and key not in ("url", "uuid", "identificatie"):
                zaak[key] = value
        self._store["zaken"][url] = zaak
        return self._render("zaken", zaak)

    def _patch_zaak(self, ident: str, data: dict[str, Any], base: str) -> dict[str, Any]:
        url = f"{self.zaken_api}/zaken/{ident}"
        zaak = self._store["zaken"].get(url)
        if zaak is None:
            raise _Problem(404, "not_found", "Niet gevonden.", violation=False)
        data = data or {}
        if "zaaktype" in data and data["zaaktype"] != zaak["zaaktype"]:
            raise _invalid("zaaktype", "wijzigen-niet-toegelaten", "Het zaaktype mag niet gewijzigd worden.")
        for field in ("bronorganisatie", "verantwoordelijkeOrganisatie"):
            if field in data:
                self._check_rsin(field, data[field])
        for key, value in data.items():
            if key in zaak and key not in ("url", "uuid"):
                zaak[key] = value
        return self._render("zaken", zaak)

    def _zaak_for(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        return self._resolve("zaak", data.get("zaak"), base, "zaken")

    def _create_status(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        zaak = self._zaak_for(data, base)
        statustype = self._resolve("statustype", data.get("statustype"), base, "statustype")
        if statustype["zaaktype"] != zaak["zaaktype"]:
            raise _invalid("nonFieldErrors", "zaaktype-mismatch",
                           "Het statustype hoort niet bij het zaaktype van de zaak.")
        if statustype["isEindstatus"]:
            if not zaak["resultaat"]:
                raise _invalid("nonFieldErrors", "resultaat-does-not-exist",
                               "De zaak heeft nog geen resultaat; zet eerst een resultaat.")
            for zio in self._store["zaakinformatieobjecten"].values():
                doc = self._store["documenten"].get(zio["informatieobject"]) if zio["zaak"] == zaak["url"] else None
                if doc is not None and doc["indicatieGebruiksrecht"] is None:
                    raise _invalid("nonFieldErrors", "indicatiegebruiksrecht-unset",
                                   "Van alle informatieobjecten moet indicatieGebruiksrecht gezet zijn.")
        url = f"{self.zaken_api}/statussen/{self._new_uuid()}"
        status = {"url": url, "uuid": url.rsplit("/", 1)[1], "zaak": zaak["url"],
                  "statustype": data["statustype"], "datumStatusGezet": data["datumStatusGezet"],
                  "statustoelichting": data.get("statustoelichting", ""),
                  "indicatieLaatstGezetteStatus": True, "gezetdoor": data.get("gezetdoor", ""),
                  "zaakinformatieobjecten": []}
        self._store["statussen"][url] = status
        # The zaak's status is the one set last by datumStatusGezet (ties: the newest).
        mine = [s for s in self._store["statussen"].values() if s["zaak"] == zaak["url"]]
        latest = max(enumerate(mine), key=lambda p: (_moment(p[1]["datumStatusGezet"]), p[0]))[1]
        zaak["status"] = latest["url"]
        if self._catalogue[latest["statustype"]][1]["isEindstatus"]:
            zaak["einddatum"] = _moment(latest["datumStatusGezet"]).date().isoformat()
        else:
            zaak["einddatum"] = None
        return self._render("statussen", status)

    _create_statussen = _create_status

    def _create_zaakobjecten(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        zaak = self._zaak_for(data, base)
        if not data.get("object") and not data.get("objectIdentificatie"):
            raise _invalid("nonFieldErrors", "invalid-zaakobject",
                           "object of objectIdentificatie moet opgegeven zijn.")
        url = f"{self.zaken_api}/zaakobjecten/{self._new_uuid()}"
        obj = {"url": url, "uuid": url.rsplit("/", 1)[1], "zaak": zaak["url"], "object": "",
               "zaakobjecttype": "", "objectType": data["objectType"],
               "objectTypeOverigeDefinitie": None, "relatieomschrijving": ""}
        obj.update({k: v for k, v in data.items() if k not in ("url", "uuid")})
        self._store["zaakobjecten"][url] = obj
        zaak["zaakobjecten"].append(url)
        return self._render("zaakobjecten", obj)

    def _create_resultaat(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        zaak = self._zaak_for(data, base)
        resultaattype = self._resolve("resultaattype", data.get("resultaattype"), base, "resultaattype")
        if resultaattype["zaaktype"] != zaak["zaaktype"]:
            raise _invalid("nonFieldErrors", "zaaktype-mismatch",
                           "Het resultaattype hoort niet bij het zaaktype van de zaak.")
        if zaak["resultaat"]:
            raise _invalid("zaak", "unique", "De zaak heeft al een resultaat.")
        url = f"{self.zaken_api}/resultaten/{self._new_uuid()}"
        resultaat = {"url": url, "uuid": url.rsplit("/", 1)[1], "zaak": zaak["url"],
                     "resultaattype": data["resultaattype"], "toelichting": data.get("toelichting", "")}
        self._store["resultaten"][url] = resultaat
        zaak["resultaat"] = url
        return self._render("resultaten", resultaat)

    _create_resultaten = _create_resultaat

    def _create_zaakinformatieobjecten(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        zaak = self._zaak_for(data, base)
        doc = self._resolve("informatieobject", data.get("informatieobject"), base, "documenten")
        zaaktype = self._catalogue[zaak["zaaktype"]][1]
        if doc["informatieobjecttype"] not in zaaktype["informatieobjecttypen"]:
            raise _invalid("nonFieldErrors", "missing-zaaktype-informatieobjecttype-relation",
                           "Het informatieobjecttype hoort niet bij het zaaktype van de zaak.")
        for zio in self._store["zaakinformatieobjecten"].values():
            if zio["zaak"] == zaak["url"] and zio["informatieobject"] == doc["url"]:
                raise _invalid("nonFieldErrors", "unique",
                               "Dit informatieobject is al aan de zaak gekoppeld.")
        url = f"{self.zaken_api}/zaakinformatieobjecten/{self._new_uuid()}"
        zio = {"url": url, "uuid": url.rsplit("/", 1)[1], "informatieobject": doc["url"],
               "zaak": zaak["url"], "aardRelatieWeergave": "Hoort bij, omgekeerd: kent",
               "titel": data.get("titel", ""), "beschrijving": data.get("beschrijving", ""),
               "registratiedatum": self._now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
               "vernietigingsdatum": data.get("vernietigingsdatum"), "status": data.get("status")}
        self._store["zaakinformatieobjecten"][url] = zio
        zaak["zaakinformatieobjecten"].append(url)
        return self._render("zaakinformatieobjecten", zio)

    def _create_documenten(self, data: dict[str, Any], base: str) -> dict[str, Any]:
        self._resolve("informatieobjecttype", data.get("informatieobjecttype"), base,
                      "informatieobjecttype")
        self._check_rsin("bronorganisatie", data["bronorganisatie"])
        content = b""
        if data.get("inhoud"):
            try:
                content = base64.b64decode(data["inhoud"], validate=True)
            except (binascii.Error, ValueError):
                raise _invalid("inhoud", "invalid", "inhoud is geen geldige base64.") from None
        ident = self._identificatie("documenten", "DOCUMENT", data["bronorganisatie"],
                                    data.get("identificatie"))
        url = f"{self.documenten_api}/enkelvoudiginformatieobjecten/{self._new_uuid()}"
        doc = {
            "url": url, "identificatie": ident, "bronorganisatie": data["bronorganisatie"],
            "creatiedatum": data["creatiedatum"], "titel": data["titel"],
            "vertrouwelijkheidaanduiding": data.get("vertrouwelijkheidaanduiding") or "openbaar",
            "auteur": data["auteur"], "status": data.get("status", ""), "formaat": data.get("formaat", ""),
            "taal": data["taal"], "versie": 1,
            "beginRegistratie": self._now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "bestandsnaam": data.get("bestandsnaam", ""), "inhoud": f"{url}/download?versie=1",
            "bestandsomvang": len(content), "link": data.get("link", ""),
            "beschrijving": data.get("beschrijving", ""), "ontvangstdatum": data.get("ontvangstdatum"),
            "verzenddatum": data.get("verzenddatum"),
            "indicatieGebruiksrecht": data.get("indicatieGebruiksrecht"),
            "verschijningsvorm": data.get("verschijningsvorm", ""),
            "ondertekening": data.get("ondertekening"), "integriteit": data.get("integriteit"),
            "informatieobjecttype": data["informatieobjecttype"], "locked": False, "bestandsdelen": [],
            "trefwoorden": data.get("trefwoorden") or [],
        }
        self._store["documenten"][url] = doc
        self._content[url] = content
        return self._render("documenten", doc)


UUID_SEGMENT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _operation(api: str, method: str, resource: str) -> dict[str, Any]:
    """The specification's operation behind `resource` ("/zaken/<uuid>" ...), or {}."""
    template = "/".join("{uuid}" if UUID_SEGMENT.match(part) else part for part in resource.split("/"))
    return spec(api)["paths"].get(template, {}).get(method.lower(), {})


def _check_query(api: str, parameter: dict[str, Any], value: str) -> list[dict[str, str]]:
    """One query parameter against its schema (string, integer, or a comma-separated array:
    the only kinds these specifications use), as openapi-core would check it."""
    schema = parameter.get("schema", {})
    name = parameter["name"]
    kind = schema.get("type")
    data: Any = value
    try:
        if kind == "integer":
            data = int(value)
        elif kind == "number":
            data = float(value)
        elif kind == "array":
            data = value.split(",")
    except ValueError:
        return [{"name": name, "code": "invalid", "reason": f"{value!r} is geen {kind}"}]
    validator = _query_validator(api, json.dumps(schema, sort_keys=True))
    return [{"name": name, "code": c, "reason": r} for _n, c, r in _error_params(list(validator.iter_errors(data)))]


@functools.cache
def _query_validator(api: str, schema_json: str) -> OAS30WriteValidator:
    root = {"allOf": [json.loads(schema_json)], "components": spec(api)["components"]}
    return OAS30WriteValidator(root, format_checker=_WRITE_VALIDATORS.get_format_checker())


def _body_schema(api: str, method: str, resource: str) -> dict[str, Any] | None:
    """The request body schema of the operation behind `resource`."""
    content = _operation(api, method, resource).get("requestBody", {}).get("content", {})
    return content["application/json"]["schema"] if "application/json" in content else None


def _resolve_ref(api: str, schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec(api)["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _properties(api: str, schema: dict[str, Any]) -> set[str]:
    """Every property name a schema allows, through $ref, allOf, anyOf and oneOf."""
    schema = _resolve_ref(api, schema)
    names = set(schema.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key, []):
            names |= _properties(api, sub)
    return names


@functools.cache
def _validator(api: str, schema_name: str) -> OAS30WriteValidator:
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": spec(api)["components"]}
    checker = copy.deepcopy(oas30_format_checker)
    checker.checks("uri")(_format_uri)
    return OAS30WriteValidator(root, format_checker=checker)


def _moment(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _config() -> Config:
    return Config(spec_validator_cls=None, extra_format_validators={"uri": _format_uri},
                  extra_media_type_deserializers={"application/problem+json": _json_bytes})


class _OneFormatChecker(SchemaValidatorsFactory):
    """openapi-core deep-copies its format checker for every schema it validates (a fifth of
    the double's time); a checker is never changed while validating, so build it once."""

    def __init__(self, validator_cls: Any):
        super().__init__(validator_cls)
        self._checker = super().get_format_checker(None, {"uri": _format_uri})

    def get_format_checker(self, format_validators: Any = None, extra_format_validators: Any = None) -> Any:
        return self._checker


_WRITE_VALIDATORS = _OneFormatChecker(OAS30WriteValidator)
_READ_VALIDATORS = _OneFormatChecker(OAS30ReadValidator)


def _json_bytes(data: bytes | str) -> Any:
    return json.loads(data)


def _split(path: str) -> tuple[str | None, str]:
    """("zaken", "/zaken/abc") for "/zaken/api/v1/zaken/abc"; (None, path) outside the APIs."""
    for api in APIS:
        prefix = f"/{api}/api/v1"
        if path == prefix or path.startswith(prefix + "/"):
            return api, path[len(prefix):] or "/"
    return None, path


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _check_crs(headers: dict[str, str]) -> None:
    """Open Zaak: both Crs headers on every call to the /zaken resource (412 without)."""
    for name, wrong_status in (("Accept-Crs", 406), ("Content-Crs", 415)):
        value = _header(headers, name)
        if value is None:
            raise _Problem(412, "precondition_failed", f"'{name}' header ontbreekt")
        if value != CRS:
            raise _Problem(wrong_status, CODES[wrong_status], f"CRS '{value}' is niet ondersteund")


class _Handler(BaseHTTPRequestHandler):
    owner: ZgwDouble
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True     # headers and body go out in two writes

    def log_message(self, format: str, *args: Any) -> None:   # noqa: A002 - the base signature
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        method = self.command
        path = urlsplit(self.path).path
        headers = {k: v for k, v in self.headers.items()}
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        try:
            reply, drop_after = self.owner.handle(method, self.path, headers, body, host)
        except _Dropped:
            self._drop(method, path)
            return
        except Exception as exc:   # a bug in the double must not look like a dropped connection
            self.owner._violation(method, path, f"fout in de double: {traceback.format_exc()}")
            reply, drop_after = _Reply(500, {"type": "", "code": "error", "title": TITLES[500], "status": 500,
                                             "detail": repr(exc), "instance": ""},
                                       content_type="application/problem+json"), False
        if drop_after:
            self._drop(method, path)
            return
        data = reply.raw if reply.raw is not None else (
            b"" if reply.body is None else json.dumps(reply.body).encode())
        with self.owner._lock:     # recorded before the answer leaves: a client that saw it finds it here
            self.owner.calls.append((method, path, reply.status))
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (reply.headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def _drop(self, method: str, path: str) -> None:
        with self.owner._lock:
            self.owner.calls.append((method, path, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve
