"""Finding signals (issue 12): `q` searches the description (FTS5, case and accents do not
matter, words match as the start of a word), never as query syntax; the filters `mine`,
`assignee` and `follow_up=due`; all within the user's scope, with the right total."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server import retention
from server.privacy.requests import erase
from server.timeutil import LOCAL, now

from conftest import MARKNESSE, login, signal_body

ENS_POINT = (52.6333, 5.8333)  # in Ens: the only area of the user `ens`
SIGNALS = "/api/v1/signals"


def create(client, headers, description: str, point=MARKNESSE, **fields) -> str:
    body = signal_body(*point, description=description, **fields)
    r = client.post(SIGNALS, json=body, headers=headers)
    assert r.status_code == 201, r.text
    return body["id"]


def find(client, headers, **params) -> tuple[set[str], int]:
    r = client.get(SIGNALS, params=params, headers=headers)
    assert r.status_code == 200, r.text
    page = r.json()
    return {s["id"] for s in page["items"]}, page["total"]


@pytest.fixture
def cafes(client, regisseur) -> dict[str, str]:
    return {
        "kroon": create(client, regisseur, "Overlast bij Café De Kroon: glasscherven op straat"),
        "cafetaria": create(client, regisseur, "Hangjongeren bij de CAFETARIA aan de Zuidwand"),
        "dorpshuis": create(client, regisseur, "Jongeren bij het dorpshuis, buren klagen"),
        "eten": create(client, regisseur, "Zorgen over een bewoner die niet meer eet"),
    }


def test_case_and_accents_do_not_matter_and_words_match_their_start(client, regisseur, cafes):
    assert find(client, regisseur, q="cafe") == ({cafes["kroon"], cafes["cafetaria"]}, 2)
    assert find(client, regisseur, q="CAFÉ") == ({cafes["kroon"], cafes["cafetaria"]}, 2)
    assert find(client, regisseur, q="café kroon") == ({cafes["kroon"]}, 1)  # every word
    assert find(client, regisseur, q="kro")[0] == {cafes["kroon"]}          # start of a word
    assert find(client, regisseur, q="Cafetaria")[0] == {cafes["cafetaria"]}
    assert find(client, regisseur, q="roon")[0] == set()                    # not the middle
    assert find(client, regisseur, q="jongeren")[0] == {cafes["dorpshuis"]}
    assert find(client, regisseur, q="glasscherven, straat!")[0] == {cafes["kroon"]}
    # Paged: the total counts every match.
    r = client.get(SIGNALS, params={"q": "bij", "limit": 1}, headers=regisseur).json()
    assert (len(r["items"]), r["total"]) == (1, 3)


SYNTAX = ['"', '"cafe', 'cafe"', "cafe*", "*", "-cafe", "cafe -kroon", "NEAR(cafe kroon)",
          "NEAR", "cafe OR dorpshuis", "cafe AND", "NOT cafe", "(cafe", "cafe)", "()",
          "description:cafe", "{description}: cafe", "^cafe", "cafe + kroon", "'cafe'", "\\",
          "café" * 250, "ab " * 333, "🙂 cafe"]


def test_search_text_is_never_query_syntax(client, regisseur, cafes):
    both = {cafes["kroon"], cafes["cafetaria"]}
    for q in SYNTAX:
        r = client.get(SIGNALS, params={"q": q}, headers=regisseur)
        assert r.status_code == 200, (q, r.text)
        found = {s["id"] for s in r.json()["items"]}
        if q in ("NEAR(cafe kroon)", "cafe OR dorpshuis", "description:cafe", "NOT cafe"):
            assert found == set(), q  # the operators are words the text must hold too
        if q in ("cafe*", '"cafe', "-cafe", "(cafe", "^cafe", "'cafe'", "🙂 cafe"):
            assert found == both, q
        if q == "cafe -kroon":  # a minus is no NOT: both words must be there
            assert found == {cafes["kroon"]}


def test_a_search_without_words_filters_nothing(client, regisseur, cafes):
    for q in ("", "   ", "*", '"" ()', "-", "!?"):
        assert find(client, regisseur, q=q) == (set(cafes.values()), 4), q


def test_a_search_longer_than_1000_characters_is_a_problem_not_a_crash(client, regisseur):
    r = client.get(SIGNALS, params={"q": "a" * 1001}, headers=regisseur)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=120) | st.text(alphabet='"*-+^:(){}NEARO ORcafé\\\'', max_size=40))
def test_no_search_text_makes_a_server_error(client, regisseur, q):
    r = client.get(SIGNALS, params={"q": q}, headers=regisseur)
    assert r.status_code < 500, (q, r.text)


def test_search_stays_within_the_users_areas(client, regisseur, cafes):
    ens = login(client, "ens")
    in_ens = create(client, regisseur, "Café in Ens: overlast na sluitingstijd", ENS_POINT)
    own = create(client, ens, "Eigen melding over het café bij Marknesse")  # made by ens
    assert find(client, ens, q="cafe") == ({in_ens, own}, 2)
    assert find(client, ens, q="kroon") == (set(), 0)
    assert find(client, regisseur, q="cafe")[1] == 4


def test_changed_deleted_and_erased_text_is_no_longer_found(client, regisseur, settings, cafes):
    url = f"{SIGNALS}/{cafes['kroon']}"
    r = client.patch(url, json={"description": "Ruzie bij de snackbar"}, headers=regisseur)
    assert r.status_code == 200, r.text
    assert find(client, regisseur, q="kroon")[0] == set()
    assert find(client, regisseur, q="snackbar")[0] == {cafes["kroon"]}

    assert client.delete(f"{SIGNALS}/{cafes['cafetaria']}", headers=regisseur).status_code == 204
    assert find(client, regisseur, q="cafetaria") == (set(), 0)

    db = client.app.state.db
    erase(db, [cafes["eten"]], settings.attachments_dir, by="test")
    assert find(client, regisseur, q="bewoner") == (set(), 0)
    assert find(client, regisseur, q="jongeren")[0] == {cafes["dorpshuis"]}
    integrity_check(db)


def _index_bytes(db) -> bytes:
    """Everything the search index holds on disk (its segments), lower case."""
    return b"".join(bytes(r[0] or b"") for r in db.query("SELECT block FROM signal_search_data")).lower()


def test_an_erased_or_expired_text_is_gone_from_the_index_data_too(client, regisseur, settings,
                                                                    monkeypatch):
    """FTS5 keeps a removed text's words in its segments until they are merged: not found,
    but still in the database file (and its backups). An erasure (AVG art. 17) or a retention
    term takes them out of the index's data as well."""
    padding = [create(client, regisseur, f"Melding {i} over losliggende stoeptegels") for i in range(5)]
    named = create(client, regisseur, "Mevrouw Pietersma op nummer 4 is gevallen")
    more = [create(client, regisseur, f"Melding {i} over zwerfvuil") for i in range(5)]
    db = client.app.state.db
    assert b"pietersma" in _index_bytes(db)
    erase(db, [named], settings.attachments_dir, by="test")
    assert find(client, regisseur, q="pietersma") == (set(), 0)
    assert b"pietersma" not in _index_bytes(db)
    assert find(client, regisseur, q="stoeptegels")[0] == set(padding)

    expiring = create(client, regisseur, "Meneer Oosterhuis belde over zijn buurman",
                      contains_personal_data=True, status="afgesloten")
    assert b"oosterhuis" in _index_bytes(db)
    monkeypatch.setattr(retention, "clock", lambda: now() + timedelta(days=366 * 6))
    retention.run(db, client.app.state.settings)
    assert db.query_one("SELECT description FROM signals WHERE id = ?", (expiring,))[0] != \
        "Meneer Oosterhuis belde over zijn buurman"
    assert b"oosterhuis" not in _index_bytes(db)
    assert find(client, regisseur, q="zwerfvuil")[0] <= set(more)
    integrity_check(db)


