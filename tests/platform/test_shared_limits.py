"""Rate limits shared through a real Redis server (Debian's redis-server), and failing open."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.core.limiter import RedisLimiter
from cairn.settings import Settings
from tests.browser import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throw-away Redis on a free loopback port, persisting nothing."""
    assert Path(REDIS_SERVER).exists(), "run `make services` (Debian's redis-server) first"
    port = free_port()
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


def limited(tmp_path: Path, url: str) -> Settings:
    return Settings.from_env(
        {
            "CAIRN_DATA_DIR": str(tmp_path),
            "CAIRN_RATE_LIMIT_PER_MINUTE": "3",
            "CAIRN_REDIS_URL": url,
        }
    )


async def test_two_workers_share_one_limit(redis_url: str, dsn: str, tmp_path: Path) -> None:
    first = create_app(limited(tmp_path, redis_url), dsn)
    second = create_app(limited(tmp_path, redis_url), dsn)
    async with AsyncTestClient(first) as one, AsyncTestClient(second) as two:
        statuses = [
            (await one.get("/api/v1/schemas")).status_code,
            (await two.get("/api/v1/schemas")).status_code,
            (await one.get("/api/v1/schemas")).status_code,
            (await two.get("/api/v1/schemas")).status_code,
        ]
        assert statuses == [200, 200, 200, 429]
        refused = await one.get("/api/v1/schemas")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


async def test_the_bucket_script_refills_at_its_rate(redis_url: str) -> None:
    limiter = RedisLimiter(redis_url)
    waits = [await limiter.take("test:bucket", 120) for _ in range(125)]
    assert waits[:120] == [0.0] * 120  # a full bucket to start with (120 a minute: 2 a second)
    assert all(wait >= 1 for wait in waits[121:])
    await limiter.close()


async def test_an_unreachable_redis_fails_open(dsn: str, tmp_path: Path) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    async with AsyncTestClient(create_app(limited(tmp_path, nowhere), dsn)) as client:
        statuses = {(await client.get("/api/v1/schemas")).status_code for _ in range(3)}
        assert statuses == {200}
        # ...and still limits, in this process, rather than not at all.
        assert (await client.get("/api/v1/schemas")).status_code == 429


def test_a_bad_redis_url_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CAIRN_REDIS_URL"):
        Settings.from_env({"CAIRN_DATA_DIR": str(tmp_path), "CAIRN_REDIS_URL": "http://x"})
