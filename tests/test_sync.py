"""The sync protocol over the API: push results, idempotency, merge, tombstones, pull paging."""

from __future__ import annotations

import uuid

from conftest import EMMELOORD, login, signal_body

DEVICE = str(uuid.uuid4())


def mutation(op: str, signal_id: str, data: dict | None = None, base: int | None = None,
             seq: int = 1, mid: str | None = None) -> dict:
    return {"id": mid or str(uuid.uuid4()), "seq": seq, "op": op, "signal_id": signal_id,
            "base_version": base, "data": data or {}, "client_time": "2026-11-28T10:00:00+01:00"}


def create_data(*point: float, **fields) -> dict:
    body = signal_body(*point, **fields)
    body.pop("id")
    return body


def push(client, headers, *mutations, device: str = DEVICE):
    r = client.post("/api/v1/sync/push", json={"device_id": device, "mutations": list(mutations)},
                    headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def pull_all(client, headers, cursor: str | None = None, limit: int = 500):
    changes = []
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get("/api/v1/sync/pull", params=params, headers=headers)
        assert r.status_code == 200, r.text
        page = r.json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor, page["server_epoch"]


def test_create_then_retry_is_duplicate_with_same_outcome(client, regisseur):
    sid = str(uuid.uuid4())
    m = mutation("create", sid, create_data())
    first = push(client, regisseur, m)["results"][0]
    assert (first["status"], first["version"]) == ("applied", 1)
    assert first["server"]["kern"]["name"] == "Marknesse"
    for _ in range(3):
        again = push(client, regisseur, m)["results"][0]
        assert (again["status"], again["version"], again["signal_id"]) == ("duplicate", 1, sid)
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 1


def test_one_bad_mutation_does_not_block_the_batch(client, regisseur):
    good1, bad, good2 = (str(uuid.uuid4()) for _ in range(3))
    res = push(client, regisseur,
               mutation("create", good1, create_data(), seq=1),
               mutation("create", bad, create_data(category="onzin"), seq=2),
               mutation("create", good2, create_data(location={"lat": 99, "lon": 5}), seq=3),
               mutation("update", str(uuid.uuid4()), {"status": "afgesloten"}, base=1, seq=4))
    statuses = [r["status"] for r in res["results"]]
    assert statuses == ["applied", "rejected", "rejected", "rejected"]
    assert res["results"][1]["problem"]["errors"][0]["name"] == "category"
    assert res["results"][2]["problem"]["errors"][0]["name"] == "location.lat"
    assert res["results"][3]["problem"]["status"] == 404
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 1


def test_a_mutation_that_does_not_fit_is_rejected_alone_and_blocks_nothing(client, regisseur):
    """Finding 5: a `seq` past 2^63 - 1 (or any field of the wrong type) in one mutation used
    to roll back the whole push (500) and block the device's outbox for good. Each mutation
    is read on its own: that one is rejected naming the field, the others apply."""
    ids = [str(uuid.uuid4()) for _ in range(6)]
    items = [
        mutation("create", ids[0], create_data(), seq=2**63),
        mutation("create", ids[1], create_data(), seq=1),
        {**mutation("create", ids[2], create_data(), seq=2), "seq": "drie"},
        mutation("update", ids[1], {"urgency": "hoog"}, base=2**64, seq=3),
        {**mutation("create", ids[3], create_data(), seq=4), "op": "verplaats"},
        {**mutation("create", ids[4], create_data(), seq=5), "data": [1, 2]},
        {**mutation("create", ids[5], create_data(), seq=6), "id": 12},
        mutation("update", ids[1], {"urgency": "acuut"}, base=1, seq=7),
    ]
    res = push(client, regisseur, *items)
    results = res["results"]
    assert [r["status"] for r in results] == ["rejected", "applied", "rejected", "rejected",
                                              "rejected", "rejected", "rejected", "applied"]
    named = [r["problem"]["errors"][0]["name"] if r["problem"] else None for r in results]
    assert named == ["seq", None, "seq", "base_version", "op", "data", "id", None]
    assert all(r["problem"]["status"] == 422 for r in results if r["status"] == "rejected")
    # Each answer carries the ids as sent, so the app can take it out of its outbox.
    assert [r["id"] for r in results] == [m["id"] if isinstance(m["id"], str) else None
                                          for m in items]
    assert [r["signal_id"] for r in results] == [m["signal_id"] for m in items]
    # A rejected update of a signal the user sees comes with the server's state.
    assert results[3]["server"]["id"] == ids[1]
    # The device is not stuck: the same outbox again answers the same, the rest was kept.
    again = push(client, regisseur, *items)["results"]
    assert [r["status"] for r in again] == ["rejected", "duplicate", "rejected", "rejected",
                                            "rejected", "rejected", "rejected", "duplicate"]
    signal = client.get(f"/api/v1/signals/{ids[1]}", headers=regisseur).json()
    assert (signal["urgency"], signal["version"]) == ("acuut", 2)
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 1
    seq = client.app.state.db.query_one("SELECT last_seq FROM devices WHERE device_id = ?",
                                        (DEVICE,))[0]
    assert seq == 7


def test_mutation_ids_are_scoped_to_user_and_device(client, regisseur, teamleider):
    """Finding 8: a mutation id is only a duplicate for the same user and device; another
    user (or device) using the same id gets their own change applied, not someone else's
    outcome."""
    mid = str(uuid.uuid4())
    mine, theirs, other_device = (str(uuid.uuid4()) for _ in range(3))
    first = push(client, regisseur, mutation("create", mine, create_data(), mid=mid))["results"][0]
    assert first["status"] == "applied"
    other = push(client, teamleider, mutation("create", theirs, create_data(), mid=mid))["results"][0]
    assert (other["status"], other["signal_id"], other["version"]) == ("applied", theirs, 1)
    assert other["server"]["created_by"] == "teamleider"
    elsewhere = push(client, regisseur, mutation("create", other_device, create_data(), mid=mid),
                     device=str(uuid.uuid4()))["results"][0]
    assert (elsewhere["status"], elsewhere["signal_id"]) == ("applied", other_device)
    # Each one's retry is a duplicate of its own outcome.
    retry = push(client, teamleider, mutation("create", theirs, create_data(), mid=mid))["results"][0]
    assert (retry["status"], retry["signal_id"]) == ("duplicate", theirs)
    assert client.get("/api/v1/signals", headers=teamleider).json()["total"] == 3


def test_concurrent_edits_merge_field_by_field(client, regisseur, teamleider):
    sid = str(uuid.uuid4())
    push(client, regisseur, mutation("create", sid, create_data()))
    # The team lead changes status and description at the office (version 2).
    client.patch(f"/api/v1/signals/{sid}", json={"status": "in_behandeling",
                                                 "description": "Gesproken met de buren."},
                 headers=teamleider)
    # The director, offline on version 1, changed urgency and description.
    res = push(client, regisseur, mutation("update", sid, {"urgency": "hoog",
                                                           "description": "Het wordt erger."},
                                           base=1, seq=2))["results"][0]
    assert res["status"] == "conflict"
    assert res["version"] == 3
    merged = res["server"]
    assert merged["status"] == "in_behandeling"          # only the office changed it: kept
    assert merged["urgency"] == "hoog"                   # only the phone changed it: applied
    assert merged["description"] == "Het wordt erger."   # both: the later mutation wins
    assert "description" in res["problem"]["detail"]
    # A later edit on the current version is a plain apply.
    res = push(client, regisseur, mutation("update", sid, {"urgency": "acuut"}, base=3, seq=3))
    assert res["results"][0]["status"] == "applied"


def test_non_overlapping_stale_edit_is_applied_not_conflict(client, regisseur, teamleider):
    sid = str(uuid.uuid4())
    push(client, regisseur, mutation("create", sid, create_data()))
    client.patch(f"/api/v1/signals/{sid}", json={"status": "doorgezet"}, headers=teamleider)
    res = push(client, regisseur, mutation("update", sid, {"urgency": "laag"}, base=1))["results"][0]
    assert res["status"] == "applied"
    assert (res["server"]["status"], res["server"]["urgency"]) == ("doorgezet", "laag")


def test_delete_is_tombstone_and_edit_after_delete_conflicts(client, regisseur, teamleider):
    sid = str(uuid.uuid4())
    push(client, regisseur, mutation("create", sid, create_data()))
    res = push(client, teamleider, mutation("delete", sid, base=1))["results"][0]
    assert (res["status"], res["version"], res["server"]) == ("applied", 2, None)
    late = push(client, regisseur, mutation("update", sid, {"urgency": "hoog"}, base=1))["results"][0]
    assert late["status"] == "conflict" and late["server"] is None
    changes, _, _ = pull_all(client, regisseur)
    assert changes == [{"deleted": sid, "version": 2}]


def test_pull_pages_in_commit_order_and_resumes(client, regisseur):
    ids = [str(uuid.uuid4()) for _ in range(7)]
    push(client, regisseur, *[mutation("create", s, create_data(), seq=i) for i, s in enumerate(ids)])
    changes, cursor, epoch = pull_all(client, regisseur, limit=3)
    assert [c["signal"]["id"] for c in changes] == ids
    push(client, regisseur, mutation("update", ids[2], {"status": "afgesloten"}, base=1, seq=9))
    more, _, _ = pull_all(client, regisseur, cursor=cursor)
    assert [(c["signal"]["id"], c["signal"]["version"]) for c in more] == [(ids[2], 2)]
    nothing, _, _ = pull_all(client, regisseur, cursor=cursor and pull_all(client, regisseur, cursor)[1])
    assert nothing == []


def test_pull_only_returns_what_the_user_may_see(client, regisseur):
    ens = login(client, "ens")
    in_marknesse, in_ens = str(uuid.uuid4()), str(uuid.uuid4())
    push(client, regisseur, mutation("create", in_marknesse, create_data(), seq=1),
         mutation("create", in_ens, create_data(lat=52.6333, lon=5.8333), seq=2))
    seen, _, _ = pull_all(client, ens)
    assert [c["signal"]["id"] for c in seen] == [in_ens]
    # A mutation on a signal outside the user's areas is rejected as for an unknown id (no
    # probing); the rest goes through.
    mine = str(uuid.uuid4())
    res = push(client, ens, mutation("update", in_marknesse, {"urgency": "hoog"}, base=1, seq=1),
               mutation("create", mine, create_data(*EMMELOORD), seq=2), device=str(uuid.uuid4()))
    assert [r["status"] for r in res["results"]] == ["rejected", "applied"]
    assert res["results"][0]["problem"]["status"] == 404


def test_oversized_batch_is_413_and_malformed_envelope_422(client, regisseur):
    many = [mutation("create", str(uuid.uuid4()), create_data(), seq=i) for i in range(501)]
    r = client.post("/api/v1/sync/push", json={"device_id": DEVICE, "mutations": many},
                    headers=regisseur)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/api/v1/sync/push", json={"device_id": "not-a-uuid", "mutations": [{"op": "x"}]},
                    headers=regisseur)
    assert r.status_code == 422
    assert {e["name"] for e in r.json()["errors"]} >= {"device_id"}
    assert client.get("/api/v1/signals", headers=regisseur).json()["total"] == 0
    r = client.get("/api/v1/sync/pull", params={"cursor": "!!!"}, headers=regisseur)
    assert r.status_code == 400


