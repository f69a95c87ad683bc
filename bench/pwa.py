"""The field app's first load on a throttled 3G phone, against a static page, same run.

Debian's Chromium loads `/` cold under CDP network emulation (1.6 Mbit/s down,
750 kbit/s up, 150 ms latency) and a 4x CPU slow-down. Two moments are timed:
the first screen (the home heading is shown) and ready (the reference bundle
of 6,000+ taxa is stored for offline use). A taxon's atlas page is timed until
its charts show, cold, from the address people share (`/atlas/taxon/61098`,
drawn by the server) and from the app's own (`/#/atlas/taxon/61098`, drawn by
the app's scripts after the atlas API answers). Each moment is taken in the
page's own clock (the first frame showing the element, from the navigation's
start). The baseline is a static page that
carries the app shell's own bytes (the page, and the scripts and stylesheets it
loads before its first screen) as text: served by the same Cairn server, from
the same folder, compressed the same way (the build's brotli copy), under the
same throttling. It is the floor that the bytes alone impose in one request.

    .venv/bin/python -m bench.pwa [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from bench.common import Figure, emit, fresh_database, running_server
from bench.widgets import CHROMIUM, throttled_page

PWA = Path(__file__).resolve().parent.parent / "pwa"
DIST = PWA / "dist"


WATCH = """
const seen = (window.__benchSeen = {});
const wanted = %s;
new MutationObserver(() => {
  for (const selector of wanted) {
    if (!(selector in seen) && document.querySelector(selector)) {
      seen[selector] = null;
      requestAnimationFrame(() => (seen[selector] = performance.now()));
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true });
"""
"""Notes, in the page's own clock (from the navigation's start), the first frame after each
selector matches: a check made from outside the page arrives late when the page is busy."""


async def load(browser: Browser, url: str, selectors: list[str]) -> tuple[list[float], int]:
    """Milliseconds from the navigation's start to the first frame showing each selector,
    and bytes received, throttled and cold."""
    context, page, received = await throttled_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    await context.add_init_script(WATCH % json.dumps(selectors))
    await page.goto(url, wait_until="commit")
    for selector in selectors:
        await page.wait_for_selector(selector, state="attached", timeout=120_000)
    times = await page.evaluate(
        f"new Promise((done) => requestAnimationFrame(() => done({json.dumps(selectors)}"
        ".map((s) => window.__benchSeen[s]))))"
    )
    await context.close()
    return [float(time) for time in times], received()


def shell_files(dist: Path) -> list[Path]:
    """What the first screen needs: the page and the scripts and stylesheets it names
    (screens loaded later, and Leaflet, are not in it)."""
    page = (dist / "index.html").read_text("utf-8")
    return [dist / "index.html", *(dist / name for name in re.findall(r'"/(assets/[^"]+)"', page))]


def with_static_page(dist: Path) -> Path:
    """A copy of the build with `static.html`: the shell's bytes as one page, compressed by
    the same build step as the app's files."""
    folder = Path(tempfile.mkdtemp(prefix="cairn-pwa-bench-")) / "dist"
    shutil.copytree(dist, folder)
    text = "".join(path.read_text("utf-8") for path in shell_files(dist))
    (folder / "static.html").write_text(
        "<!doctype html><html lang=en><title>static</title><body><h1>Static</h1><pre hidden>"
        + html.escape(text)
        + "</pre></body></html>",
        "utf-8",
    )
    subprocess.run(["node", str(PWA / "scripts" / "precompress.mjs"), str(folder)], check=True)
    return folder


async def measure(cairn: str, runs: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        # Interleaved, one of each per round: a busy moment of the machine falls on all alike.
        pages = {
            "static": (f"{cairn}/static.html", ["h1"]),
            "app": (f"{cairn}/", ["main h1", "body[data-ready=true]"]),
            "atlas": (f"{cairn}/#/atlas/taxon/61098", ["svg.chart"]),
            "shared": (f"{cairn}/atlas/taxon/61098", ["svg.chart"]),
        }
        measured: dict[str, list[tuple[list[float], int]]] = {name: [] for name in pages}
        for _ in range(runs):
            for name, (url, selectors) in pages.items():
                measured[name].append(await load(browser, url, selectors))
        await browser.close()
    static, app, atlas, shared = (measured[name] for name in pages)
    first = statistics.median(times[0] for times, _ in app)
    ready = statistics.median(times[1] for times, _ in app)
    floor = statistics.median(times[0] for times, _ in static)
    print(f"{'what (3G, 4x CPU, cold cache)':44} {'median ms':>10} {'bytes':>10}")
    print(f"{'static page of the shell bytes (baseline)':44} {floor:10.0f} {static[0][1]:10d}")
    print(f"{'field app: first screen':44} {first:10.0f}")
    print(f"{'field app: ready offline (bundle stored)':44} {ready:10.0f} {app[0][1]:10d}")
    shared_ms = statistics.median(times[0] for times, _ in shared)
    print(f"{'atlas page of a taxon, cold (charts shown)':44} {shared_ms:10.0f} {shared[0][1]:10d}")
    atlas_ms = statistics.median(times[0] for times, _ in atlas)
    print(f"{'  the same at the app address (#/atlas/…)':44} {atlas_ms:10.0f} {atlas[0][1]:10d}")
    print(f"ratio first screen / static: {first / floor:.2f}")
    print(f"ratio atlas page / static: {shared_ms / floor:.2f}, app's: {atlas_ms / floor:.2f}")
    runs_of = {"static": static, "first screen": app, "atlas": shared, "atlas (app)": atlas}
    for name, runs_ms in runs_of.items():
        print(f"  each run, {name}: " + ", ".join(f"{times[0]:.0f}" for times, _ in runs_ms))
    emit(
        Figure(bench="pwa", what="first screen, 3G + 4x CPU", value=first, unit="ms",
               baseline="static page of the shell bytes", baseline_value=floor,
               ratio=first / floor, target="<= 1.2, <= 1000 ms"),
        Figure(bench="pwa", what="ready offline (reference bundle stored)", value=ready, unit="ms"),
        Figure(bench="pwa", what="first visit, bytes transferred", value=app[0][1] / 1024,
               unit="KB"),
        Figure(bench="pwa", what="atlas taxon page, cold (shared address)", value=shared_ms,
               unit="ms", baseline="static page of the shell bytes", baseline_value=floor,
               ratio=shared_ms / floor, target="<= 1.3"),
        Figure(bench="pwa", what="atlas taxon screen, cold (app address #/atlas/…)",
               value=atlas_ms, unit="ms", baseline="static page of the shell bytes",
               baseline_value=floor, ratio=atlas_ms / floor),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with running_server(fresh_database(), {"CAIRN_PWA_DIR": str(with_static_page(DIST))}) as base:
        asyncio.run(measure(base, args.runs))


if __name__ == "__main__":
    main()
