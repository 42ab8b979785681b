"""Headless Debian Chromium for the browser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e_support import CHROMIUM, FLAGS, require


@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM), "Debian chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()
