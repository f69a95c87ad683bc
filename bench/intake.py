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
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import msgspec
from PIL import Image

from bench.common import (
    Figure,
    asgi_command,
    emit,
    free_port,
    fresh_database,
    not_run,
    peak_rss_mb,
    percentile,
    run_concurrently,
    running_server,
    serving,
)
from bench.floor import DSN as FLOOR_DSN
from bench.layers import sample, shares

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


async def submits(http: httpx.AsyncClient, count: int) -> tuple[float, list[float]]:
    """`count` single submits, 8 at a time, after a warm-up of 200."""

    async def job(i: int) -> None:
        response = await http.post("/api/v1/observations", json=payload(i))
        if response.status_code != 201:
            raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

    await run_concurrently(min(200, count), CONCURRENCY, job)
    return await run_concurrently(count, CONCURRENCY, job)


async def batches(http: httpx.AsyncClient, count: int) -> tuple[float, list[float]]:
    """Rows per second of `count` batches of 500, 2 at a time."""

    async def job(_: int) -> None:
        body = {"observations": [payload(i) for i in range(BATCH)]}
        response = await http.post("/api/v1/observations/batch", json=body)
        outcomes = {item["outcome"] for item in response.json()["results"]}
        if response.status_code != 200 or outcomes != {"created"}:
            raise RuntimeError(f"unexpected {response.status_code}: {outcomes}")

    rate, latencies = await run_concurrently(count, 2, job)
    return rate * BATCH, latencies


class Side(msgspec.Struct):
    """One server's submits, summed over the interleaved rounds."""

    singles: list[float] = msgspec.field(default_factory=list)
    """Seconds of each round of single submits."""
    single_latencies: list[float] = msgspec.field(default_factory=list)
    batch_seconds: list[float] = msgspec.field(default_factory=list)
    batch_latencies: list[float] = msgspec.field(default_factory=list)

    def single_rate(self, count: int) -> float:
        return count * len(self.singles) / sum(self.singles)

    def batch_rate(self, count: int) -> float:
        return count * BATCH * len(self.batch_seconds) / sum(self.batch_seconds)


async def one_round(base: str, side: Side, count: int, batch_count: int, *, signed: bool) -> None:
    """Single then batch submits on one server; Cairn's need a device token, the floor's not."""
    http = await signed_client(base) if signed else client(base)
    try:
        rate, latencies = await submits(http, count)
        side.singles.append(count / rate)
        side.single_latencies += latencies
        rate, latencies = await batches(http, batch_count)
        side.batch_seconds.append(batch_count * BATCH / rate)
        side.batch_latencies += latencies
    finally:
        await http.aclose()


ROUNDS = 2
"""Cairn (uvicorn), the floor and Cairn under granian take turns this many times."""


