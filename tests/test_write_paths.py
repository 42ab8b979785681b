"""One way a signal changes: REST and sync give the same answer in the same situation.

Every case below is run twice on a fresh database, once as REST calls and once as a
device's sync push, by the same user. Each answer is read in its own protocol
(REST: status code, `Conflict-Fields`; sync: the result's problem) and reduced to
the same terms: the problem status, the overlapping fields, the version and the
state stored afterwards. The case says what that must be; both transports must agree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest

from conftest import EMMELOORD, login, signal_body

ENS = (52.6333, 5.8333)


def create_data(*point: float, **fields) -> dict:
    body = signal_body(*point, **fields)
    body.pop("id")
    return body


def untimed() -> dict:
    """A create without `observed_at`: the server takes the moment it receives it."""
    body = create_data()
    body.pop("observed_at")
    return body


@dataclass
class Case:
    name: str
    #: Done before the act, by the named user over REST: (user, op, data).
    setup: list[tuple[str, str, dict | None]]
    #: The act: (op, data, base_version); by "regisseur" unless `actor` says otherwise.
    act: tuple[str, dict | None, int | None]
    problem: int | None
    version: int | None  # the stored version afterwards (None: deleted or never made)
    stored: dict | None = None  # fields the stored signal has afterwards (None: not live)
    fields: tuple[str, ...] = ()  # the overlapping fields reported
    actor: str = "regisseur"
    where: tuple[float, float] | None = None
    extra: dict = field(default_factory=dict)


CASES = [
    Case("create a new signal", [], ("create", create_data(), None),
         problem=None, version=1, stored={"description": signal_body()["description"]}),
    Case("create the same signal again", [("regisseur", "create", create_data())],
         ("create", create_data(), None), problem=None, version=1),
    Case("create the same signal again without observed_at: the stored time stays, no conflict",
         [("regisseur", "create", untimed())], ("create", untimed(), None),
         problem=None, version=1),
    Case("create again with other content: the later one wins and says what it overwrote",
         [("regisseur", "create", create_data())],
         ("create", create_data(description="Andere tekst."), None),
         problem=409, version=2, stored={"description": "Andere tekst."},
         fields=("description",)),
    Case("create under the id of a deleted signal",
         [("regisseur", "create", create_data()), ("regisseur", "delete", None)],
         ("create", create_data(), None), problem=409, version=None),
    Case("update on the current version", [("regisseur", "create", create_data())],
         ("update", {"urgency": "hoog"}, 1), problem=None, version=2,
         stored={"urgency": "hoog"}),
    Case("update on an old version, other fields changed elsewhere: merged",
         [("regisseur", "create", create_data()),
          ("teamleider", "update", {"status": "doorgezet"})],
         ("update", {"urgency": "laag"}, 1), problem=None, version=3,
         stored={"urgency": "laag", "status": "doorgezet"}),
    Case("update on an old version, the same field changed elsewhere: later wins, told",
         [("regisseur", "create", create_data()),
          ("teamleider", "update", {"urgency": "acuut", "status": "in_behandeling"})],
         ("update", {"urgency": "laag"}, 1), problem=409, version=3,
         stored={"urgency": "laag", "status": "in_behandeling"}, fields=("urgency",)),
    Case("update without a base version: the sent fields win, nothing to report",
         [("regisseur", "create", create_data()),
          ("teamleider", "update", {"urgency": "acuut"})],
         ("update", {"urgency": "laag"}, None), problem=None, version=3,
         stored={"urgency": "laag"}),
    Case("update that changes nothing keeps the version",
         [("regisseur", "create", create_data())],
         ("update", {"urgency": "normaal"}, 1), problem=None, version=1),
    Case("update of a signal deleted elsewhere",
         [("regisseur", "create", create_data()), ("teamleider", "delete", None)],
         ("update", {"urgency": "hoog"}, 1), problem=409, version=None),
    Case("update of a signal that does not exist", [], ("update", {"urgency": "hoog"}, 1),
         problem=404, version=None),
    Case("update with an unknown category changes nothing",
         [("regisseur", "create", create_data())],
         ("update", {"category": "onzin", "urgency": "hoog"}, 1), problem=422, version=1,
         stored={"urgency": "normaal"}),
    Case("a new category drops a subcategory of the old one",
         [("regisseur", "create", create_data())],
         ("update", {"category": "verkeer"}, 1), problem=None, version=2,
         stored={"category": "verkeer", "subcategory": None}),
    # A signal the user may not see answers exactly as one that does not exist (no probing).
    Case("update of a signal outside the user's areas: as if it did not exist",
         [("regisseur", "create", create_data())],
         ("update", {"urgency": "hoog"}, 1), problem=404, version=1, actor="ens"),
    Case("update of a signal deleted outside the user's areas: as if it did not exist",
         [("regisseur", "create", create_data()), ("regisseur", "delete", None)],
         ("update", {"urgency": "hoog"}, 1), problem=404, version=None, actor="ens"),
    Case("delete of a signal outside the user's areas: as if it did not exist",
         [("regisseur", "create", create_data())],
         ("delete", None, 1), problem=404, version=1, actor="ens"),
    Case("delete of a signal deleted outside the user's areas: as if it did not exist",
         [("regisseur", "create", create_data()), ("regisseur", "delete", None)],
         ("delete", None, 2), problem=404, version=None, actor="ens"),
    Case("create under the id of a signal outside the user's areas: as for a deleted id",
         [("regisseur", "create", create_data())],
         ("create", create_data(*ENS), None), problem=409, version=1, actor="ens",
         stored={"description": signal_body()["description"], "created_by": "regisseur"}),
    Case("delete on the current version", [("regisseur", "create", create_data())],
         ("delete", None, 1), problem=None, version=None),
    Case("delete of a signal deleted already",
         [("regisseur", "create", create_data()), ("regisseur", "delete", None)],
         ("delete", None, 2), problem=None, version=None),
    Case("delete on an old version someone else changed: nothing deleted, told",
         [("regisseur", "create", create_data()),
          ("teamleider", "update", {"description": "Belangrijke aanvulling."})],
         ("delete", None, 1), problem=409, version=2,
         stored={"description": "Belangrijke aanvulling."}),
    Case("delete by a regisseur who did not make it",
         [("regisseur", "create", create_data(lat=ENS[0], lon=ENS[1]))],
         ("delete", None, 1), problem=403, version=1, actor="ens"),
    Case("delete of a signal that does not exist", [], ("delete", None, None),
         problem=404, version=None),
]


def _rest(client, headers, op: str, sid: str, data: dict | None, base: int | None):
    """Do it over REST; returns (problem status, overlapping fields)."""
    extra = {"If-Match": f'"{base}"'} if base is not None else {}
    url = f"/api/v1/signals/{sid}"
    if op == "create":
        r = client.post("/api/v1/signals", json={**data, "id": sid}, headers=headers)
    elif op == "update":
        r = client.patch(url, json=data, headers={**headers, **extra})
    else:
        r = client.delete(url, headers={**headers, **extra})
    if r.status_code >= 400:
        assert r.headers["content-type"].startswith("application/problem+json"), r.text
        assert r.json()["status"] == r.status_code
        return r.status_code, ()
    assert r.status_code in (200, 201, 204), r.text
    overlap = r.headers.get("conflict-fields")
    if overlap is None:
        return None, ()
    return 409, tuple(overlap.split(", "))


def _sync(client, headers, op: str, sid: str, data: dict | None, base: int | None):
    """Do it as a device's push; returns (problem status, overlapping fields)."""
    mutation = {"id": str(uuid.uuid4()), "seq": 1, "op": op, "signal_id": sid,
                "base_version": base, "data": data or {}, "client_time": None}
    r = client.post("/api/v1/sync/push", headers=headers,
                    json={"device_id": str(uuid.uuid4()), "mutations": [mutation]})
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    problem = result["problem"]
    if problem is None:
        assert result["status"] == "applied"
        return None, ()
    if result["status"] == "conflict" and problem["status"] == 409 and problem.get("errors"):
        return 409, tuple(e["name"] for e in problem["errors"])
    assert result["status"] in ("conflict", "rejected")
    return problem["status"], ()


