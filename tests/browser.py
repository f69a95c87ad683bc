"""Real-browser test helpers: Cairn under uvicorn on loopback, Debian's Chromium, axe-core."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Frame, Page

from cairn.app import create_app
from cairn.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_cairn(dsn: str, data_dir: Path, extra: dict[str, str] | None = None) -> Iterator[str]:
    """Cairn itself under uvicorn, in a thread with its own event loop; yields its base URL."""
    port = free_port()
    env = {"CAIRN_DATA_DIR": str(data_dir), "CAIRN_BASE_URL": f"http://127.0.0.1:{port}"}
    app = create_app(Settings.from_env({**env, **(extra or {})}), dsn)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def serious_violations(page: Page) -> list[str]:
    """What axe-core (bundled by axe-playwright-python) rates serious or critical."""
    results = await Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


async def until_true(target: Page | Frame, expression: str, timeout_s: float = 30) -> None:
    """Wait until a JavaScript expression is true in the page, polling from Python.

    Playwright's `wait_for_function` polls by evaluating the string inside the page,
    which Cairn's CSP (no 'unsafe-eval') refuses as soon as a second look is needed:
    the test then passes on a fast machine and fails on a loaded one.
    `evaluate` goes through the browser's protocol, which the CSP does not govern.
    """
    deadline = time.monotonic() + timeout_s
    while not await target.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_s} s: {expression}")
        await asyncio.sleep(0.05)


SETTLED_LOOK: Final = """(() => {
  const part = document.querySelector("main");
  if (!part) return null;
  const images = [...part.querySelectorAll("img")];
  return images.every((image) => image.complete) ? part.innerHTML : null;
})()"""


async def until_settled(target: Page | Frame, timeout_s: float = 30) -> None:
    """Wait until the screen's `main` stops changing: every image in it decoded, and the same
    markup at two looks in a row (lists drawn from a fetch, a map from its data)."""
    deadline = time.monotonic() + timeout_s
    last = None
    while True:
        now = await target.evaluate(SETTLED_LOOK)
        if now is not None and now == last:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen still changed after {timeout_s} s")
        last = now
        await asyncio.sleep(0.1)
