"""Photos: content-addressed, verified, decoded and cleaned, idempotent, may arrive late."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from conftest import signal_body

#: EXIF tags: Make, Model, Orientation, Artist, the GPS IFD; GPS: latitude and longitude.
MAKE, MODEL, ORIENTATION, ARTIST, GPS_IFD = 0x010F, 0x0110, 0x0112, 0x013B, 0x8825


def photo(fmt: str, size: tuple[int, int] = (48, 32), orientation: int | None = None) -> bytes:
    """A real image as a phone makes it: with the camera, the owner and the GPS position of
    Marknesse in its EXIF (and, as a JPEG, a comment)."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ARTIST] = "Fairphone", "FP5", "J. de Vries"
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (52.0, 42.0, 33.12), 3: "E", 4: (5.0, 51.0, 50.4)})
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((0, 0, 255), (0, 0, 16, 16))  # a blue top-left corner shows which way is up
    out = io.BytesIO()
    extra = {"comment": b"Hoofdweg 12, Marknesse"} if fmt == "JPEG" else {}
    image.save(out, format=fmt, exif=exif, **extra)
    return out.getvalue()


PNG, JPEG, WEBP = photo("PNG"), photo("JPEG"), photo("WEBP")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_upload_is_idempotent_and_typed(client, regisseur, settings):
    for data, kind in ((PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")):
        url = f"/api/v1/attachments/{sha(data)}"
        first = client.put(url, content=data, headers=regisseur)
        assert first.status_code == 201, first.text
        assert first.json() == {"sha256": sha(data), "content_type": kind, "size": len(data)}
        assert client.put(url, content=data, headers=regisseur).status_code == 200
        # Served only for a signal that names it (see test_authorization.py).
        client.post("/api/v1/signals", json=signal_body(attachments=[sha(data)]), headers=regisseur)
        got = client.get(url, headers=regisseur)
        assert got.headers["content-type"] == kind
        # Stored outside the database under a path derived from the hash of the upload;
        # what is stored and served is the cleaned photo (see the test below).
        stored = (settings.attachments_dir / sha(data)[:2] / sha(data)[2:4] / sha(data)).read_bytes()
        assert got.content == stored
        assert Image.open(io.BytesIO(stored)).size == Image.open(io.BytesIO(data)).size


def test_wrong_hash_wrong_type_and_too_big_store_nothing(client, regisseur, settings):
    r = client.put(f"/api/v1/attachments/{sha(b'other')}", content=PNG, headers=regisseur)
    assert r.status_code == 422 and r.json()["errors"][0]["name"] == "sha256"
    gif = b"GIF89a" + b"\x00" * 20
    assert client.put(f"/api/v1/attachments/{sha(gif)}", content=gif, headers=regisseur).status_code == 415
    big = b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024)
    r = client.put(f"/api/v1/attachments/{sha(big)}", content=big, headers=regisseur)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.put("/api/v1/attachments/not-a-hash", content=PNG, headers=regisseur).status_code == 400
    assert not settings.attachments_dir.exists() or not any(
        p.is_file() for p in settings.attachments_dir.rglob("*"))
    assert client.get(f"/api/v1/attachments/{sha(PNG)}", headers=regisseur).status_code == 404


def test_signal_may_refer_to_a_photo_still_on_its_way(client, regisseur):
    body = signal_body(attachments=[sha(JPEG)])
    created = client.post("/api/v1/signals", json=body, headers=regisseur).json()
    assert created["pending_attachments"] == [sha(JPEG)]
    client.put(f"/api/v1/attachments/{sha(JPEG)}", content=JPEG, headers=regisseur)
    later = client.get(f"/api/v1/signals/{body['id']}", headers=regisseur).json()
    assert later["attachments"] == [sha(JPEG)] and later["pending_attachments"] == []


def test_attachments_need_a_token(client):
    assert client.get(f"/api/v1/attachments/{sha(PNG)}").status_code == 401


def test_stored_photos_carry_no_gps_camera_or_owner(client, regisseur, settings):
    """Finding 9: a photo's EXIF (GPS position, camera, owner) and comments are not kept;
    the orientation is applied to the pixels, so the photo still stands upright."""
    for fmt in ("JPEG", "PNG", "WEBP"):
        data = photo(fmt, orientation=6)  # "turn 90° clockwise to show"
        assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the upload has them
        r = client.put(f"/api/v1/attachments/{sha(data)}", content=data, headers=regisseur)
        assert r.status_code == 201, r.text
        stored = (settings.attachments_dir / sha(data)[:2] / sha(data)[2:4] / sha(data)).read_bytes()
        image = Image.open(io.BytesIO(stored))
        assert image.format == fmt
        assert dict(image.getexif()) == {} and not image.getexif().get_ifd(GPS_IFD), fmt
        assert not {"exif", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info), fmt
        for trace in (b"Exif", b"Fairphone", b"FP5", b"de Vries", b"Hoofdweg"):
            assert trace not in stored, (fmt, trace)
        # Turned upright: 48 × 32 lying becomes 32 × 48 standing, the blue corner top-right.
        assert image.size == (32, 48), fmt
        blue = image.convert("RGB").getpixel((28, 3))
        assert blue[2] > 150 and blue[0] < 100, (fmt, blue)


def test_only_images_that_decode_are_stored(client, regisseur, settings):
    """Finding 9: bytes that only start like a JPEG (then HTML), a truncated photo and a
    decompression bomb are refused with a problem; nothing is stored."""
    html = b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>"
    truncated = JPEG[: len(JPEG) // 2]
    bomb = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(bomb, format="PNG")  # 7 kB, 60 megapixels
    for data, status in ((html, 422), (truncated, 422), (bomb.getvalue(), 413)):
        r = client.put(f"/api/v1/attachments/{sha(data)}", content=data, headers=regisseur)
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["detail"]
    assert not settings.attachments_dir.exists() or not any(
        p.is_file() for p in settings.attachments_dir.rglob("*"))
    assert client.app.state.db.query_one("SELECT count(*) FROM attachments")[0] == 0


def test_photos_stored_before_cleaning_are_cleaned_in_place(settings, users):
    """Photos an earlier version stored as uploaded (with GPS, or no image at all) are
    cleaned by `gebiedsradar attachments clean`, under the same address; a second run
    finds nothing to do."""
    import subprocess
    import sys
    from pathlib import Path

    from server.attachments.store import path_for
    from server.bootstrap import open_database

    old_photo = photo("JPEG", orientation=6)
    html = b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>"
    db = open_database(settings).db
    for data in (old_photo, html):  # as the earlier version stored them: bytes as sent
        target = path_for(settings.attachments_dir, sha(data))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        with db.transaction() as conn:
            conn.execute("INSERT INTO attachments (sha256, content_type, size, created_by,"
                         " created_at) VALUES (?, 'image/jpeg', ?, 'regisseur', '2026-11-01')",
                         (sha(data), len(data)))
    db.close()
    exe = Path(sys.executable).with_name("gebiedsradar")
    run = [str(exe), "--db", str(settings.db_path), "attachments", "clean"]
    r = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "2 photos checked: 1 cleaned of metadata, 1 that were no image removed" in r.stdout
    stored = path_for(settings.attachments_dir, sha(old_photo)).read_bytes()
    assert b"Exif" not in stored and b"Fairphone" not in stored
    assert Image.open(io.BytesIO(stored)).size == (32, 48)
    assert not path_for(settings.attachments_dir, sha(html)).exists()
    r = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert "1 photos checked: 0 cleaned of metadata, 0 that were no image removed" in r.stdout
