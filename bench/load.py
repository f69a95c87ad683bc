"""Mixed load on loopback: visitors, researchers and moderators at once, then a census.

`cairn serve --workers 2` runs on a throw-away embedded database, its rate limits
shared through a real Redis (`CAIRN_REDIS_URL`, Debian's redis-server on loopback)
as several workers or machines would. For a bounded time, simulated clients:

- visitors send batches of observations (retrying some of them on purpose, as
  phones do on bad networks), then single submits with a photo each;
- researchers page the open data with filters and download CSV and GeoJSON;
- moderators read their queue and decide in bulk.

It reports throughput, p50/p99 per route, errors (any 5xx or unexpected status)
and the server's peak memory, beside the throughput of a trivial Litestar endpoint
(`bench/trivial.py`) under the same uvicorn, workers and client concurrency, measured
in the same run; then it checks the database: every acknowledged
observation is stored exactly once, with its public row, and nothing that was
not acknowledged is half-stored. Exit status 1 on any error or census failure.

    .venv/bin/python -m bench.load [--seconds 120] [--visitors 6] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import asyncpg
import httpx
import redis
from PIL import Image

from bench.common import (
    Figure,
    asgi_command,
    emit,
    free_port,
    fresh_database,
    peak_rss_mb,
    percentile,
    running_server,
    serving,
)
from cairn.staff import store as staff_store
from cairn.staff.model import hash_password

PASSWORD = "load-test password, loopback only"  # noqa: S105  (a throw-away account)
IBEX, GENTIAN = 61098, 99854
PLACES = [(6.6433, 44.8986), (6.5, 44.95), (6.72, 44.67), (6.9, 44.75)]  # inside the territory


class Recorder:
    """Latencies per route, errors, and the ids the server acknowledged."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.acknowledged: set[uuid.UUID] = set()

    async def call(
        self, route: str, send: Any, expected: tuple[int, ...] = (200, 201)
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response: httpx.Response = await send()
        except httpx.HTTPError as exc:
            self.errors.append(f"{route}: {type(exc).__name__}")
            return None
        self.latencies[route].append(time.perf_counter() - started)
        if response.status_code not in expected:
            self.errors.append(f"{route}: HTTP {response.status_code} {response.text[:200]}")
            return None
        return response


def observation(rng: random.Random) -> dict[str, Any]:
    lon, lat = rng.choice(PLACES)
    return {
        "id": str(uuid.uuid4()),
        "kind": "species",
        "schema_version": 1,
        "observed_at": "2026-07-14T09:32:00+02:00",
        "location": {"lon": lon + rng.uniform(-0.01, 0.01), "lat": lat + rng.uniform(-0.01, 0.01),
                     "accuracy_m": rng.choice([5, 12, 30])},
        "data": {"cd_nom": rng.choice([IBEX, GENTIAN]), "count": rng.randint(1, 6)},
    }  # fmt: skip


def phone_photo(seed: int) -> bytes:
    """A 2048 x 1536 JPEG, as the field app sends after downscaling."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (64, 48), rng.randbytes(64 * 48 * 3))
    out = io.BytesIO()
    small.resize((2048, 1536)).save(out, "JPEG", quality=85)
    return out.getvalue()


async def visitor(http: httpx.AsyncClient, rec: Recorder, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    device = await rec.call("POST /devices", lambda: http.post("/api/v1/devices"))
    if device is None:
        return
    headers = {"Authorization": f"Bearer {device.json()['token']}"}
    photo = phone_photo(seed)
    jpeg = {**headers, "Content-Type": "image/jpeg"}
    sent = 0
    while time.monotonic() < deadline:
        batch = [observation(rng) for _ in range(rng.randint(5, 40))]
        body = {"observations": batch}
        for attempt in range(1 + (rng.random() < 0.3)):  # a third of batches sent twice
            answer = await rec.call(
                "POST /observations/batch",
                partial(http.post, "/api/v1/observations/batch", json=body, headers=headers),
            )
            if answer is None:
                continue
            outcomes = {r["outcome"] for r in answer.json()["results"]}
            if outcomes != {"created" if attempt == 0 else "unchanged"}:
                rec.errors.append(f"batch attempt {attempt}: outcomes {outcomes}")
            rec.acknowledged.update(uuid.UUID(o["id"]) for o in batch)
        single = observation(rng)
        created = await rec.call(
            "POST /observations",
            partial(http.post, "/api/v1/observations", json=single, headers=headers),
        )
        if created is not None:
            rec.acknowledged.add(uuid.UUID(single["id"]))
            sent += 1  # a distinct upload each time (trailing bytes), so none is deduplicated
            url = f"/api/v1/observations/{single['id']}/photos/{uuid.uuid4()}"
            await rec.call(
                "PUT /observations/{id}/photos/{photo_id}",
                partial(http.put, url, content=photo + sent.to_bytes(4, "big"), headers=jpeg),
            )


async def researcher(http: httpx.AsyncClient, rec: Recorder, deadline: float) -> None:
    queries = [
        "/api/v1/observations?limit=100",
        f"/api/v1/observations?taxon={IBEX}&limit=200",
        "/api/v1/observations?bbox=6.4,44.8,6.8,45.0&format=geojson&limit=500",
    ]
    while time.monotonic() < deadline:
        for query in queries:
            page = await rec.call("GET /observations (pages)", lambda q=query: http.get(q))
            for _ in range(3):
                following = page.json().get("next") if page is not None else None
                if not following:
                    break
                page = await rec.call("GET /observations (pages)", lambda u=following: http.get(u))
        await rec.call(
            "GET /observations?format=csv", lambda: http.get("/api/v1/observations?format=csv")
        )
        await asyncio.sleep(0.2)


async def moderator(http: httpx.AsyncClient, rec: Recorder, deadline: float) -> None:
    login = await rec.call(
        "POST /auth/login",
        lambda: http.post(
            "/api/v1/auth/login", json={"email": "load@cairn.example", "password": PASSWORD}
        ),
    )
    if login is None:
        return
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    statuses = ["certain", "probable", "doubtful"]
    while time.monotonic() < deadline:
        queue = await rec.call(
            "GET /moderation/queue",
            lambda: http.get("/api/v1/moderation/queue?limit=100", headers=headers),
        )
        items = queue.json()["items"] if queue is not None else []
        if items:
            body = {
                "ids": [i["id"] for i in items[:50]],
                "status": random.choice(statuses),
                "expected_versions": {i["id"]: i["version"] for i in items[:50]},
            }
            await rec.call(
                "POST /reviews/bulk",
                partial(http.post, "/api/v1/reviews/bulk", json=body, headers=headers),
            )
        await asyncio.sleep(0.5)


async def seed_moderator(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        user = await staff_store.create_user(
            conn, "load@cairn.example", "Load", hash_password(PASSWORD)
        )
        await staff_store.grant(conn, user, "moderator", None, "default")
    finally:
        await conn.close()


async def census(dsn: str, acknowledged: set[uuid.UUID]) -> list[str]:
    """Every acknowledged id exactly once, with a public row; nothing else half-stored."""
    conn = await asyncpg.connect(dsn)
    try:
        stored = await conn.fetch(
            "SELECT id, count(*) OVER (PARTITION BY id) AS n FROM observation"
        )
        public = {r["id"] for r in await conn.fetch("SELECT id FROM public_observation")}
        photo_orphans = await conn.fetchval(
            """SELECT count(*) FROM photo p
                WHERE NOT EXISTS (SELECT 1 FROM observation o WHERE o.id = p.observation_id)"""
        )
    finally:
        await conn.close()
    ids = {r["id"] for r in stored}
    problems = []
    if doubled := [r["id"] for r in stored if r["n"] > 1]:
        problems.append(f"{len(doubled)} observations stored more than once")
    if lost := acknowledged - ids:
        problems.append(f"{len(lost)} acknowledged observations missing")
    if unknown := ids - acknowledged:
        problems.append(f"{len(unknown)} stored observations never acknowledged")
    if unprojected := ids - public:
        problems.append(f"{len(unprojected)} observations without their public row")
    if photo_orphans:
        problems.append(f"{photo_orphans} photos without their observation")
    return problems


async def run(base: str, seconds: float, visitors: int) -> Recorder:
    rec = Recorder()
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=visitors + 4)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(
            *(visitor(http, rec, deadline, seed) for seed in range(visitors)),
            researcher(http, rec, deadline),
            researcher(http, rec, deadline),
            moderator(http, rec, deadline),
        )
    return rec


@contextmanager
def shared_redis() -> Iterator[str]:
    """A throw-away Redis on loopback that persists nothing; yields its URL."""
    folder = tempfile.mkdtemp(prefix="cairn-bench-redis-")
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def trivial_throughput(seconds: float, concurrency: int, workers: int) -> float:
    """Requests per second of `bench/trivial.py` under the same server and client load."""
    port = free_port()
    command = asgi_command("bench.trivial:create", port, workers)
    with serving(command, port, "/ping") as base:

        async def hammer() -> int:
            deadline = time.monotonic() + seconds
            limits = httpx.Limits(max_connections=concurrency)
            async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:

                async def one_client() -> int:
                    done = 0
                    while time.monotonic() < deadline:
                        (await http.get("/ping")).raise_for_status()
                        done += 1
                    return done

                return sum(await asyncio.gather(*(one_client() for _ in range(concurrency))))

        started = time.perf_counter()
        requests = asyncio.run(hammer())
        return requests / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--visitors", type=int, default=6)
    parser.add_argument("--quick", action="store_true", help="20 s, for make bench")
    args = parser.parse_args()
    seconds = 20 if args.quick else args.seconds
    dsn = fresh_database("load")
    asyncio.run(seed_moderator(dsn))
    with (
        shared_redis() as redis_url,
        running_server(dsn, {"CAIRN_REDIS_URL": redis_url}, workers=2) as base,
    ):
        started = time.perf_counter()
        rec = asyncio.run(run(base, seconds, args.visitors))
        elapsed = time.perf_counter() - started
        peak_mb = peak_rss_mb(base.pid)
    baseline = trivial_throughput(min(seconds, 10), args.visitors + 4, workers=2)
    problems = asyncio.run(census(dsn, rec.acknowledged))
    requests = sum(len(v) for v in rec.latencies.values())
    print(f"{seconds:.0f} s, {args.visitors} visitors, 2 researchers, 1 moderator, 2 workers")
    print(f"{'route':44} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for route, values in sorted(rec.latencies.items()):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"{route:44} {len(values):7d} {p50:8.1f} {p99:8.1f}")
    acknowledged = len(rec.acknowledged)
    print(f"throughput: {requests / elapsed:.0f} req/s, {acknowledged} observations acknowledged")
    print(
        f"trivial Litestar endpoint, same server and concurrency: {baseline:.0f} req/s "
        f"(Cairn's mixed load: {requests / elapsed / baseline:.2f}x)"
    )
    print(f"errors: {len(rec.errors)}")
    for error in rec.errors[:20]:
        print(f"  {error}")
    print(f"server peak RSS (all workers): {peak_mb:.0f} MB")
    print(
        "census: "
        + (
            "every acknowledged observation stored exactly once"
            if not problems
            else "; ".join(problems)
        )
    )
    emit(
        Figure(bench="load", what="mixed load throughput", value=requests / elapsed, unit="req/s"),
        Figure(bench="load", what="trivial Litestar endpoint, same server", value=baseline,
               unit="req/s"),
        Figure(bench="load", what="mixed load vs trivial endpoint",
               value=requests / elapsed / baseline, unit="x"),
        Figure(bench="load", what="errors (must be 0)", value=len(rec.errors), unit="",
               target="0"),
        Figure(bench="load", what="lost or doubled records (must be 0)", value=len(problems),
               unit="", target="0"),
        Figure(bench="load", what="server peak RSS, 2 workers", value=peak_mb, unit="MB"),
    )  # fmt: skip
    raise SystemExit(1 if rec.errors or problems else 0)


if __name__ == "__main__":
    main()
