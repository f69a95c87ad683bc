"""Rate limits per client, and researchers' API keys that raise them and count usage."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from cairn.apikeys import store as api_keys
from cairn.app import create_app
from cairn.core.buckets import Buckets
from cairn.settings import Settings


@given(
    per_minute=st.integers(1, 10_000),
    gaps=st.lists(st.floats(0, 5, allow_nan=False), min_size=1, max_size=50),
)
def test_a_bucket_never_allows_more_than_its_rate(per_minute: int, gaps: list[float]) -> None:
    buckets, now, allowed = Buckets(), 0.0, 0
    for gap in gaps:
        now += gap
        allowed += buckets.take("k", per_minute, now) == 0
    # a full bucket to start with, then the refill over the elapsed time
    assert allowed <= per_minute + per_minute / 60 * now + 1


async def test_limits_answer_429_and_a_key_raises_them(dsn: str, tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "CAIRN_DATA_DIR": str(tmp_path),
            "CAIRN_RATE_LIMIT_PER_MINUTE": "3",
            "CAIRN_API_KEY_RATE_LIMIT_PER_MINUTE": "10",
        }
    )
    conn = await asyncpg.connect(dsn)
    key = await api_keys.create(conn, "Laboratoire d'écologie alpine (test)", None)
    async with AsyncTestClient(app=create_app(settings, dsn)) as client:
        statuses = [(await client.get("/api/v1/observations")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/api/v1/observations")
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["retry-after"]) >= 1
        with_key = [
            (await client.get("/ogc/collections", headers={"X-API-Key": key})).status_code
            for _ in range(5)
        ]
        assert with_key == [200] * 5
        wrong = await client.get("/api/v1/observations", headers={"X-API-Key": "cak_nope"})
        assert wrong.status_code == 401
    assert await conn.fetchval("SELECT requests FROM api_key") == 5
    assert key.encode() not in await conn.fetchval("SELECT key_hash FROM api_key")
    await conn.close()


async def test_devices_behind_one_address_each_have_their_own_limit_within_its_own(
    dsn: str, tmp_path: Path
) -> None:
    """A device spends its own bucket and its address's: tokens are free, so a new one
    must not buy a new allowance (see PRIVACY.md)."""
    settings = Settings.from_env(
        {
            "CAIRN_DATA_DIR": str(tmp_path),
            "CAIRN_RATE_LIMIT_PER_MINUTE": "8",
            "CAIRN_DEVICE_RATE_LIMIT_PER_MINUTE": "4",
        }
    )
    async with AsyncTestClient(app=create_app(settings, dsn)) as client:
        tokens = [(await client.post("/api/v1/devices")).json()["token"] for _ in range(2)]
        first, second = ({"Authorization": f"Bearer {token}"} for token in tokens)
        statuses = [(await client.get("/api/v1/me", headers=first)).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]  # the device is spent, not the address
        assert (await client.get("/api/v1/me", headers=second)).status_code == 200
        assert (await client.get("/api/v1/observations")).status_code == 200
        assert (await client.get("/api/v1/me", headers=second)).status_code == 429  # the address
        unknown = {"Authorization": "Bearer cdt_" + "x" * 43}
        assert (await client.get("/api/v1/me", headers=unknown)).status_code == 401