def interleaved(dsn: str, count: int, batch_count: int) -> dict[str, Side]:
    """Cairn under uvicorn and granian and the minimal Litestar floor, 2 workers each."""
    sides = {"cairn": Side(), "floor": Side(), "granian": Side()}
    port = free_port()
    floor = asgi_command("bench.floor:create", port, workers=2)
    with (
        running_server(dsn, workers=2) as cairn,
        running_server(dsn, workers=2, server="granian") as granian,
        serving(floor, port, "/schema/openapi.json", {FLOOR_DSN: dsn}) as bare,
    ):
        for _ in range(ROUNDS):
            for name, base in (("cairn", cairn), ("floor", bare), ("granian", granian)):
                rounds = count // ROUNDS
                batches_per_round = max(1, batch_count // ROUNDS)
                asyncio.run(
                    one_round(base, sides[name], rounds, batches_per_round, signed=name != "floor")
                )
    return sides


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


PROFILE_SECONDS = 8


async def warm_up(base: str) -> None:
    """Submits and batches before sampling, so what each worker builds on first use (kind
    validators, prepared statements) is not counted as the steady state's time."""
    http = await signed_client(base)
    try:
        await submits(http, 100)
        await batches(http, 4)
    finally:
        await http.aclose()


def profile(dsn: str, name: str, work: Callable[[httpx.AsyncClient], Awaitable[object]]) -> Figure:
    """Where Cairn's time goes while `work` runs: py-spy on both workers, per layer."""
    what = f"{name}: where Cairn's time goes (py-spy, per layer)"
    with running_server(dsn, workers=2) as base:

        async def drive() -> None:
            http = await signed_client(base)
            try:
                await work(http)
            finally:
                await http.aclose()

        asyncio.run(warm_up(base))
        counts = sample(base.pid, PROFILE_SECONDS, lambda: asyncio.run(drive()))
    if not counts:
        return not_run("intake", what, "py-spy could not sample the server here")
    print(f"where the time of {name} goes: {shares(counts, 20)}")
    return Figure(bench="intake", what=what, value=sum(counts.values()), unit="samples",
                  note=shares(counts))  # fmt: skip


def latencies(values: list[float]) -> str:
    return f"p50 {percentile(values, 50):.1f} ms, p95 {percentile(values, 95):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--photos", type=int, default=12)
    args = parser.parse_args()
    dsn = fresh_database()
    raw_rate, raw_lat = asyncio.run(raw_inserts(dsn, args.count))
    raw_batch_rate, raw_batch_lat = asyncio.run(raw_batches(dsn, args.batches))
    sides = interleaved(dsn, args.count, args.batches)
    per_round, batches_per_round = args.count // ROUNDS, max(1, args.batches // ROUNDS)
    api, floor, granian = sides["cairn"], sides["floor"], sides["granian"]
    api_rate, batch_rate = api.single_rate(per_round), api.batch_rate(batches_per_round)
    floor_rate, floor_batch = floor.single_rate(per_round), floor.batch_rate(batches_per_round)
    granian_rate = granian.single_rate(per_round)
    granian_batch = granian.batch_rate(batches_per_round)
    photo = twelve_megapixels()
    pillow = sorted(pillow_once(photo) for _ in range(5))
    with running_server(dsn) as base:
        sequential = asyncio.run(api_photos(base, photo, args.photos, 1))
        idle_mb = peak_rss_mb(base.pid)
        asyncio.run(api_photos(base, photo, 8, 4))
        peak_mb = peak_rss_mb(base.pid)
    print(f"{'what':52} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, rate, lat in [
        ("raw asyncpg INSERT (8 concurrent)", raw_rate, raw_lat),
        ("minimal Litestar INSERT endpoint (8 concurrent)", floor_rate, floor.single_latencies),
        ("API POST /observations (8 concurrent)", api_rate, api.single_latencies),
        ("API POST /observations under granian", granian_rate, granian.single_latencies),
        (f"raw executemany of {BATCH} (rows/s)", raw_batch_rate, raw_batch_lat),
        (f"minimal Litestar batch endpoint of {BATCH} (rows/s)", floor_batch,
         floor.batch_latencies),
        (f"API POST /observations/batch of {BATCH} (rows/s)", batch_rate, api.batch_latencies),
        (f"API batch of {BATCH} under granian (rows/s)", granian_batch, granian.batch_latencies),
    ]:  # fmt: skip
        print(f"{name:52} {rate:9.0f} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f}")
    print(f"single submit / minimal Litestar: {api_rate / floor_rate:.2f} (target >= 0.5)")
    print(f"batch / minimal Litestar batch:   {batch_rate / floor_batch:.2f} (target >= 0.6)")
    api_ms, pillow_ms = percentile(sequential, 50), pillow[len(pillow) // 2] * 1000
    print(f"photo, 12-MP JPEG of {len(photo) / 1e6:.1f} MB: API PUT p50 {api_ms:.0f} ms, ")
    print(f"  Pillow decode + one encode {pillow_ms:.0f} ms, ratio {api_ms / pillow_ms:.2f}")
    print(f"server peak memory: {idle_mb:.0f} MB after photos one at a time, ")
    print(f"  {peak_mb:.0f} MB after 4 at once")
    emit(
        profile(dsn, "single submit", lambda http: submits(http, args.count)),
        profile(dsn, f"batch submit of {BATCH}", lambda http: batches(http, args.batches)),
        Figure(bench="intake", what="single submit vs minimal Litestar INSERT endpoint",
               value=api_rate, unit="obs/s", baseline="minimal Litestar INSERT endpoint",
               baseline_value=floor_rate, ratio=api_rate / floor_rate, target=">= 0.5",
               note=f"Cairn {latencies(api.single_latencies)}; "
                    f"floor {latencies(floor.single_latencies)}"),
        Figure(bench="intake", what=f"batch submit of {BATCH} vs minimal Litestar batch endpoint",
               value=batch_rate, unit="obs/s", baseline="minimal Litestar batch endpoint",
               baseline_value=floor_batch, ratio=batch_rate / floor_batch, target=">= 0.6",
               note=f"Cairn {latencies(api.batch_latencies)}; "
                    f"floor {latencies(floor.batch_latencies)}"),
        Figure(bench="intake", what="single submit (8 concurrent), raw", value=api_rate,
               unit="obs/s", baseline="asyncpg INSERT, no HTTP", baseline_value=raw_rate,
               ratio=api_rate / raw_rate, note="information: no HTTP stack on the raw side"),
        Figure(bench="intake", what=f"batch submit of {BATCH}, raw", value=batch_rate,
               unit="obs/s", baseline="asyncpg executemany, no HTTP",
               baseline_value=raw_batch_rate, ratio=batch_rate / raw_batch_rate,
               note="information: no HTTP stack on the raw side"),
        Figure(bench="server", what="single submit, granian vs uvicorn (cairn serve)",
               value=granian_rate, unit="obs/s", baseline="uvicorn + httptools + uvloop",
               baseline_value=api_rate, ratio=granian_rate / api_rate,
               note=f"granian {latencies(granian.single_latencies)}; "
                    f"uvicorn {latencies(api.single_latencies)}; 2 workers each"),
        Figure(bench="server", what=f"batch submit of {BATCH}, granian vs uvicorn",
               value=granian_batch, unit="obs/s", baseline="uvicorn + httptools + uvloop",
               baseline_value=batch_rate, ratio=granian_batch / batch_rate),
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
    )  # fmt: skip


if __name__ == "__main__":
    main()