def test_two_edits_from_one_device_before_sync_do_not_conflict(client, regisseur):
    sid = str(uuid.uuid4())
    push(client, regisseur, mutation("create", sid, create_data(), seq=1))
    res = push(client, regisseur,
               mutation("update", sid, {"description": "Eerste aanvulling."}, base=1, seq=2),
               mutation("update", sid, {"description": "Tweede aanvulling."}, base=1, seq=3))
    assert [r["status"] for r in res["results"]] == ["applied", "applied"]
    assert res["results"][1]["server"]["description"] == "Tweede aanvulling."
    # Another device editing on the same old base does conflict.
    other = push(client, regisseur, mutation("update", sid, {"description": "Van elders."}, base=1),
                 device=str(uuid.uuid4()))["results"][0]
    assert other["status"] == "conflict"


def test_own_edits_and_others_on_one_old_base_merge_per_field(client, regisseur, teamleider):
    """A phone that edits twice on the same base while a team lead changes something else:
    the phone's own earlier edit is no conflict, the team lead's field stays."""
    sid = str(uuid.uuid4())
    push(client, regisseur, mutation("create", sid, create_data(), seq=1))
    push(client, regisseur, mutation("update", sid, {"description": "Eerste."}, base=1, seq=2))
    client.patch(f"/api/v1/signals/{sid}", json={"status": "doorgezet"}, headers=teamleider)
    res = push(client, regisseur, mutation("update", sid, {"description": "Tweede.",
                                                           "urgency": "hoog"}, base=1, seq=3))
    result = res["results"][0]
    assert (result["status"], result["version"]) == ("applied", 4)
    merged = result["server"]
    assert (merged["description"], merged["urgency"], merged["status"]) == \
        ("Tweede.", "hoog", "doorgezet")


def test_a_change_of_areas_only_is_no_conflict_and_writes_no_snapshot(client, regisseur):
    """An area re-import gives a signal a new version without a client change: an edit based
    on the version before it applies cleanly, and the import stored no snapshot."""
    from server.areas.importer import SYSTEM
    from server.signals.service import SignalService

    sid = str(uuid.uuid4())
    push(client, regisseur, mutation("create", sid, create_data(), seq=1))
    db, catalog = client.app.state.db, client.app.state.areas
    with SignalService(db, catalog).writing() as w:  # as an import does: areas changed
        w.conn.execute("UPDATE signals SET kern_code = NULL WHERE id = ?", (sid,))
        assert w.reassign(SYSTEM, catalog.index) == (1, 1)
    assert db.query_one("SELECT count(*) FROM signal_versions")[0] == 0
    res = push(client, regisseur, mutation("update", sid, {"urgency": "hoog"}, base=1, seq=2))
    result = res["results"][0]
    assert (result["status"], result["version"]) == ("applied", 3)
    assert result["server"]["kern"]["name"] == "Marknesse"
    # The update replaced a version with other client fields: that one has a snapshot now.
    assert [r[0] for r in db.query("SELECT version FROM signal_versions")] == [2]
