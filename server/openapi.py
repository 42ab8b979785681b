"""The published OpenAPI document, shaped to the NL API Design Rules.

Litestar generates the schema from the routes and Structs; this module adds
what the rules ask and Litestar does not know: the versioned server URL with
paths relative to it, the `API-Version` header on every success, problem+json
error responses, the bearer security scheme (not on the public routes), the
`OPTIONS` answer with its `Allow` header, the bodies Litestar cannot see (photos,
the offline areas) and the contact. tests/test_api_fuzz.py checks with schemathesis
that the server answers as this document says.
"""

from __future__ import annotations

import copy
from typing import Any

from litestar import Litestar

from .guards import PUBLIC
from .settings import API_PREFIX, API_VERSION

CONTACT = {
    "name": "Gebiedsradar, gemeente Noordoostpolder",
    "url": "https://www.noordoostpolder.nl",
    "email": "gebiedsradar@noordoostpolder.nl",
}
VERSION_HEADER = {
    "description": "The full version of the API (semver)",
    "schema": {"type": "string", "example": API_VERSION},
}
WRITE_HEADERS = {
    "ETag": {"description": 'The version now stored, e.g. "4"',
             "schema": {"type": "string", "example": '"4"'}},
    "Conflict-Fields": {
        "description": "Only when someone else also changed these fields since the If-Match"
                       " version (or the stored create): this change won, as a sync `conflict`",
        "schema": {"type": "string", "example": "status, description"}},
}
WRITES = ("createSignal", "updateSignal")
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "The fields that were wrong",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
ERROR_TEXT = {
    "400": "Invalid request (malformed JSON, bad query or path values)",
    "401": "Not signed in, or the token expired",
    "403": "The user's role may not do this",
    "404": "Not found",
    "409": "Conflict with what the server holds (a deleted signal; a delete based on a version"
           " someone else changed since)",
    "413": "The body is too large (a photo over 10 MB, more than 500 mutations)",
    "415": "The body is not of a type this operation takes (JSON: application/json)",
    "422": "The body is well-formed but its fields are wrong",
    "429": "Too many attempts",
    "500": "Server error",
}
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ALLOW_HEADER = {"description": "The methods of this path, e.g. `GET, OPTIONS, POST`",
                "schema": {"type": "string", "example": "GET, OPTIONS, POST"}}
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
BINARY = {"type": "string", "contentMediaType": "application/octet-stream"}
#: The simplified areas a device keeps for offline lookup (areas/store.py `device_json`).
OFFLINE_AREAS = {
    "type": "object",
    "description": "GeoJSON FeatureCollection (WGS84) of every area, simplified",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "tolerance_m": {"type": "number", "description": "Largest shift of a border, metres"},
        "features": {"type": "array", "items": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "id": {"type": "string"},
                "geometry": {"type": "object"},
                "properties": {"type": "object"},
            }}},
    },
}


def _problem(code: str) -> dict[str, Any]:
    return {
        "description": ERROR_TEXT[code],
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def public_operations(app: Litestar) -> set[str]:
    """The operation ids of the routes anyone may call (marked `PUBLIC`)."""
    return {handler.operation_id for route in app.routes
            for handler in getattr(route, "route_handlers", ())
            if isinstance(handler.operation_id, str)
            and all(handler.opt.get(k) == v for k, v in PUBLIC.items())}


#: Answers particular to one operation: ZGW not configured yet (404 on its settings, 409 on a
#: hand-off), no mapping for the category (422), a callback without a valid token (401, 403).
EXTRA_ERRORS: dict[str | None, list[str]] = {
    "getZgwConfig": ["404"],
    "previewZaak": ["404", "422"],
    "handOffSignal": ["409", "422"],
    "handOffKwestie": ["409", "422"],
    "receiveZgwNotificatie": ["401", "403"],
}


def _errors_for(path: str, method: str, op: dict[str, Any]) -> list[str]:
    codes = ["400", "500"]
    public = op.get("security") == []
    if not public:
        codes += ["401", "403"]
    if "{" in path:
        codes.append("404")
    if method in ("post", "put", "patch"):
        codes += ["413", "415", "422"]
    if op.get("operationId") in ("createSignal", "updateSignal", "deleteSignal"):
        codes.append("409")
    if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key"
           for p in op.get("parameters", [])):
        codes += ["409", "422"]  # a key used before answers that request's outcome again
    if op.get("operationId") == "createToken":
        codes += ["401", "429"]
    codes += EXTRA_ERRORS.get(op.get("operationId"), [])
    return sorted(set(codes))


