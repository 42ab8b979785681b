"""Requests of residents (AVG art. 15 and 17): find the signals that mention someone, now
or in an earlier version, and erase their personal data everywhere it is kept."""

from __future__ import annotations

import json
import uuid

from test_audit import cli
from test_retention import photo

from server.attachments.store import path_for
from server.audit.chain import verify
from server.privacy.blank import ERASURE_MARKER

from conftest import login, signal_body


def create(client, headers, description: str, **fields) -> dict:
    r = client.post("/api/v1/signals", json=signal_body(description=description, **fields),
                    headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_find_lists_signals_that_mention_a_name_now_or_before(client, regisseur, settings, capsys):
    now_ = create(client, regisseur, "Mevrouw Jansen van de Zuiderkade klaagt over de jeugd.")
    before = create(client, regisseur, "Familie Pietersen heeft ruzie met de buren.")
    client.patch(f"/api/v1/signals/{before['id']}", json={"description": "Burenruzie aan de Zuiderkade."},
                 headers=regisseur)
    other = create(client, regisseur, "Losliggende stoeptegels bij de school.")
    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "JANSEN")
    assert code == 0, err
    [line] = out.splitlines()
    signal_id, observed_at, kern, status, places, excerpt = line.split("\t")
    assert (signal_id, kern, status, places) == (now_["id"], "Marknesse", "nieuw", "huidig")
    assert observed_at == now_["observed_at"] and "Mevrouw Jansen van de Zuiderkade" in excerpt
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "pietersen")
    assert [line.split("\t")[0] for line in out.splitlines()] == [before["id"]]
    assert out.split("\t")[4] == "versie 1"
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "zuiderkade")
    assert sorted(line.split("\t")[0] for line in out.splitlines()) == sorted([now_["id"], before["id"]])
    assert other["id"] not in out
    # The search is in the audit log, by the ids shown, never by the name searched for.
    db = client.app.state.db
    logged = db.query("SELECT * FROM audit_log WHERE action = 'privacy_find'")
    assert len(logged) == 1 + 1 + 2 and not any("ansen" in json.dumps(dict(r)).lower() for r in logged)
    code, _, err = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "  ")
    assert code == 1 and err.startswith("gebiedsradar: error:")


def test_erase_removes_personal_data_everywhere_and_phones_pull_it(client, regisseur, settings, capsys):
    db = client.app.state.db
    own, shared = photo(client, settings, "own"), photo(client, settings, "shared")
    target = create(client, regisseur, "Meneer Visser, Espelerweg 3, is gevallen.",
                    contains_personal_data=True, attachments=[own, shared])
    client.patch(f"/api/v1/signals/{target['id']}", json={"description": "Meneer Visser is gevallen."},
                 headers=regisseur)
    keeper = create(client, regisseur, "Zelfde foto, ander signaal.", attachments=[shared])
    cursor = client.get("/api/v1/sync/pull", headers=regisseur).json()["cursor"]
    version = db.query_one("SELECT version FROM signals WHERE id = ?", (target["id"],))[0]

    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "erase", "--yes", target["id"])
    assert code == 0, err
    assert "1 signal(s)" in out and "1 photo(s)" in out
    row = db.query_one("SELECT * FROM signals WHERE id = ?", (target["id"],))
    assert row["description"] == ERASURE_MARKER
    assert (row["lat"], row["lon"], row["accuracy_m"], row["attachments"]) == (None, None, None, "[]")
    assert row["kern_code"] == target["kern"]["code"]  # the location is generalised to its areas
    assert row["version"] == version + 1
    assert db.query("SELECT * FROM signal_versions WHERE signal_id = ?", (target["id"],)) == []
    assert not path_for(settings.attachments_dir, own).exists()
    assert path_for(settings.attachments_dir, shared).exists()  # still another signal's photo
    assert json.loads(db.query_one("SELECT attachments FROM signals WHERE id = ?",
                                   (keeper["id"],))[0]) == [shared]
    [record] = [dict(r) for r in db.query("SELECT * FROM destruction_log WHERE kind = 'signaal-persoonsgegevens'")]
    assert (record["rule"], record["count"]) == ("avg-verzoek", 1)
    assert db.query_one("SELECT count FROM destruction_log WHERE kind = 'foto'")[0] == 1
    assert "Visser" not in json.dumps([dict(r) for r in db.query("SELECT * FROM destruction_log")])
    assert db.query("SELECT result FROM audit_log WHERE action = 'privacy_erase' AND object = ?",
                    (target["id"],))[0][0] == "allowed"
    assert verify(db.conn).ok
    # The phone pulls the blanked version; nothing finds the name any more.
    pulled = client.get("/api/v1/sync/pull", headers=regisseur, params={"cursor": cursor}).json()
    [signal] = [c["signal"] for c in pulled["changes"] if c.get("signal", {}).get("id") == target["id"]]
    assert signal["description"] == ERASURE_MARKER and signal["location"] is None
    assert signal["attachments"] == []
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "visser")
    assert out == ""
    # Erasing again changes nothing more.
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "privacy", "erase", "--yes", target["id"])
    assert code == 0 and "1 had none left" in out
    assert db.query_one("SELECT version FROM signals WHERE id = ?", (target["id"],))[0] == version + 1


