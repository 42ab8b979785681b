"""`make run`'s demo: a first-time user sees every screen with content."""

from __future__ import annotations

import pytest

from server.areas.store import AreaCatalog
from server.demo import DEMO_USERS, load_demo
from server.timeutil import LOCAL, now


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from server.bootstrap import open_database
    from server.settings import Settings

    tmp = tmp_path_factory.mktemp("demo")
    opened = open_database(Settings(db_path=tmp / "demo.db", pwa_dist=tmp / "none"))
    added = load_demo(opened.db, AreaCatalog(opened.db))
    yield opened.db, added
    opened.db.close()


def test_a_month_by_several_regisseurs(demo):
    db, added = demo
    assert added >= 150
    authors = {r[0] for r in db.query("SELECT DISTINCT created_by FROM signals")}
    regisseurs = {u for u, role, *_ in DEMO_USERS if role == "gebiedsregisseur"}
    assert regisseurs <= authors, "every demo regisseur has signals of their own"
    kernen = db.query_one("SELECT count(DISTINCT kern_code) FROM signals")[0]
    assert kernen == 11, "every kern of Noordoostpolder has signals"
    recent = db.query_one("SELECT count(*) FROM signals WHERE observed_utc >= datetime('now', '-30 days')")[0]
    assert recent >= 80


def test_overdue_follow_ups_a_hand_over_and_linked_reports(demo):
    db, _ = demo
    today = now().astimezone(LOCAL).date().isoformat()
    overdue = db.query_one("SELECT count(*) FROM signals WHERE follow_up_date < ? AND status != 'afgesloten'",
                           (today,))[0]
    assert overdue >= 3
    handed = db.query_one("SELECT assignee, assignment_note FROM signals WHERE assignee IS NOT NULL")
    assert handed["assignee"] == "regisseur" and handed["assignment_note"]
    assert db.query_one("SELECT count(*) FROM signals WHERE related_to IS NOT NULL")[0] == 2


def test_an_alert_that_became_a_kwestie(demo):
    db, _ = demo
    alerts = db.query("SELECT status, kern_code FROM alerts")
    assert alerts, "the early warning raised an alert on the demo data"
    assert any(a["kern_code"] == "WK017106" for a in alerts), "the Ens outbreak was seen"
    kwestie = db.query_one("SELECT id, alert_id FROM kwesties")
    assert kwestie is not None and kwestie["alert_id"] is not None
    linked = db.query_one("SELECT count(*) FROM kwestie_signals WHERE kwestie_id = ?", (kwestie["id"],))[0]
    assert linked >= 5
    assert db.query_one("SELECT count(*) FROM kwestie_updates WHERE kwestie_id = ?", (kwestie["id"],))[0] == 1


def test_the_demo_loads_once(demo):
    db, _ = demo
    assert load_demo(db, AreaCatalog(db)) == 0


def test_demo_uses_the_managed_categories(demo):
    from server.categories.defaults import DEFAULT_CATEGORIES

    known = {(c, s) for c, _, _, subs in DEFAULT_CATEGORIES for s, _ in subs}
    used = {(r[0], r[1]) for r in demo[0].query("SELECT DISTINCT category, subcategory FROM signals")}
    assert used <= known, used - known