def test_a_deleted_signals_text_leaves_the_index_data_at_the_next_retention_run(client, regisseur):
    """A delete is not slowed by a pass over the index; the daily retention run takes a
    deleted signal's words out of the index's data (no term needs to have passed)."""
    others = [create(client, regisseur, f"Melding {i} over zwerfvuil") for i in range(5)]
    gone = create(client, regisseur, "Familie Zwanenburg heeft ruzie met de buren")
    assert client.delete(f"{SIGNALS}/{gone}", headers=regisseur).status_code == 204
    db = client.app.state.db
    retention.run(db, client.app.state.settings)
    assert b"zwanenburg" not in _index_bytes(db)
    assert find(client, regisseur, q="zwerfvuil")[0] == set(others)
    integrity_check(db)


def test_the_index_follows_retention_purges(client, regisseur, cafes, monkeypatch):
    """Signals closed long ago lose their content, then go for good: the index keeps up."""
    for key in ("kroon", "dorpshuis"):
        r = client.patch(f"{SIGNALS}/{cafes[key]}", json={"status": "afgesloten"}, headers=regisseur)
        assert r.status_code == 200, r.text
    db = client.app.state.db
    for years in (6, 30):  # first the content goes (a tombstone stays), then the tombstone
        monkeypatch.setattr(retention, "clock", lambda y=years: now() + timedelta(days=366 * y))
        retention.run(db, client.app.state.settings)
        integrity_check(db)
    assert db.query_one("SELECT count(*) FROM signals")[0] == 2
    assert find(client, regisseur, q="cafe")[0] == {cafes["cafetaria"]}
    assert find(client, regisseur, q="jongeren")[0] == set()


