"""Field app: the signal list with 5,000 signals on the phone, at 4× CPU slowdown.

    .venv/bin/python bench/field_app_list.py [--signals 5000] [--runs 10] [--dist pwa/dist]

A real `gebiedsradar serve --demo` (early-warning detection off), 5,000 extra signals in the
demo regisseur's areas pushed through the sync API (as a phone would, batches of 500), then
Debian chromium headless at 390 × 844 logs in as `regisseur` and pulls them all into
IndexedDB (the app's own sync). With CDP `Emulation.setCPUThrottlingRate` 4 it measures, 10
runs each, median and p95:

- open (cold): `page.goto('/signalen')` (a reload: JavaScript, IndexedDB read of every
  signal, search index, first page drawn) until the first card is in the page
  (performance.now() from navigation start, recorded by a MutationObserver);
- open (in the app): the `Signalen` link from `/opvolgen` until the list's cards show;
- filter: a change of the status filter until the next frame is drawn;
- search: typing words into `Zoeken` (one input event with the whole query, accents and
  prefixes) until the next frame is drawn, over all local signals.

Goals (issue 12): open and filter < 200 ms, search < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from e2e_support import CHROMIUM, FLAGS, api_token, log_in  # noqa: E402
from live import start_server  # noqa: E402

# Around Marknesse and Ens (the demo regisseur's kernen).
PLACES = [(52.7092, 5.8640), (52.6364, 5.8306)]
WORDS = ["jongeren", "hangplek", "café", "fietsen", "haven", "zwerfvuil", "lantaarnpaal", "geluidsoverlast",
         "buurvrouw", "eenzaam", "speeltuin", "parkeren", "scooters", "dorpshuis", "kerk", "bibliotheek",
         "schuur", "brandgevaarlijk", "drugsoverlast", "mantelzorger", "terras", "wijkagent", "ruzie", "afval"]
FIRST_CARD = """
(() => {
  const seen = () => document.querySelector('.signal-list--local .signal-item__open');
  const obs = new MutationObserver(() => {
    if (window.__firstCard == null && seen()) { window.__firstCard = performance.now(); obs.disconnect(); }
  });
  obs.observe(document, {childList: true, subtree: true});
})();
"""
AFTER_PAINT = "new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))"


def push_signals(base: str, n: int, seed: int = 1) -> None:
    token = api_token(base, "regisseur")
    headers = {"Authorization": f"Bearer {token}"}
    cats = httpx.get(base + "/api/v1/categories", headers=headers).json()
    cats = cats["items"] if isinstance(cats, dict) else cats
    rng = random.Random(seed)
    now = datetime.now(UTC)
    device = str(uuid.uuid4())
    mutations = []
    for i in range(n):
        cat = rng.choice(cats)
        lat, lon = rng.choice(PLACES)
        words = " ".join(rng.sample(WORDS, 6))
        data = {
            "category": cat["code"], "description": f"{words[0].upper()}{words[1:]} (melding {i}).",
            "source": rng.choice(["inwoner", "eigen_waarneming", "ondernemer"]), "urgency": "normaal",
            "location": {"lat": lat + rng.uniform(-0.004, 0.004), "lon": lon + rng.uniform(-0.006, 0.006),
                         "accuracy_m": 10, "method": "gps"},
            "observed_at": (now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))).isoformat(),
            "status": rng.choice(["nieuw", "in_behandeling", "doorgezet", "afgesloten"]),
        }
        if rng.random() < 0.1:
            data["follow_up_date"] = (now + timedelta(days=rng.randint(-20, 20))).date().isoformat()
        mutations.append({"id": str(uuid.uuid4()), "seq": i, "op": "create", "signal_id": str(uuid.uuid4()),
                          "data": data})
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        for s in range(0, n, 500):
            res = client.post("/api/v1/sync/push", json={"device_id": device, "mutations": mutations[s:s + 500]})
            res.raise_for_status()
            bad = [r for r in res.json()["results"] if r["status"] not in ("applied", "duplicate")]
            assert not bad, bad[:3]


def summary(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def measure(base: str, n: int, runs: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"open (cold, /signalen)": [], "open (in the app)": [],
                                   "filter (status)": [], "search (Zoeken)": []}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL",
                                      timezone_id="Europe/Amsterdam")
        page = context.new_page()
        page.set_default_timeout(120_000)
        log_in(page, base, "regisseur")
        # Every signal pulled onto the phone (IndexedDB), as the list counts them.
        page.wait_for_function(f"""() => {{
            const t = document.querySelector('.signal-count')?.textContent ?? '';
            const m = t.match(/([\\d.]+) signalen/);
            return m && Number(m[1].replace(/\\./g, '')) >= {n};
        }}""", timeout=300_000)
        # …and the pull finished: the count stays the same for two seconds.
        local, same = None, 0
        while same < 4:
            page.wait_for_timeout(500)
            now = page.evaluate("() => document.querySelector('.signal-count').textContent")
            same = same + 1 if now == local else 0
            local = now
        print(f"on the phone: {local}")
        page.add_init_script(FIRST_CARD)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})

        for _ in range(runs):
            page.goto(base + "/signalen")
            page.wait_for_function("() => window.__firstCard != null")
            out["open (cold, /signalen)"].append(page.evaluate("() => window.__firstCard"))
        page.wait_for_timeout(1000)

        for _ in range(runs):
            page.get_by_role("link", name="Opvolgen", exact=True).click()
            page.wait_for_url("**/opvolgen")
            page.wait_for_timeout(1500)  # "Opvolgen" reads every signal too: let it finish first
            took = page.evaluate(f"""async () => {{
                const link = [...document.querySelectorAll('nav a')].find((a) => a.textContent === 'Signalen');
                const t0 = performance.now();
                link.click();
                while (!document.querySelector('.signal-list--local .signal-item__open')?.offsetParent) {{
                    await new Promise((r) => requestAnimationFrame(r));
                }}
                await {AFTER_PAINT};
                return performance.now() - t0;
            }}""")
            out["open (in the app)"].append(took)

        filters = page.get_by_role("search", name="Signalen zoeken en filteren")
        filters.get_by_text("Filters", exact=True).click()
        statuses = ["nieuw", "afgesloten", "in_behandeling", ""]
        for i in range(runs):
            took = page.evaluate(f"""async (value) => {{
                const el = document.getElementById('filter-status');
                const t0 = performance.now();
                el.value = value;
                el.dispatchEvent(new Event('change', {{bubbles: true}}));
                await {AFTER_PAINT};
                return performance.now() - t0;
            }}""", statuses[i % len(statuses)])
            out["filter (status)"].append(took)
            page.wait_for_timeout(600)  # the server's answer (debounced) comes and goes between runs
        page.evaluate("""() => { const el = document.getElementById('filter-status'); el.value = '';
            el.dispatchEvent(new Event('change', {bubbles: true})); }""")

        queries = ["cafe", "jong hangpl", "FIETSEN haven", "brandgev", "eenzaam mantelzorger", "kerk terras"]
        for i in range(runs):
            took = page.evaluate(f"""async (q) => {{
                const el = document.getElementById('zoeken');
                const t0 = performance.now();
                el.value = q;
                el.dispatchEvent(new Event('input', {{bubbles: true}}));
                await {AFTER_PAINT};
                return performance.now() - t0;
            }}""", queries[i % len(queries)])
            out["search (Zoeken)"].append(took)
            page.wait_for_timeout(600)
        found = page.evaluate("() => document.querySelector('.signal-count').textContent")
        print(f"last search: {found}")
        browser.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--signals", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--dist", default=os.environ.get("GEBIEDSRADAR_PWA_DIST", str(REPO / "pwa" / "dist")))
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    env = {"GEBIEDSRADAR_PWA_DIST": args.dist, "GEBIEDSRADAR_DETECT": "0"}
    proc, base = start_server(tmp / "bench.db", "--demo", env=env)
    try:
        t0 = time.perf_counter()
        push_signals(base, args.signals)
        print(f"pushed {args.signals} signals in {time.perf_counter() - t0:.1f} s")
        results = measure(base, args.signals, args.runs)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    goals = {"open (cold, /signalen)": 200, "open (in the app)": 200, "filter (status)": 200, "search (Zoeken)": 100}
    print(f"\n{args.signals:,} signals on the phone, 390 × 844, CPU 4× slower, {args.runs} runs (ms)")
    for name, values in results.items():
        print(f"  {name}: " + " ".join(f"{v:.0f}" for v in values))
    print(f"{'':26} {'median':>8} {'p95':>8} {'goal':>8}")
    for name, values in results.items():
        med, p95 = summary(values)
        mark = "ok" if p95 < goals[name] else "OVER"
        print(f"{name:26} {med:8.1f} {p95:8.1f} {'< ' + str(goals[name]):>8}  {mark}")


if __name__ == "__main__":
    main()
