"""Widget weight and load time on a throttled phone profile, against a static page, same run.

A host page on another origin embeds the "programme" widget with its one-line
script; Chromium (Debian's) loads it under a slow mobile network (CDP network
emulation: 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency, 4x CPU slow-down).
The baseline is the same host page with a plain static `<iframe>` of similar
weight served by Python's http.server, so the ratio is what Cairn's widget
costs over bytes alone. Whatever the open-data API answers is used (until
issue 7 lands it answers 404 and the widget says the data is unavailable).

    .venv/bin/python -m bench.widgets [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import threading
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bench.common import Figure, emit, free_port, fresh_database, running_server

CHROMIUM = "/usr/bin/chromium"
SLOW = {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 93_750}


BUSY_DONE = "#cairn-widget[aria-busy=false]"
"""The widget clears aria-busy once it shows its data (or says it is unavailable).

A selector, not a script: the widget page's CSP forbids evaluating strings."""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging every request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Say nothing."""


def static_site(folder: Path) -> str:
    handler = partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://localhost:{server.server_address[1]}"


async def throttled_page(
    browser: Browser, **options: Any
) -> tuple[BrowserContext, Page, Callable[[], int]]:
    """A cold page on the slow phone profile, and a counter of the bytes it received."""
    context = await browser.new_context(**options)
    page = await context.new_page()
    session = await context.new_cdp_session(page)
    await session.send("Network.enable")
    await session.send("Network.setCacheDisabled", {"cacheDisabled": True})
    await session.send("Network.emulateNetworkConditions", SLOW)
    await session.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    received = [0]

    def count(event: dict[str, float]) -> None:
        received[0] += int(event.get("encodedDataLength", 0))

    session.on("Network.loadingFinished", count)
    return context, page, lambda: received[0]


async def load(browser: Browser, url: str, ready: str) -> tuple[float, int]:
    """Milliseconds until the `ready` selector is in the frame, and bytes received (cold)."""
    context, page, received = await throttled_page(browser)
    started = asyncio.get_running_loop().time()
    await page.goto(url)
    frame_element = await page.wait_for_selector("iframe", state="attached")
    frame = await frame_element.content_frame()
    if frame is None:
        raise RuntimeError("the widget's frame did not load")
    await frame.wait_for_selector(ready, state="attached", timeout=60_000)
    elapsed = (asyncio.get_running_loop().time() - started) * 1000
    await context.close()
    return elapsed, received()


async def measure(cairn: str, runs: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="cairn-widget-bench-"))
    (folder / "frame.html").write_text(
        "<!doctype html><html lang=en><title>static</title><body><h1>Programme progress</h1>"
        + "<p>"
        + "x" * 4000
        + "</p></body></html>",
        "utf-8",
    )
    embed = (
        f'<script src="{cairn}/widgets/embed.js" data-widget="programme" '
        'data-programme="demo" data-lang="en" async></script>'
    )
    (folder / "widget.html").write_text(
        f"<!doctype html><title>host</title><body>{embed}</body>", "utf-8"
    )
    (folder / "static.html").write_text(
        '<!doctype html><title>host</title><iframe src="frame.html" title="static"></iframe>',
        "utf-8",
    )
    host = static_site(folder)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            # one renderer for host and widget, so throttling and byte counts cover both
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-site-isolation-trials",
                "--disable-features=IsolateOrigins,site-per-process",
            ],
        )
        widget = [
            await load(
                browser,
                f"{host}/widget.html",
                BUSY_DONE,
            )
            for _ in range(runs)
        ]
        static = [await load(browser, f"{host}/static.html", "h1") for _ in range(runs)]
        await browser.close()
    widget_ms = statistics.median(ms for ms, _ in widget)
    static_ms = statistics.median(ms for ms, _ in static)
    print(f"{'what (throttled, cold cache)':44} {'median ms':>10} {'bytes':>8}")
    print(f"{'static iframe page (baseline)':44} {static_ms:10.0f} {static[0][1]:8d}")
    print(f"{'programme widget via embed.js':44} {widget_ms:10.0f} {widget[0][1]:8d}")
    print(f"ratio widget / static: {widget_ms / static_ms:.2f}")
    emit(
        Figure(
            bench="widgets",
            what="programme widget, throttled phone",
            value=widget_ms,
            unit="ms",
            baseline="static iframe page",
            baseline_value=static_ms,
            ratio=widget_ms / static_ms,
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with running_server(fresh_database()) as base:
        asyncio.run(measure(base, args.runs))


if __name__ == "__main__":
    main()