def _flatten_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`oneOf: [{type: string, format: date}, {type: null}]` → one schema with a null type.

    Same meaning; linters (ADR's date rule) look for `format` on the property itself.
    """
    variants = schema.get("oneOf") or schema.get("anyOf")
    if not variants or len(variants) != 2:
        return schema
    nulls = [v for v in variants if v.get("type") == "null"]
    others = [v for v in variants if v.get("type") not in (None, "null") and "format" in v]
    if len(nulls) != 1 or len(others) != 1:
        return schema
    flat = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
    flat.update(others[0])
    flat["type"] = [others[0]["type"], "null"]
    return flat


def _options(rel: str, item: dict[str, Any]) -> dict[str, Any]:
    """The OPTIONS answer of a path (methods.py): its methods in `Allow`, no token needed."""
    name = "".join(part.strip("{}").title().replace("_", "") for part in rel.split("/"))
    return {
        "operationId": f"options{name}",
        "summary": "The methods of this path (Allow)",
        "tags": next((op["tags"] for m in HTTP_METHODS if (op := item.get(m)) and op.get("tags")), []),
        "security": [],
        # OPTIONS describes the path, whatever the value in it (methods.py matches the template).
        "parameters": next(([{**p, "schema": {"type": "string"}} for p in op.get("parameters", [])
                             if p.get("in") == "path"] for m in HTTP_METHODS if (op := item.get(m))), []),
        "responses": {"204": {"description": "The methods in Allow",
                              "headers": {"Allow": {"$ref": "#/components/headers/Allow"},
                                          "API-Version": {"$ref": "#/components/headers/API-Version"}}},
                      "500": _problem("500")},
    }


def _fix_bodies(op: dict[str, Any]) -> None:
    """Bodies Litestar describes wrongly: it sees bytes and a raw request."""
    responses = op["responses"]
    if op.get("operationId") == "listOfflineAreas":
        ok = responses["200"]
        ok["content"] = {"application/geo+json": {"schema": OFFLINE_AREAS}}
        ok.setdefault("headers", {})["ETag"] = {"description": "Version of these areas",
                                                "schema": {"type": "string"}}
        responses["304"] = {"description": "Unchanged since the ETag sent in If-None-Match",
                            "headers": {"ETag": {"description": "Version of these areas",
                                                 "schema": {"type": "string"}}}}
    elif op.get("operationId") == "putAttachment":
        op["requestBody"] = {"required": True, "description": "The photo's bytes",
                             "content": {t: {"schema": BINARY} for t in PHOTO_TYPES}}
        stored = responses.get("200") or responses.get("201")
        if stored is not None:
            responses["200"] = {**copy.deepcopy(stored), "description": "Already stored"}
            responses["201"] = {**copy.deepcopy(stored), "description": "Stored"}
    elif op.get("operationId") == "getAttachment":
        responses["200"]["content"] = {t: {"schema": BINARY} for t in PHOTO_TYPES}
    elif op.get("operationId") == "getOpen311Request":  # <id>.json or <id>.xml (exports/routes.py)
        responses["200"]["content"] = {
            "application/json": {"schema": {"type": "array", "maxItems": 1, "items": {
                "$ref": "#/components/schemas/Open311Request"}}},
            "application/xml; charset=utf-8": {"schema": {"type": "string"}}}
    elif op.get("operationId") == "exportSignalsCsv":
        for content in responses["200"]["content"].values():
            content["schema"] = {"type": "string", "description": "streamed; columns in README.md"}
    elif op.get("operationId") == "exportSignalsGeoJson":
        for content in responses["200"]["content"].values():
            content["schema"] = {
                "type": "object", "required": ["type", "features"],
                "description": "FeatureCollection (RFC 7946), streamed; properties: the CSV's columns",
                "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                               "features": {"type": "array", "items": {"type": "object"}}}}


def shape_openapi(generated: dict[str, Any], public: set[str] | frozenset[str] = frozenset()
                  ) -> dict[str, Any]:
    """Turn Litestar's generated schema into the published document; `public`: the ids of
    the operations that need no token (`public_operations`)."""
    doc = copy.deepcopy(generated)
    doc["info"]["contact"] = CONTACT
    doc["info"]["version"] = API_VERSION
    doc["servers"] = [{"url": API_PREFIX, "description": "Gebiedsradar API, versie 1"}]
    paths: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        if not path.startswith(API_PREFIX + "/"):
            continue
        rel = path[len(API_PREFIX):]
        for method in HTTP_METHODS:
            op = item.get(method)
            if op is None:
                continue
            if op.get("operationId") in public:
                op["security"] = []
            responses = op.setdefault("responses", {})
            for code in [c for c in responses if c[0] in "45"]:
                del responses[code]  # Litestar's own 400 is not problem+json
            _fix_bodies(op)
            if op.get("operationId") == "createSignal" and "201" in responses:
                responses["200"] = {**copy.deepcopy(responses["201"]), "description":
                                    "The same signal again (unchanged), or the same id with"
                                    " other content (updated)"}
            for code, response in responses.items():
                if code[0] in "23":
                    headers = response.setdefault("headers", {})
                    headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
                    if op.get("operationId") in WRITES:
                        headers.update({name: {"$ref": f"#/components/headers/{name}"}
                                        for name in WRITE_HEADERS})
            for code in _errors_for(rel, method, op):
                responses[code] = _problem(code)
        item["options"] = _options(rel, item)
        paths[rel] = item
    paths["/openapi.json"] = {
        "get": {
            "operationId": "getOpenapi",
            "summary": "This OpenAPI document",
            "tags": ["Beheer"],
            "security": [],
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1 document",
                    "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "500": _problem("500"),
            },
        }
    }
    paths["/openapi.json"]["options"] = _options("/openapi.json", paths["/openapi.json"])
    doc["paths"] = dict(sorted(paths.items()))
    components = doc.setdefault("components", {})
    for schema in components.get("schemas", {}).values():
        props = schema.get("properties", {})
        for name in props:
            props[name] = _flatten_nullable(props[name])
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    components["headers"] = {"API-Version": VERSION_HEADER, "Allow": ALLOW_HEADER, **WRITE_HEADERS}
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                       "description": "Token from POST /auth/token"}
    }
    doc["security"] = [{"bearerAuth": []}]
    return doc
