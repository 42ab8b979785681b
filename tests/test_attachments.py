"""Photos: content-addressed, verified, typed by their bytes, idempotent, may arrive late."""

from __future__ import annotations

import hashlib

from conftest import signal_body

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"gebiedsradar" * 10
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


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
        assert got.content == data and got.headers["content-type"] == kind
        # Stored outside the database under a path derived from the hash.
        assert (settings.attachments_dir / sha(data)[:2] / sha(data)[2:4] / sha(data)).read_bytes() == data


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