def _stored(client, sid: str) -> tuple[int | None, dict | None]:
    db = client.app.state.db
    row = db.query_one("SELECT * FROM signals WHERE id = ? AND deleted = 0", (sid,))
    return (row["version"], dict(row)) if row is not None else (None, None)


@pytest.mark.parametrize("transport", [_rest, _sync], ids=["rest", "sync"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rest_and_sync_answer_alike(client, users, case: Case, transport):
    who = {name: login(client, name) for name in ("regisseur", "teamleider", "ens")}
    sid = str(uuid.uuid4())
    for user, op, data in case.setup:
        problem, _ = _rest(client, who[user], op, sid, data, None)
        assert problem is None, (case.name, user, op)
    op, data, base = case.act
    problem, fields = transport(client, who[case.actor], op, sid, data, base)
    assert (problem, fields) == (case.problem, case.fields)
    version, row = _stored(client, sid)
    assert version == case.version
    for name, value in (case.stored or {}).items():
        assert row is not None and row[name] == value, (name, row and row[name])


def test_both_paths_tell_early_warning_about_every_change(client, regisseur, teamleider):
    """Creates, updates and deletes from either path publish `SignalsChanged` after commit."""
    seen: list[frozenset[str]] = []
    client.app.state.events.subscribe(lambda event: seen.append(event.ids))
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    steps = [
        lambda: _rest(client, regisseur, "create", a, create_data(), None),
        lambda: _rest(client, teamleider, "update", a, {"status": "doorgezet"}, None),
        lambda: _rest(client, teamleider, "delete", a, None, None),
        lambda: _sync(client, regisseur, "create", b, create_data(*EMMELOORD), None),
        lambda: _sync(client, regisseur, "update", b, {"urgency": "hoog"}, 1),
        lambda: _sync(client, regisseur, "delete", b, None, 2),
    ]
    for i, step in enumerate(steps):
        assert step() == (None, ())
        assert seen[-1] == {a if i < 3 else b}, i
    assert len(seen) == 6
    # A change that changes nothing tells nobody.
    _sync(client, regisseur, "delete", b, None, 3)
    _rest(client, regisseur, "create", str(uuid.uuid4()), create_data(category="onzin"), None)
    assert len(seen) == 6


def _answer(r, sid: str, transport: str) -> tuple:
    """A refusal as the user sees it, with the signal id taken out of the text."""
    if transport == "sync":
        assert r.status_code == 200, r.text
        result = r.json()["results"][0]
        problem = result["problem"]
        return result["status"], result["server"], problem["status"], problem["type"], \
            problem["detail"].replace(sid, "ID")
    problem = r.json()
    return r.status_code, problem["status"], problem["type"], problem["detail"].replace(sid, "ID")


def _act(client, headers, transport: str, op: str, sid: str, data: dict | None):
    if transport == "sync":
        mutation = {"id": str(uuid.uuid4()), "seq": 1, "op": op, "signal_id": sid,
                    "base_version": 1, "data": data or {}}
        return client.post("/api/v1/sync/push", headers=headers,
                           json={"device_id": str(uuid.uuid4()), "mutations": [mutation]})
    url = f"/api/v1/signals/{sid}"
    if op == "create":
        return client.post("/api/v1/signals", json={**data, "id": sid}, headers=headers)
    if op == "update":
        return client.patch(url, json=data, headers=headers)
    if op == "get":
        return client.get(url, headers=headers)
    return client.delete(url, headers=headers)


@pytest.mark.parametrize("transport", ["rest", "sync"])
def test_ids_in_other_areas_cannot_be_told_from_unknown_ones(client, users, transport):
    """Finding 8: for a signal in an area the user may not see, live or deleted, every
    answer is the one for an id that does not exist (REST GET, PATCH, DELETE and sync update,
    delete), and a create under it is answered as a create under a deleted id."""
    regisseur, ens = login(client, "regisseur"), login(client, "ens")
    live, gone, deleted_mine = (str(uuid.uuid4()) for _ in range(3))
    for sid in (live, gone):
        _rest(client, regisseur, "create", sid, create_data(), None)
    _rest(client, regisseur, "delete", gone, None, None)
    _rest(client, ens, "create", deleted_mine, create_data(*ENS), None)
    _rest(client, ens, "delete", deleted_mine, None, None)
    ops = [("update", {"urgency": "hoog"}), ("delete", None)]
    if transport == "rest":
        ops.append(("get", None))
    for op, data in ops:
        unknown = str(uuid.uuid4())
        expected = _answer(_act(client, ens, transport, op, unknown, data), unknown, transport)
        assert expected[-3 if transport == "sync" else 1] == 404
        for sid in (live, gone):
            assert _answer(_act(client, ens, transport, op, sid, data), sid, transport) == expected, \
                (op, sid == gone)
    # A create under a taken id: one answer for an own deleted signal and any signal elsewhere.
    expected = _answer(_act(client, ens, transport, "create", deleted_mine, create_data(*ENS)),
                       deleted_mine, transport)
    assert expected[-3 if transport == "sync" else 1] == 409
    for sid in (live, gone):
        assert _answer(_act(client, ens, transport, "create", sid, create_data(*ENS)), sid,
                       transport) == expected
    # Nothing of the other area's signals changed.
    assert _stored(client, live)[0] == 1 and _stored(client, gone) == (None, None)


def test_rest_writes_with_an_idempotency_key_are_done_once_per_user(client, users):
    """REST writes keep their idempotency records as sync does, scoped to the user: a create
    without an id sent twice with one `Idempotency-Key` makes one signal; another user's
    request with the same key is their own."""
    regisseur, teamleider = login(client, "regisseur"), login(client, "teamleider")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/signals", json=create_data(), headers={**regisseur, **key})
    again = client.post("/api/v1/signals", json=create_data(), headers={**regisseur, **key})
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"]
    theirs = client.post("/api/v1/signals", json=create_data(), headers={**teamleider, **key})
    assert theirs.status_code == 201 and theirs.json()["id"] != first.json()["id"]
    assert client.get("/api/v1/signals", headers=teamleider).json()["total"] == 2
    # A retried PATCH is not applied again over a later change by someone else.
    sid = first.json()["id"]
    patch_key = {"Idempotency-Key": "patch-1"}
    url = f"/api/v1/signals/{sid}"
    r = client.patch(url, json={"urgency": "hoog"}, headers={**regisseur, **patch_key})
    assert r.status_code == 200 and r.headers["etag"] == '"2"'
    client.patch(url, json={"urgency": "laag"}, headers=teamleider)
    r = client.patch(url, json={"urgency": "hoog"}, headers={**regisseur, **patch_key})
    assert (r.status_code, r.json()["urgency"], r.headers["etag"]) == (200, "laag", '"3"')
    # A retried delete of a signal that is gone answers as the first time.
    r = client.delete(url, headers={**teamleider, "Idempotency-Key": "weg"})
    assert r.status_code == 204
    assert client.delete(url, headers={**teamleider, "Idempotency-Key": "weg"}).status_code == 204
    # A retry of the PATCH after the delete: the signal is gone.
    assert client.patch(url, json={"urgency": "hoog"},
                        headers={**regisseur, **patch_key}).status_code == 404
    bad = client.post("/api/v1/signals", json=create_data(),
                      headers={**regisseur, "Idempotency-Key": "met spatie"})
    assert bad.status_code == 400
