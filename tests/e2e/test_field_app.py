"""The field app offline: capture three signals without a network, then see them arrive."""

from __future__ import annotations

import io
import struct
import zlib

import httpx
import pytest
from PIL import Image

from e2e_support import REPO, api_token, log_in, server_signals, wait_for_status
from live import start_server

pytestmark = pytest.mark.browser
MARKNESSE = {"latitude": 52.7092, "longitude": 5.8640, "accuracy": 15}


def png(width: int = 64, height: int = 48) -> bytes:
    """A small valid PNG made with zlib only (a photo stand-in the browser can decode)."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, 120))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def fill_signal(page, text: str, category: str = "Jeugd") -> None:
    page.get_by_label("Categorie").select_option(label=category)
    page.get_by_label("Omschrijving").fill(text)


def test_offline_capture_then_sync(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844}, geolocation=MARKNESSE,
                                  permissions=["geolocation"])
    page = context.new_page()
    log_in(page, server, "regisseur")
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    page.wait_for_load_state("networkidle")  # categories and area shapes cached
    page.reload()  # now under the service worker's control
    page.get_by_role("button", name="Nieuw signaal").wait_for()

    context.set_offline(True)
    page.reload()  # the app starts from the service worker
    page.get_by_role("button", name="Nieuw signaal").click()
    status = page.get_by_role("status")

    # 1. With GPS: the kern shows at once, from the on-device areas.
    fill_signal(page, "E2E gps: jongeren bij het dorpshuis")
    page.get_by_role("button", name="Gebruik mijn locatie").click()
    page.get_by_text("Marknesse").first.wait_for()
    page.get_by_role("button", name="Signaal opslaan").click()
    page.get_by_text("Signaal opgeslagen (Marknesse).").wait_for()
    assert "wacht" in status.inner_text()
    # The form is empty again: no marker may suggest the next signal has a location.
    assert page.locator(".capture-map path.leaflet-interactive").count() == 0
    page.get_by_text("Nog geen locatie gekozen.").wait_for()

    # 2. With a photo.
    photo = tmp_path / "foto.png"
    photo.write_bytes(png())
    fill_signal(page, "E2E foto: kapot speeltoestel", "Woonomgeving")
    page.get_by_label("Foto toevoegen").set_input_files(str(photo))
    page.get_by_text("Foto toegevoegd").wait_for()
    page.get_by_role("button", name="Signaal opslaan").click()
    wait_for_status(page, "2 ")

    # 3. By a tap on the map.
    fill_signal(page, "E2E kaart: te hard gereden", "Verkeer")
    # The map chunk loads lazily: tap only once Leaflet has taken over the box. A tap
    # while the map still settles (fitBounds after the panel showed) may be taken as a
    # drag, so a second tap is allowed — what a person would do.
    page.wait_for_function("""() => [...document.querySelectorAll(
        '.capture-map.leaflet-container .leaflet-overlay-pane path')].some((p) => p.getAttribute('d') !== 'M0 0')""")
    box = page.locator(".capture-map").bounding_box()
    picked = page.get_by_text("gekozen op de kaart")
    for _ in range(3):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            picked.wait_for(timeout=3000)
            break
        except Exception:
            continue
    picked.wait_for()
    page.get_by_role("button", name="Signaal opslaan").click()
    wait_for_status(page, "3 signalen wachten")
    # Background Sync (Chromium): the browser will wake the app when the connection returns.
    page.wait_for_function(
        "async () => (await (await navigator.serviceWorker.ready).sync.getTags()).includes('gebiedsradar-sync')")

    context.set_offline(False)
    wait_for_status(page, "Alles verzonden")
    context.close()

    items = server_signals(server)
    mine = {s["description"].split(":")[0]: s for s in items if s["description"].startswith("E2E")}
    assert sorted(mine) == ["E2E foto", "E2E gps", "E2E kaart"]
    assert mine["E2E gps"]["kern"]["name"] == "Marknesse"
    assert mine["E2E gps"]["location"]["method"] == "gps"
    assert mine["E2E kaart"]["location"]["method"] == "map"
    assert mine["E2E kaart"]["kern"] is not None
    foto = mine["E2E foto"]
    assert len(foto["attachments"]) == 1 and foto["pending_attachments"] == []
    stored = httpx.get(f"{server}/api/v1/attachments/{foto['attachments'][0]}",
                       headers={"Authorization": f"Bearer {api_token(server)}"})
    assert stored.headers["content-type"] == "image/jpeg"
    # Served under the address the phone computed, as the cleaned image the server stored.
    image = Image.open(io.BytesIO(stored.content))
    assert image.format == "JPEG" and image.size[0] > 0 and not image.getexif()


def test_app_update_waits_for_the_outbox_and_keeps_it(browser, tmp_path):
    import shutil

    dist = tmp_path / "dist"
    shutil.copytree(REPO / "pwa" / "dist", dist)
    proc, base = start_server(tmp_path / "update.db", "--demo", env={"GEBIEDSRADAR_PWA_DIST": str(dist)})
    try:
        context = browser.new_context()
        page = context.new_page()
        log_in(page, base, "regisseur")
        page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
        page.wait_for_load_state("networkidle")

        context.set_offline(True)
        page.get_by_role("button", name="Nieuw signaal").click()
        fill_signal(page, "E2E update: bewaard over een nieuwe versie")
        page.get_by_role("button", name="Signaal opslaan").click()
        wait_for_status(page, "1 signaal wacht")
        # Keep the push from succeeding (set before going online: `online` starts a sync),
        # so the signal stays in the outbox during the update.
        page.route("**/api/v1/sync/**", lambda route: route.abort())
        context.set_offline(False)

        # A new version of the app is deployed.
        sw = dist / "sw.js"
        sw.write_text(sw.read_text() + "\n// nieuwe versie\n")
        page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        page.get_by_role("button", name="Nieuwe versie installeren").wait_for(timeout=20_000)
        assert page.evaluate("async () => !!(await navigator.serviceWorker.getRegistration()).waiting")
        assert "1 signaal wacht" in page.get_by_role("status").inner_text()

        with page.expect_navigation():
            page.get_by_role("button", name="Nieuwe versie installeren").click()
        page.get_by_role("button", name="Nieuw signaal").wait_for()
        wait_for_status(page, "1 signaal wacht")
        assert page.evaluate("async () => !(await navigator.serviceWorker.getRegistration()).waiting")

        page.unroute("**/api/v1/sync/**")
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        wait_for_status(page, "Alles verzonden")
        context.close()
        items = server_signals(base, "regisseur")
        assert [s["description"] for s in items if s["description"].startswith("E2E update")] == [
            "E2E update: bewaard over een nieuwe versie"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_edit_offline_shows_state_and_arrives(browser, server):
    context = browser.new_context()
    page = context.new_page()
    log_in(page, server, "regisseur")
    first = page.locator(".signal-item__open").first
    first.wait_for()
    page.wait_for_load_state("networkidle")
    context.set_offline(True)
    first.click()
    page.get_by_label("Omschrijving van dit signaal").fill("E2E bewerkt: buren zijn tevreden")
    page.get_by_label("Status").select_option("afgesloten")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    page.get_by_text("Wijziging opgeslagen.").wait_for()
    # The signal's own screen says it waits to be sent.
    page.locator(".detail-list").get_by_text("Wacht op verzending").wait_for()
    assert "1 signaal wacht" in page.get_by_role("status").inner_text()
    context.set_offline(False)
    wait_for_status(page, "Alles verzonden")
    context.close()
    items = server_signals(server)
    edited = [s for s in items if s["description"] == "E2E bewerkt: buren zijn tevreden"]
    assert len(edited) == 1 and edited[0]["status"] == "afgesloten" and edited[0]["version"] == 2
