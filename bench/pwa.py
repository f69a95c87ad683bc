"""The field app's first load on a throttled 3G phone, against a static page, same run.

Debian's Chromium loads `/` cold under CDP network emulation (1.6 Mbit/s down,
750 kbit/s up, 150 ms latency) and a 4x CPU slow-down. Two moments are timed:
the first screen (the home heading is shown) and ready (the reference bundle
of 6,000+ taxa is stored for offline use). The baseline is a static page of
the same weight as the app shell, served by Python's http.server under the
same throttling: the floor that bytes alone impose.

    .venv/bin/python -m bench.pwa [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from bench.common import Figure, emit, fresh_database, running_server
from bench.widgets import CHROMIUM, static_site, throttled_page

DIST = Path(__file__).resolve().parent.parent / "pwa" / "dist"


async def load(browser: Browser, url: str, selectors: list[str]) -> tuple[list[float], int]:
    """Milliseconds until each selector appears, and bytes received, throttled and cold."""
    context, page, received = await throttled_page(
        browser, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    started = asyncio.get_running_loop().time()
    await page.goto(url)
    times = []
    for selector in selectors:
        await page.wait_for_selector(selector, state="attached", timeout=120_000)
        times.append((asyncio.get_running_loop().time() - started) * 1000)
    await context.close()
    return times, received()


def shell_bytes() -> int:
    """What the first screen needs: the page, its script and stylesheet (Leaflet is lazy)."""
    files = [DIST / "index.html", *(DIST / "assets").glob("index-*")]
    return sum(p.stat().st_size for p in files)


async def measure(cairn: str, runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cairn-pwa-bench-"))
    (folder / "static.html").write_text(
        "<!doctype html><html lang=en><title>static</title><body><h1>Static</h1><p>"
        + "x" * shell_bytes()
        + "</p></body></html>",
        "utf-8",
    )
    host = static_site(folder)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        app = [
            await load(browser, f"{cairn}/", ["main h1", "body[data-ready=true]"])
            for _ in range(runs)
        ]
        atlas = [
            await load(browser, f"{cairn}/#/atlas/taxon/61098", ["svg.chart"]) for _ in range(runs)
        ]
        static = [await load(browser, f"{host}/static.html", ["h1"]) for _ in range(runs)]
        await browser.close()
    first = statistics.median(times[0] for times, _ in app)
    ready = statistics.median(times[1] for times, _ in app)
    floor = statistics.median(times[0] for times, _ in static)
    print(f"{'what (3G, 4x CPU, cold cache)':44} {'median ms':>10} {'bytes':>10}")
    print(f"{'static page of the shell weight (baseline)':44} {floor:10.0f} {static[0][1]:10d}")
    print(f"{'field app: first screen':44} {first:10.0f}")
    print(f"{'field app: ready offline (bundle stored)':44} {ready:10.0f} {app[0][1]:10d}")
    atlas_ms = statistics.median(times[0] for times, _ in atlas)
    print(f"{'atlas page of a taxon, cold (charts drawn)':44} {atlas_ms:10.0f} {atlas[0][1]:10d}")
    print(f"ratio first screen / static: {first / floor:.2f}")
    emit(
        Figure(bench="pwa", what="first screen, 3G + 4x CPU", value=first, unit="ms",
               baseline="static page of the shell weight", baseline_value=floor,
               ratio=first / floor),
        Figure(bench="pwa", what="ready offline (reference bundle stored)", value=ready, unit="ms"),
        Figure(bench="pwa", what="first visit, bytes transferred", value=app[0][1] / 1024,
               unit="KB"),
        Figure(bench="pwa", what="atlas taxon page, cold", value=atlas_ms, unit="ms",
               baseline="static page of the shell weight", baseline_value=floor,
               ratio=atlas_ms / floor),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with running_server(fresh_database()) as base:
        asyncio.run(measure(base, args.runs))


if __name__ == "__main__":
    main()
