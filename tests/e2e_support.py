"""Launch settings shared by the browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require(path: Path, what: str) -> None:
    """Skip locally, fail in CI, when something the browser tests need is missing."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{what} missing at {path}")
        pytest.skip(f"{what} missing at {path}")


def log_in(page, base: str, username: str, password: str | None = None) -> None:
    """Open the app and log in with the demo password of `username`."""
    page.goto(base + "/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password or f"{username}-demo")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("button", name="Nieuw signaal").wait_for()


def wait_for_status(page, start: str, timeout: float = 30_000) -> None:
    """Wait until the one role="status" element starts with `start`."""
    page.wait_for_function(
        f"() => document.querySelector('[role=status]').textContent.startsWith({start!r})", timeout=timeout)


def api_token(base: str, username: str = "teamleider") -> str:
    """A bearer token for a demo account."""
    import httpx

    return httpx.post(base + "/api/v1/auth/token",
                      json={"username": username, "password": f"{username}-demo"}).json()["access_token"]


def server_signals(base: str, username: str = "teamleider") -> list[dict]:
    """What the server holds, read through the API with a demo account."""
    import httpx

    return httpx.get(base + "/api/v1/signals", params={"limit": 500},
                     headers={"Authorization": f"Bearer {api_token(base, username)}"}).json()["items"]
