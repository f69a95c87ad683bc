"""Shared pieces of the benchmarks: a throw-away database and a real `cairn serve`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import msgspec

from cairn.core.db import database_dsn, ensure_database, migrate, start_embedded

CAIRN = str(Path(sys.executable).with_name("cairn"))
OUT = "CAIRN_BENCH_OUT"
"""Where `make bench` collects every benchmark's figures (one JSON line each)."""


class Figure(msgspec.Struct, frozen=True, kw_only=True):
    """One measured figure with the raw baseline measured in the same run."""

    bench: str
    what: str
    value: float | None
    """None when the figure could not be measured: `note` says why."""
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    ratio: float | None = None
    target: str | None = None
    note: str | None = None
    """Latencies beside a throughput, or why a row could not run."""


def not_run(bench: str, what: str, why: str, target: str | None = None) -> Figure:
    """A row of the summary that says it could not be measured, and why."""
    note = f"not run: {why}"
    return Figure(bench=bench, what=what, value=None, unit="", target=target, note=note)


def emit(*figures: Figure) -> None:
    """Hand figures to `make bench` (when it runs us) as JSON lines."""
    path = os.environ.get(OUT)
    if not path:
        return
    with Path(path).open("ab") as out:
        for figure in figures:
            out.write(msgspec.json.encode(figure) + b"\n")


def fresh_database(name: str = "bench") -> str:
    """An embedded server in a temporary folder, with a migrated database `name`."""
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-"))
    admin = start_embedded(folder)
    asyncio.run(ensure_database(admin, name))
    dsn = database_dsn(admin, name)
    migrate(dsn)
    return dsn


def free_port() -> int:
    """A TCP port nobody listens on, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerURL(str):
    """A running server's base URL, which also knows the server's process id."""

    pid: int


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):  # the process itself once, then children
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        own = status.parent.name == str(pid)
        if own or fields.get("PPid", "").strip() == str(pid):
            total += int(fields.get("VmHWM", "0 kB").split()[0])
    return total / 1024


def asgi_command(factory: str, port: int, workers: int, server: str = "uvicorn") -> list[str]:
    """Serve the app factory `module:function` as `cairn serve` does (uvloop; httptools for
    uvicorn, HTTP/1.1 for granian), on loopback, with `workers` processes."""
    if server == "granian":
        return [str(Path(sys.executable).with_name("granian")), "--interface", "asgi",
                "--factory", "--host", "127.0.0.1", "--port", str(port), "--workers",
                str(workers), "--loop", "uvloop", "--http", "1", "--no-log", factory]  # fmt: skip
    return [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--loop", "uvloop", "--http",
            "httptools", "--log-level", "warning", "--no-access-log"]  # fmt: skip


@contextlib.contextmanager
def serving(
    command: list[str], port: int, ready: str, env: dict[str, str] | None = None
) -> Iterator[ServerURL]:
    """Run a server process; yield its base URL once `ready` (a path) answers 200; stop it."""
    process = subprocess.Popen(command, env={**os.environ, **(env or {})})
    base = ServerURL(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not answer {ready} in 90 s")
            try:
                if httpx.get(base + ready, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def cairn_env(dsn: str, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmarked Cairn: quiet, and rate limits out of the way."""
    return {
        "DATABASE_URL": dsn,
        "CAIRN_LOG_LEVEL": "WARNING",
        "CAIRN_RATE_LIMIT_PER_MINUTE": "10000000",  # benchmarks measure throughput
        "CAIRN_DEVICE_RATE_LIMIT_PER_MINUTE": "10000000",
        **(extra_env or {}),
    }


@contextlib.contextmanager
def running_server(
    dsn: str, extra_env: dict[str, str] | None = None, workers: int = 1, server: str = "uvicorn"
) -> Iterator[ServerURL]:
    """Run Cairn on loopback: `cairn serve` (uvicorn, uvloop, httptools), or the same app
    factory under granian; yield its base URL."""
    port = free_port()
    if server == "uvicorn":
        command = [CAIRN, "serve", "--port", str(port), "--no-migrate", "--workers", str(workers)]
    else:
        command = asgi_command("cairn.app:app_from_env", port, workers, server)
    with serving(command, port, "/api/v1/health", cairn_env(dsn, extra_env)) as base:
        yield base


async def run_concurrently(
    count: int, concurrency: int, job: Callable[[int], Awaitable[None]]
) -> tuple[float, list[float]]:
    """Run `job(i)` for i < count with `concurrency` workers; return (per second, latencies)."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    latencies: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            started = time.perf_counter()
            await job(i)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - started), latencies


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) of `values`, in milliseconds."""
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if len(values) > 1 else 0.0
