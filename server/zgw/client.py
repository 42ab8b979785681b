"""HTTP calls to the ZGW APIs, with a fresh token per call, the Crs headers on every `/zaken`
call, time-outs, and errors sorted into the ones a person must act on (permanent: 401, 403,
400 and other 4xx, stopped with the case system's message in Dutch) and the ones that pass
(transient: 5xx, 429, time-outs, refused or broken connections, retried). A message says
what failed, not what happens next: the caller adds that (`worded`): the worker retries by
itself, a one-shot command asks to try later."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from .config import ZgwConfig
from .token import make_token

CRS = "EPSG:4326"
#: What follows a transient failure: the worker tries again by itself; a command does not.
RETRIED = "Er wordt opnieuw geprobeerd."
TRY_LATER = "Probeer het later opnieuw."
#: Pages of a list followed at most (lookups by identificatie or zaak find a handful).
MAX_PAGES = 20


class ZgwError(Exception):
    """A call that failed: `permanent` ones need a person (configuration, authorisation, data)."""

    def __init__(self, message: str, *, permanent: bool, status: int | None = None,
                 codes: frozenset[str] = frozenset(), timed_out: bool = False):
        super().__init__(message)
        #: No answer in time: the call may still land later.
        self.timed_out = timed_out
        self.message = message
        self.permanent = permanent
        self.status = status
        #: The `code`s of the case system's invalidParams (e.g. identificatie-niet-uniek).
        self.codes = codes

    def worded(self, next_step: str) -> str:
        """The message with what happens next for a transient failure (e.g. `RETRIED` in the
        worker, `TRY_LATER` in a command); a permanent one needs a person, not a retry."""
        return self.message if self.permanent else f"{self.message} {next_step}"

    @property
    def exists_already(self) -> bool:
        """Refused because the object is there already (an earlier try's call landed late)."""
        return self.status == 400 and bool(self.codes & {"identificatie-niet-uniek", "unique"})


def _detail(response: httpx.Response) -> str:
    """The case system's own words: its problem's detail/title and each invalid param (text
    only: no JSON, no HTML page of a proxy, which a user would see as code)."""
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text[:200].split())
        return "" if "<" in text or "{" in text else text
    if not isinstance(body, dict):
        return ""
    parts = []
    text = body.get("detail") or body.get("title")
    if isinstance(text, str) and text:
        parts.append(text)
    for p in body.get("invalidParams") or []:
        if isinstance(p, dict):
            reason = p.get("reason") or p.get("code") or ""
            parts.append(f"{p.get('name', '?')}: {reason if isinstance(reason, str) else ''}")
    return "; ".join(parts)[:800]


def _transport(e: httpx.TransportError) -> str:
    """A failed connection in words (not the library's English class name)."""
    if isinstance(e, httpx.ConnectError):
        return "geen verbinding: adres onbekend of verbinding geweigerd"
    if isinstance(e, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return "de verbinding werd verbroken"
    if isinstance(e, httpx.ProxyError):
        return "de proxy weigert de verbinding"
    if isinstance(e, httpx.UnsupportedProtocol):
        return "de URL is geen http(s)-adres"
    return "netwerkfout"


def _codes(response: httpx.Response) -> frozenset[str]:
    try:
        body = response.json()
    except ValueError:
        return frozenset()
    params = body.get("invalidParams") if isinstance(body, dict) else None
    return frozenset(str(p.get("code")) for p in params or [] if isinstance(p, dict))


def classify(response: httpx.Response, what: str) -> ZgwError:
    """A refused call as a ZgwError with a Dutch message."""
    status = response.status_code
    detail = _detail(response)
    said = f" Het zaaksysteem zegt: {detail}" if detail else ""
    if status >= 500 or status in (408, 429):
        return ZgwError(f"Het zaaksysteem is tijdelijk niet beschikbaar ({status}) bij {what}.",
                        permanent=False, status=status)
    if status in (401, 403):
        return ZgwError(f"Het zaaksysteem weigert toegang ({status}) bij {what}: controleer client_id,"
                        " secret en de autorisaties van de applicatie in het zaaksysteem." + said,
                        permanent=True, status=status)
    if status == 400:
        return ZgwError(f"Het zaaksysteem keurt de gegevens af ({status}) bij {what}." + said,
                        permanent=True, status=status, codes=_codes(response))
    if status == 412:
        return ZgwError(f"Het zaaksysteem mist een verplichte header ({status}) bij {what}." + said,
                        permanent=True, status=status)
    return ZgwError(f"Het zaaksysteem antwoordt {status} bij {what}." + said, permanent=True,
                    status=status)


class ZgwClient:
    """One configuration's calls; `http` may be shared (tests, the worker)."""

    def __init__(self, config: ZgwConfig, *, timeout: float = 10.0,
                 http: httpx.Client | None = None, user_id: str = "gebiedsradar",
                 user_representation: str = "Gebiedsradar"):
        self.config = config
        self.http = http or httpx.Client(timeout=timeout)
        self._own = http is None
        self.timeout = timeout
        self.user_id = user_id
        self.user_representation = user_representation
        #: The path of the zaken resource: a zaak URL the case system hands back may name
        #: its host otherwise (http behind a proxy, another host name) than the configured
        #: base, and still needs the Crs headers (412 without).
        self._zaken = urlsplit(config.data.zaken_api).path.rstrip("/") + "/zaken"

    def close(self) -> None:
        if self._own:
            self.http.close()

    def __enter__(self) -> ZgwClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(self, url: str) -> dict[str, str]:
        d = self.config.data
        headers = {"Authorization": "Bearer " + make_token(
                       d.client_id, self.config.secret, user_id=self.user_id,
                       user_representation=self.user_representation),
                   "Accept": "application/json"}
        path = urlsplit(url).path.rstrip("/")
        if path == self._zaken or path.startswith(self._zaken + "/"):
            headers["Accept-Crs"] = CRS
            headers["Content-Crs"] = CRS
        return headers

    def request(self, method: str, url: str, what: str, *, params: dict | None = None,
                json: Any = None) -> Any:
        """One call; the decoded JSON answer, or ZgwError."""
        try:
            response = self.http.request(method, url, params=params, json=json,
                                         headers=self._headers(url), timeout=self.timeout)
        except httpx.TimeoutException:
            raise ZgwError(f"Het zaaksysteem antwoordt niet op tijd bij {what}.",
                           permanent=False, timed_out=True) from None
        except httpx.TransportError as e:
            raise ZgwError(f"Het zaaksysteem is niet bereikbaar bij {what} ({_transport(e)}).",
                           permanent=False) from None
        if response.status_code >= 400:
            raise classify(response, what)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise ZgwError(f"Het zaaksysteem gaf geen JSON terug bij {what}.",
                           permanent=False, status=response.status_code) from None

    def get(self, url: str, what: str, params: dict | None = None) -> Any:
        return self.request("GET", url, what, params=params)

    def post(self, url: str, what: str, body: dict) -> Any:
        return self.request("POST", url, what, json=body)

    def list(self, url: str, what: str, params: dict) -> list[dict]:
        """Every result of a list call (paged `{"results", "next"}` or a plain array)."""
        found: list[dict] = []
        page: Any = self.get(url, what, params)
        for _ in range(MAX_PAGES):
            if isinstance(page, list):
                return found + page
            if not isinstance(page, dict):
                return found
            found += page.get("results") or []
            nxt = page.get("next")
            if not nxt:
                return found
            page = self.get(nxt, what)
        return found
