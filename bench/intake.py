"""Intake throughput: the API's single submit against a bare asyncpg INSERT, same run.

Both sides use 8 concurrent clients on the same embedded PostgreSQL. The raw
baseline inserts the same columns without validation, hashing or HTTP; the
ratio says what Cairn's safety costs.

    .venv/bin/python bench/intake.py [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx

from bench.common import fresh_database, percentile, run_concurrently, running_server

CONCURRENCY = 8


def payload(i: int) -> dict[str, object]:
    """A valid species observation, distinct per i."""
    return {
        "id": str(uuid.uuid4()),
        "kind": "species",
        "schema_version": 1,
        "observed_at": "2026-07-14T09:32:00+02:00",
        "location": {"lon": 6.6433 + i * 1e-6, "lat": 44.8986, "accuracy_m": 12},
        "data": {"cd_nom": 61098, "count": 1 + i % 5},
    }


async def raw_inserts(dsn: str, count: int) -> tuple[float, list[float]]:
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
    observed = datetime(2026, 7, 14, 7, 32, tzinfo=UTC)

    async def job(i: int) -> None:
        body = payload(i)
        await pool.execute(
            """INSERT INTO observation (id, kind, schema_version, programme, observed_at,
               observed_offset_s, lon, lat, accuracy_m, data, licence, content_hash)
               VALUES ($1, 'species', 1, 'default', $2, 7200, $3, 44.8986, 12, $4::jsonb,
                       'CC-BY-4.0', $5)""",
            uuid.UUID(str(body["id"])),
            observed,
            6.6433 + i * 1e-6,
            json.dumps(body["data"]),
            hashlib.sha256(str(i).encode()).digest(),
        )

    try:
        return await run_concurrently(count, CONCURRENCY, job)
    finally:
        await pool.close()


async def api_submits(base: str, count: int) -> tuple[float, list[float]]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def job(i: int) -> None:
            response = await client.post("/api/v1/observations", json=payload(i))
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

        await run_concurrently(min(200, count), CONCURRENCY, job)  # warm-up
        return await run_concurrently(count, CONCURRENCY, job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    args = parser.parse_args()
    dsn = fresh_database()
    raw_rate, raw_lat = asyncio.run(raw_inserts(dsn, args.count))
    with running_server(dsn) as base:
        api_rate, api_lat = asyncio.run(api_submits(base, args.count))
    rows = [
        ("raw asyncpg INSERT (8 concurrent)", raw_rate, raw_lat),
        ("API POST /observations (8 concurrent)", api_rate, api_lat),
    ]
    print(f"{'what':42} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, rate, lat in rows:
        print(f"{name:42} {rate:9.0f} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f}")
    print(f"ratio API / raw: {api_rate / raw_rate:.2f}")


if __name__ == "__main__":
    main()
