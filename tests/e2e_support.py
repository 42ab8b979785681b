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


# What the browser tests share: axe-core, the phone's size, screenshots for people.
AXE = REPO / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line each (the context needs
    bypass_csp: axe is injected as a script, which the app's CSP rightly forbids)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)""")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def shots_dir(name: str) -> Path:
    """Where a test saves screenshots for people to look at (never compared):
    $GEBIEDSRADAR_SHOTS/<name>, by default under the temporary directory."""
    import tempfile

    return Path(os.environ.get("GEBIEDSRADAR_SHOTS", Path(tempfile.gettempdir()) / "gebiedsradar-shots")) / name
