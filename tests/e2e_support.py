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