def integrity_check(db) -> None:
    """FTS5 compares its index with the signals table (rank 1): an error when they differ."""
    with db.transaction() as conn:
        conn.execute("INSERT INTO signal_search (signal_search, rank) VALUES ('integrity-check', 1)")


def test_search_combines_with_the_other_filters(client, regisseur, cafes):
    ens = login(client, "ens")
    mine = create(client, ens, "Café-terras blokkeert de stoep", ENS_POINT, status="in_behandeling")
    assert find(client, regisseur, q="cafe", status="nieuw")[0] == {cafes["kroon"], cafes["cafetaria"]}
    assert find(client, regisseur, q="cafe", status="in_behandeling") == ({mine}, 1)
    assert find(client, regisseur, q="cafe", area="WK017106") == ({mine}, 1)
    assert find(client, ens, q="cafe", mine="true") == ({mine}, 1)
    assert find(client, regisseur, q="cafe", mine="true") == ({cafes["kroon"], cafes["cafetaria"]}, 2)
    assert find(client, regisseur, q="dorpshuis", category="jeugdoverlast")[1] == 1
    assert find(client, regisseur, q="dorpshuis", category="zorg")[1] == 0


def test_mine_and_assignee_filters(client, regisseur, cafes):
    ens = login(client, "ens")
    own = create(client, ens, "Losliggende stoeptegels", ENS_POINT)
    with client.app.state.db.transaction() as conn:  # handed over (helper A's hand-over)
        conn.execute("UPDATE signals SET assignee = 'ens' WHERE id IN (?, ?)",
                     (cafes["kroon"], cafes["eten"]))
        conn.execute("UPDATE signals SET assignee = 'teamleider' WHERE id = ?", (cafes["dorpshuis"],))
    assert find(client, ens, mine="true") == ({own}, 1)
    assert find(client, regisseur, mine="true") == (set(cafes.values()), 4)
    assert find(client, regisseur, mine="false")[1] == 5
    assert find(client, ens, assignee="me") == ({cafes["kroon"], cafes["eten"]}, 2)
    assert find(client, regisseur, assignee="ens") == ({cafes["kroon"], cafes["eten"]}, 2)
    assert find(client, regisseur, assignee="teamleider") == ({cafes["dorpshuis"]}, 1)
    assert find(client, regisseur, assignee="me") == (set(), 0)
    assert find(client, ens, assignee="me", q="kroon") == ({cafes["kroon"]}, 1)


def test_follow_up_due_is_today_or_earlier_in_dutch_time_and_not_closed(client, regisseur):
    today = now().astimezone(LOCAL).date()
    made = {name: create(client, regisseur, f"Opvolgen {name}", follow_up_date=day.isoformat(), **extra)
            for name, day, extra in (
                ("vandaag", today, {}),
                ("gisteren", today - timedelta(days=1), {"status": "in_behandeling"}),
                ("morgen", today + timedelta(days=1), {}),
                ("afgesloten", today - timedelta(days=3), {"status": "afgesloten"}))}
    create(client, regisseur, "Zonder opvolgdatum")
    due = {made["vandaag"], made["gisteren"]}
    assert find(client, regisseur, follow_up="due") == (due, 2)
    assert find(client, regisseur, followUp="due") == (due, 2)  # the spelling in the OpenAPI
    assert find(client, regisseur, follow_up="due", q="gisteren") == ({made["gisteren"]}, 1)
    assert client.get(SIGNALS, params={"follow_up": "soon"}, headers=regisseur).status_code == 400
    assert find(client, regisseur)[1] == 5


def test_the_upgrade_indexes_the_signals_already_there(settings, users):
    from litestar.testing import TestClient

    from server.app import create_app
    from server.db import Database

    with TestClient(app=create_app(settings)) as client:
        headers = login(client, "regisseur")
        kept = create(client, headers, "Café De Kroon: overlast op het terras")
    db = Database(settings.db_path)
    with db.transaction() as conn:  # back to before m014
        for trigger in ("insert", "update", "delete"):
            conn.execute(f"DROP TRIGGER signals_search_{trigger}")
        conn.execute("DROP TABLE signal_search")
        conn.execute("DELETE FROM _migrations WHERE name = 'm014_signal_search'")
    db.close()
    with TestClient(app=create_app(settings)) as client:  # opening migrates
        headers = login(client, "regisseur")
        assert find(client, headers, q="cafe") == ({kept}, 1)
        integrity_check(client.app.state.db)
