"""Schemathesis against a real `gebiedsradar serve`: generated requests to every operation of
the published OpenAPI document, signed in as a beheerder: requests that fit the document
(positive) and requests that break it (negative).

No request may give a server error, and every answer must be what the document says:
its status code is declared, its body matches the declared schema for that status and
content type, and the declared headers are there. `make test` tries a few examples per
operation; `make test-long` many (FUZZ_EXAMPLES).
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.bootstrap import open_database
from server.settings import Settings
from server.users.store import add_user

from live import start_server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
PASSWORD = "fuzz-beheerder-lang-genoeg-2026"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    """A real server with demo data and a beheerder; its base URL and a token."""
    db_path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    db = open_database(Settings(db_path=db_path)).db
    add_user(db, "fuzzer", PASSWORD, "beheerder")
    db.close()
    proc, base = start_server(db_path, "--demo")
    yield base, _sign_in(base)
    proc.terminate()
    proc.wait(timeout=10)
    # A server error is logged with its traceback: show it when a run failed.
    log = db_path.with_suffix(".log").read_text()
    assert "Traceback" not in log, log[-4000:]


def _sign_in(base: str) -> dict[str, str]:
    token = httpx.post(base + "/api/v1/auth/token",
                       json={"username": "fuzzer", "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _failures(op, mode: GenerationMode, base: str, auth: dict[str, str]) -> list[str]:
    """What went wrong for one operation over EXAMPLES generated requests (shrunk)."""
    if op.label == "POST /auth/logout":
        auth = _sign_in(base)  # its own session: logging out must not end the others' token
    if mode is GenerationMode.NEGATIVE and not (len(op.query) or len(op.body) or len(op.headers)):
        return []  # nothing to break (any text is a valid path value of type string)
    strategy = op.as_strategy(generation_mode=mode)

    @given(strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.call_and_validate(base_url=base + "/api/v1", headers=auth, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # e.g. a header whose every value is valid
        return []
    except (Exception, BaseExceptionGroup) as e:  # each operation's failures are collected
        return [f"{op.label} ({mode.value}): {str(e)[:1500]}"]
    return []


def test_every_answer_is_declared_and_no_server_error(live):
    base, auth = live
    schema = schemathesis.openapi.from_url(base + "/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    failures = [f for op in operations for mode in GenerationMode for f in _failures(op, mode, base, auth)]
    assert failures == [], "\n\n".join(failures)
    # Signed in all along (a generated log-out ended only its own session).
    assert httpx.get(base + "/api/v1/me", headers=auth).status_code == 200
