"""Benchmark: hand-off of 1,000 signals to the ZGW test double with 10 % injected failures.

    .venv/bin/python bench/zgw_handoff.py [--signals 1000] [--fault-rate 0.10] [--photos 0.1]
                                          [--seed 13]

The signals are created through the product's write path (the signal service), a tenth
with a photo; each is handed off the way `POST /signals/{id}/zaak` does it (`zgw.service.ask`
in a signal-writer transaction: status "doorgezet" + the outbox row). Then the outbox worker
sends them to the test double (tests/zgw_double.py: Zaken, Documenten and Catalogi API, every
request validated against the specifications with openapi-core), which fails a random
`--fault-rate` of all calls: half of those with a 5xx, a quarter dropped before the double
stores anything, a quarter dropped after it stored the object (the answer lost).

Measured: the time per zaak (one complete, successful try: look-up, zaak, status,
zaakobject, photo), the wall time for the outbox to drain, retries, and at the end the
check that every signal has exactly one zaak with exactly one status, one zaakobject and
(with a photo) one document and one link. The worker runs without its thread and with a
virtual clock for back-off waits (`Worker.drain`): the drain time is the sending work; in
the server, a row waiting for its retry does not hold up the others.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from PIL import Image  # noqa: E402

from server.areas.store import AreaCatalog  # noqa: E402
from server.attachments.store import store_attachment  # noqa: E402
from server.bootstrap import open_database  # noqa: E402
from server.categories.store import category_tree  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.signals.models import Location, SignalCreate  # noqa: E402
from server.signals.service import Mutation, SignalService  # noqa: E402
from server.users.models import User  # noqa: E402
from server.zgw import config as zgw_config  # noqa: E402
from server.zgw import outbox, service  # noqa: E402
from server.zgw.models import ZgwConfigIn  # noqa: E402
from server.zgw.runtime import ZgwRuntime  # noqa: E402

from zgw_double import ZgwDouble  # noqa: E402

LEAD = User(username="teamleider", role="teamleider", all_areas=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--signals", type=int, default=1000)
    ap.add_argument("--fault-rate", type=float, default=0.10)
    ap.add_argument("--photos", type=float, default=0.10, help="share of signals with a photo")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="zgw-bench-"))
    settings = Settings(db_path=tmp / "bench.db", zgw_worker=False)
    db = open_database(settings).db
    catalog = AreaCatalog(db)
    signals = SignalService(db, catalog)

    # 1. Signals through the product's write path, photos stored as uploads are.
    ids, data = [], []
    for i in range(args.signals):
        photos = []
        if rng.random() < args.photos:
            out = io.BytesIO()
            Image.new("RGB", (64, 48), (i % 256, i // 256 % 256, 90)).save(out, format="JPEG")
            raw = out.getvalue()
            sha = hashlib.sha256(raw).hexdigest()
            store_attachment(db, settings.attachments_dir, sha, raw, "regisseur")
            photos.append(sha)
        ids.append(str(uuid.uuid4()))
        data.append(SignalCreate(category="jeugd", subcategory="jeugdoverlast", source="inwoner",
                                 description=f"Bench-signaal {i}: jongeren bij het dorpshuis.",
                                 location=Location(lat=52.7092 + rng.uniform(-0.002, 0.002),
                                                   lon=5.8640 + rng.uniform(-0.002, 0.002)),
                                 attachments=photos))
    for start in range(0, len(ids), 500):
        with signals.writing() as w:
            w.apply_batch(LEAD, [Mutation("create", i, d) for i, d in
                                 zip(ids[start:start + 500], data[start:start + 500], strict=True)])

    with ZgwDouble() as double:
        body = double.config()
        checked = zgw_config.check(ZgwConfigIn(**{**body, "mappings": [
            zgw_config.MappingIn(**m) for m in body["mappings"]]}), category_tree(db.conn), None)
        with db.transaction() as conn:
            zgw_config.store(conn, checked, "bench")

        # 2. Hand-offs, as the route does them (status + outbox row in one transaction).
        t0 = time.perf_counter()
        for start in range(0, len(ids), 100):
            with signals.writing() as w:
                for sid in ids[start:start + 100]:
                    service.ask(w, LEAD, "signal", sid, None)
        enqueue_s = time.perf_counter() - t0

        # 3. Faults on a random tenth of all calls.
        faults = Counter()

        def decide(method: str, path: str):
            if rng.random() >= args.fault_rate:
                return None
            kind = rng.choice(["fail", "fail", "drop_before", "drop_after"])
            faults[kind] += 1
            return ("fail", rng.choice([500, 502, 503, 504]), None) if kind == "fail" else (kind,)

        double.decide = decide
        runtime = ZgwRuntime(db, settings, lambda job: _write(signals, job))
        sends: list[float] = []
        real_send = runtime.sender.send

        def timed(row, at):
            t = time.perf_counter()
            result = real_send(row, at)
            sends.append(time.perf_counter() - t)
            return result

        runtime.sender.send = timed  # type: ignore[method-assign]
        t1 = time.perf_counter()
        start_virtual = time.time()
        end_virtual = runtime.worker.drain(start=start_virtual)
        drain_s = time.perf_counter() - t1
        double.clear_faults()

        # 4. Exactly once.
        counts = outbox.counts(db.conn)
        zaken = double.zaken
        by_kenmerk = Counter(k["kenmerk"] for z in zaken for k in z["kenmerken"])
        statussen = Counter(s["zaak"] for s in double.statussen)
        objecten = Counter(o["zaak"] for o in double.zaakobjecten)
        links = Counter(z["zaak"] for z in double.zaakinformatieobjecten)
        lost = sum(1 for sid in ids if by_kenmerk[sid] == 0)
        doubled = sum(1 for sid in ids if by_kenmerk[sid] > 1)
        with_photo = sum(1 for d in data if d.attachments)
        wrong_steps = sum(1 for z in zaken if statussen[z["url"]] != 1 or objecten[z["url"]] != 1)
        assert len(double.documenten) == with_photo == sum(links.values())
        calls = len(double.calls)
        violations = len(double.violations)

    rows = [
        ("signals handed off", f"{args.signals}"),
        ("calls to the double (incl. faulted)", f"{calls}"),
        ("faults injected (5xx / drop before / drop after)",
         f"{sum(faults.values())} ({faults['fail']} / {faults['drop_before']} / {faults['drop_after']})"),
        ("retries (tries that failed and were queued again)", f"{runtime.worker.retries}"),
        ("zaken made / lost / duplicated", f"{len(zaken)} / {lost} / {doubled}"),
        ("zaken with not exactly 1 status and 1 zaakobject", f"{wrong_steps}"),
        ("photos sent (documents = links)", f"{with_photo}"),
        ("outbox: done / failed / queued", f"{counts['done']} / {counts['failed']} / {counts['queued']}"),
        ("spec violations seen by the double", f"{violations}"),
        ("enqueue (status + outbox row), all", f"{enqueue_s:.2f} s ({enqueue_s / args.signals * 1000:.2f} ms each)"),
        ("time per zaak, successful try: p50 / p95",
         f"{statistics.median(sends) * 1000:.0f} / {pct(sends, 0.95) * 1000:.0f} ms"),
        ("outbox drain (wall time of the sending)", f"{drain_s:.1f} s ({args.signals / drain_s:.1f} zaken/s)"),
        ("back-off waited (virtual clock, overlaps sending in the server)",
         f"{end_virtual - start_virtual:.0f} s"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"ZGW hand-off benchmark, {datetime.now(UTC):%Y-%m-%d}, fault rate {args.fault_rate:.0%}")
    print(f"| {'what'.ljust(width)} | value |\n|{'-' * (width + 2)}|---|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    if lost or doubled or wrong_steps or counts["done"] != args.signals or violations:
        sys.exit("NOT exactly once")


def _write(signals: SignalService, job):
    with signals.writing() as w:
        return job(w)


if __name__ == "__main__":
    main()
