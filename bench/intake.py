"""Intake: the API against the bare database and bare Pillow, measured in the same run.

- single submit: `POST /observations` (8 concurrent clients) vs a bare asyncpg INSERT
  of the same columns (8 concurrent connections), without validation, hashing or HTTP;
- batch submit: `POST /observations/batch` of 500 vs `executemany` of 500 rows;
- photos: `PUT …/photos/{id}` of a 12-MP JPEG (decode, EXIF, strip, three variants,
  store) vs decoding and re-encoding it once with Pillow in-process; then the server's
  peak memory while 4 such photos are processed at once.

The API runs as deployed on this 2-core machine: `cairn serve --workers 2` for the
submits, one worker for the photo memory figure (its peak is that process's).

    .venv/bin/python -m bench.intake [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from PIL import Image

from bench.common import (
    Figure,
    emit,
    fresh_database,
    peak_rss_mb,
    percentile,
    run_concurrently,
    running_server,
)

CONCURRENCY = 8
BATCH = 500
OBSERVED = datetime(2026, 7, 14, 7, 32, tzinfo=UTC)
RAW_INSERT = """
INSERT INTO observation (id, kind, schema_version, programme, observed_at, observed_offset_s,
                         lon, lat, accuracy_m, data, licence, content_hash)
VALUES ($1, 'species', 1, 'default', $2, 7200, $3, 44.8986, 12, $4::jsonb, 'CC-BY-4.0', $5)
"""


def payload(i: int) -> dict[str, Any]:
    """A valid species observation, distinct per i."""
    return {
        "id": str(uuid.uuid4()),
        "kind": "species",
        "schema_version": 1,
        "observed_at": "2026-07-14T09:32:00+02:00",
        "location": {"lon": 6.6433 + i * 1e-6, "lat": 44.8986, "accuracy_m": 12},
        "data": {"cd_nom": 61098, "count": 1 + i % 5},
    }


def raw_row(i: int) -> tuple[Any, ...]:
    body = payload(i)
    return (
        uuid.UUID(body["id"]),
        OBSERVED,
        6.6433 + i * 1e-6,
        json.dumps(body["data"]),
        hashlib.sha256(body["id"].encode()).digest(),
    )


async def raw_inserts(dsn: str, count: int) -> tuple[float, list[float]]:
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)

    async def job(i: int) -> None:
        await pool.execute(RAW_INSERT, *raw_row(i))

    try:
        return await run_concurrently(count, CONCURRENCY, job)
    finally:
        await pool.close()


async def raw_batches(dsn: str, batches: int) -> tuple[float, list[float]]:
    """Rows per second of `executemany` in one transaction per 500 rows."""
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=2)

    async def job(b: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await conn.executemany(RAW_INSERT, [raw_row(b * BATCH + i) for i in range(BATCH)])

    try:
        rate, latencies = await run_concurrently(batches, 2, job)
        return rate * BATCH, latencies
    finally:
        await pool.close()


def client(base: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    return httpx.AsyncClient(base_url=base, limits=limits, timeout=120)


async def signed_client(base: str) -> httpx.AsyncClient:
    """A client signed by one registered device: contributor writes need a device token."""
    http = client(base)
    device = (await http.post("/api/v1/devices")).json()
    http.headers["Authorization"] = f"Bearer {device['token']}"
    return http


async def api_submits(base: str, count: int) -> tuple[float, list[float]]:
    http = await signed_client(base)  # already in use: closed below, not entered again
    try:

        async def job(i: int) -> None:
            response = await http.post("/api/v1/observations", json=payload(i))
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

        await run_concurrently(min(200, count), CONCURRENCY, job)  # warm-up
        return await run_concurrently(count, CONCURRENCY, job)
    finally:
        await http.aclose()


async def api_batches(base: str, batches: int) -> tuple[float, list[float]]:
    http = await signed_client(base)  # already in use: closed below, not entered again
    try:

        async def job(_: int) -> None:
            body = {"observations": [payload(i) for i in range(BATCH)]}
            response = await http.post("/api/v1/observations/batch", json=body)
            outcomes = {item["outcome"] for item in response.json()["results"]}
            if response.status_code != 200 or outcomes != {"created"}:
                raise RuntimeError(f"unexpected {response.status_code}: {outcomes}")

        rate, latencies = await run_concurrently(batches, 2, job)
        return rate * BATCH, latencies
    finally:
        await http.aclose()


def twelve_megapixels() -> bytes:
    """A 4000 x 3000 JPEG with camera-like detail (noise does not compress away)."""
    rng = random.Random(12)
    small = Image.frombytes("RGB", (400, 300), rng.randbytes(400 * 300 * 3))
    image = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def pillow_once(raw: bytes) -> float:
    """Seconds to decode the JPEG and encode it once: the least any photo service does."""
    started = time.perf_counter()
    image = Image.open(io.BytesIO(raw))
    image.load()
    image.save(io.BytesIO(), "JPEG", quality=90)
    return time.perf_counter() - started


async def api_photos(base: str, raw: bytes, count: int, at_once: int) -> list[float]:
    """Upload `count` photos, `at_once` in parallel, each on its own observation."""
    http = await signed_client(base)  # already in use: closed below, not entered again
    try:
        ids = []
        for i in range(count):
            body = payload(i)
            created = await http.post("/api/v1/observations", json=body)
            if created.status_code != 201:
                raise RuntimeError(f"unexpected {created.status_code}: {created.text}")
            ids.append(body["id"])

        async def job(i: int) -> None:
            # Each upload differs by its last byte (after the JPEG end: ignored by decoders),
            # so none is answered from the deduplication of an earlier one.
            response = await http.put(
                f"/api/v1/observations/{ids[i]}/photos/{uuid.uuid4()}",
                content=raw + bytes([i % 256]) * (i + 1),
                headers={"Content-Type": "image/jpeg"},
            )
            if response.status_code != 201:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

        _, latencies = await run_concurrently(count, at_once, job)
        return latencies
    finally:
        await http.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--photos", type=int, default=12)
    args = parser.parse_args()
    dsn = fresh_database()
    raw_rate, raw_lat = asyncio.run(raw_inserts(dsn, args.count))
    raw_batch_rate, raw_batch_lat = asyncio.run(raw_batches(dsn, args.batches))
    with running_server(dsn, workers=2) as base:
        api_rate, api_lat = asyncio.run(api_submits(base, args.count))
        batch_rate, batch_lat = asyncio.run(api_batches(base, args.batches))
    photo = twelve_megapixels()
    pillow = sorted(pillow_once(photo) for _ in range(5))
    with running_server(dsn) as base:
        sequential = asyncio.run(api_photos(base, photo, args.photos, 1))
        idle_mb = peak_rss_mb(base.pid)
        asyncio.run(api_photos(base, photo, 8, 4))
        peak_mb = peak_rss_mb(base.pid)
    print(f"{'what':46} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, rate, lat in [
        ("raw asyncpg INSERT (8 concurrent)", raw_rate, raw_lat),
        ("API POST /observations (8 concurrent)", api_rate, api_lat),
        (f"raw executemany of {BATCH} (rows/s)", raw_batch_rate, raw_batch_lat),
        (f"API POST /observations/batch of {BATCH} (rows/s)", batch_rate, batch_lat),
    ]:
        print(f"{name:46} {rate:9.0f} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f}")
    print(f"ratio single submit / INSERT: {api_rate / raw_rate:.2f} (target >= 0.4)")
    print(f"ratio batch / executemany:    {batch_rate / raw_batch_rate:.2f} (target >= 0.5)")
    api_ms, pillow_ms = percentile(sequential, 50), pillow[len(pillow) // 2] * 1000
    print(f"photo, 12-MP JPEG of {len(photo) / 1e6:.1f} MB: API PUT p50 {api_ms:.0f} ms, ")
    print(f"  Pillow decode + one encode {pillow_ms:.0f} ms, ratio {api_ms / pillow_ms:.2f}")
    print(f"server peak memory: {idle_mb:.0f} MB after photos one at a time, ")
    print(f"  {peak_mb:.0f} MB after 4 at once")
    emit(
        Figure(
            bench="intake",
            what="single submit (8 concurrent)",
            value=api_rate,
            unit="obs/s",
            baseline="asyncpg INSERT",
            baseline_value=raw_rate,
            ratio=api_rate / raw_rate,
            target=">= 0.4",
        ),
        Figure(
            bench="intake",
            what=f"batch submit of {BATCH}",
            value=batch_rate,
            unit="obs/s",
            baseline="asyncpg executemany",
            baseline_value=raw_batch_rate,
            ratio=batch_rate / raw_batch_rate,
            target=">= 0.5",
        ),
        Figure(
            bench="intake",
            what="photo pipeline, 12-MP JPEG (p50)",
            value=api_ms,
            unit="ms",
            baseline="Pillow decode + 1 encode",
            baseline_value=pillow_ms,
            ratio=api_ms / pillow_ms,
        ),
        Figure(
            bench="intake",
            what="server peak RSS, 4 photos at once",
            value=peak_mb,
            unit="MB",
            baseline="after photos one at a time",
            baseline_value=idle_mb,
            ratio=peak_mb / idle_mb,
        ),
    )


if __name__ == "__main__":
    main()
