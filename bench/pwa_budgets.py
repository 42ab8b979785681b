"""Field-app budgets: JavaScript size, Lighthouse 12.2.3 (mobile) scores, offline save time.

    .venv/bin/python bench/pwa_budgets.py          (after `make build` and `make tools`)

- JavaScript: every .js file of pwa/dist/assets gzipped (level 9); the entry
  chunk is what the first visit loads, the map chunk loads with the capture map.
- Lighthouse 12.2.3 (tools/node_modules, default mobile emulation with its
  simulated 4× CPU slowdown and slow 4G) against the app served by a real
  `gebiedsradar serve`, Debian chromium headless: the log-in page (a fresh
  profile), and the logged-in screens Signalen, Nieuw signaal and Kaart as the
  demo teamleider (a profile logged in by Playwright first; Lighthouse then
  attaches to that chromium with `--disable-storage-reset`, so the app starts
  as a returning user does, from its service worker and IndexedDB).
- Offline save: a real chromium page, logged in, then offline, with CDP
  `Emulation.setCPUThrottlingRate` 4×; the time from pressing `Signaal opslaan`
  to the confirmation on screen (stored in IndexedDB, outbox entry written),
  20 saves, p50 / p95 / max.
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from e2e_support import CHROMIUM, FLAGS, log_in  # noqa: E402
from live import start_server  # noqa: E402

DIST = Path(os.environ.get("GEBIEDSRADAR_PWA_DIST", REPO / "pwa" / "dist"))
LIGHTHOUSE = REPO / "tools" / "node_modules" / ".bin" / "lighthouse"


def js_sizes() -> list[tuple[str, int, int]]:
    out = []
    for f in sorted((DIST / "assets").glob("*.js")):
        raw = f.read_bytes()
        out.append((f.name, len(raw), len(gzip.compress(raw, 9))))
    return out


def lighthouse(url: str, port: int | None = None) -> dict[str, float]:
    """One Lighthouse run: a fresh chromium, or (`port`) the logged-in one on that port."""
    report = Path(tempfile.mkdtemp()) / "lh.json"
    how = [f"--port={port}", "--disable-storage-reset"] if port else [f"--chrome-flags={' '.join(FLAGS)}"]
    subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                    "--only-categories=performance,accessibility,best-practices", *how],
                   check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=600)
    data = json.loads(report.read_text())
    scores = {k: v["score"] * 100 for k, v in data["categories"].items()}
    scores["LCP s"] = data["audits"]["largest-contentful-paint"]["numericValue"] / 1000
    scores["TBT ms"] = data["audits"]["total-blocking-time"]["numericValue"]
    if os.environ.get("LH_FAILED"):  # which audits cost points (for looking into a score)
        for cat in data["categories"].values():
            for ref in cat["auditRefs"]:
                audit = data["audits"][ref["id"]]
                if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                    print(f"  {url} {cat['id']}: {ref['id']} {audit['score']} {audit.get('displayValue', '')}")
    return scores


def logged_in_lighthouse(base: str, paths: list[str], user: str = "teamleider") -> dict[str, dict]:
    """Lighthouse on screens behind the log-in: log in once in a persistent profile, then
    let Lighthouse drive a chromium on that profile."""
    import socket
    import time

    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp()
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=FLAGS,
                                                       viewport={"width": 390, "height": 844})
        page = context.new_page()
        log_in(page, base, user)
        page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
        page.wait_for_load_state("networkidle")
        context.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chrome = subprocess.Popen([CHROMIUM, *FLAGS, f"--remote-debugging-port={port}", f"--user-data-dir={profile}",
                               "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        return {path: lighthouse(base + path, port) for path in paths}
    finally:
        chrome.terminate()
        chrome.wait(timeout=30)


def offline_saves(base: str, n: int = 20) -> list[float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        log_in(page, base, "regisseur")
        page.wait_for_load_state("networkidle")
        context.set_offline(True)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        page.get_by_role("button", name="Nieuw signaal").click()
        times = []
        for i in range(n):
            page.get_by_label("Categorie", exact=True).select_option(label="Jeugd")
            page.get_by_label("Omschrijving").fill(f"Meting {i}")
            ms = page.evaluate("""() => new Promise((resolve) => {
                const saved = document.querySelector('.capture__saved');
                saved.textContent = '';
                const t0 = performance.now();
                new MutationObserver((_, obs) => {
                    if (saved.textContent.startsWith('Signaal opgeslagen')) {
                      obs.disconnect(); resolve(performance.now() - t0);
                    }
                }).observe(saved, {childList: true, characterData: true, subtree: true});
                [...document.querySelectorAll('button')].find((b) => b.textContent === 'Signaal opslaan').click();
            })""")
            times.append(ms)
        browser.close()
    return times


def main() -> None:
    sizes = js_sizes()
    print("| JavaScript file | bytes | gzipped |\n|---|---|---|")
    for name, raw, gz in sizes:
        print(f"| {name} | {raw:,} | {gz:,} |")
    print(f"| **all JavaScript** | {sum(s[1] for s in sizes):,} | **{sum(s[2] for s in sizes):,}** |")
    proc, base = start_server(Path(tempfile.mkdtemp()) / "budget.db", "--demo")
    try:
        runs = {"/ (log-in)": lighthouse(base + "/"),
                 **logged_in_lighthouse(base, ["/signalen", "/nieuw", "/kaart"])}
        keys = list(next(iter(runs.values())))
        print("\n| Lighthouse 12.2.3, mobile | " + " | ".join(keys) + " |")
        print("|---" * (len(keys) + 1) + "|")
        for screen, scores in runs.items():
            print(f"| {screen} | " + " | ".join(f"{scores[k]:.2f}" if k == "LCP s" else f"{scores[k]:.0f}"
                                                for k in keys) + " |")
        times = sorted(offline_saves(base))
        print(f"\nOffline save, CPU 4× slower, {len(times)} saves: p50 {statistics.median(times):.0f} ms,"
              f" p95 {times[int(len(times) * 0.95) - 1]:.0f} ms, max {times[-1]:.0f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