def test_erase_of_an_unknown_id_changes_nothing(client, regisseur, settings, capsys):
    db = client.app.state.db
    known = create(client, regisseur, "Mevrouw Bakker wil graag een bankje.")
    code, _, err = cli(capsys, "--db", str(settings.db_path), "privacy", "erase", "--yes", known["id"],
                       str(uuid.uuid4()))
    assert code == 1 and "onbekend signaal" in err
    assert db.query_one("SELECT description FROM signals WHERE id = ?", (known["id"],))[0] \
        == "Mevrouw Bakker wil graag een bankje."
    assert db.query_one("SELECT count(*) FROM destruction_log")[0] == 0
    # Without --yes the typo is told before any question, not after a "yes".
    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "erase", "geen-id")
    assert code == 1 and "onbekend signaal: geen-id; er is niets verwijderd" in err
    assert "?" not in out


def test_find_and_erase_cover_the_free_text_of_kwesties(client, regisseur, settings, capsys):
    # A team lead may name the resident in a kwestie's title: find and erase reach it too.
    db = client.app.state.db
    signal = create(client, regisseur, "Overlast bij de speeltuin.")
    lead = login(client, "teamleider")
    r = client.post("/api/v1/kwesties", headers=lead, json={
        "title": "Familie De Boer, Kampweg 7", "description": "Al maanden gedoe met De Boer.",
        "signal_ids": [signal["id"]]})
    assert r.status_code == 201, r.text
    kwestie = r.json()["id"]
    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "de boer")
    assert code == 0, err
    [line] = out.splitlines()
    assert line.split("\t")[0] == kwestie and line.split("\t")[4] == "kwestie"
    assert "Familie De Boer" in line.split("\t")[5]
    code, out, err = cli(capsys, "--db", str(settings.db_path), "privacy", "erase", "--yes", kwestie)
    assert code == 0, err
    assert "1 kwestie text(s) blanked" in out
    row = db.query_one("SELECT title, description FROM kwesties WHERE id = ?", (kwestie,))
    assert (row["title"], row["description"]) == (ERASURE_MARKER, "")
    assert db.query_one("SELECT description FROM signals WHERE id = ?", (signal["id"],))[0] \
        == "Overlast bij de speeltuin."  # the kwestie's signals are erased only by their own id
    assert db.query_one("SELECT count FROM destruction_log WHERE kind = 'kwestie-tekst'")[0] == 1
    code, out, _ = cli(capsys, "--db", str(settings.db_path), "privacy", "find", "de boer")
    assert out == ""
