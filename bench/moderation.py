"""Moderation speed: queue pages over 100 k pending records, and a bulk decision of 500.

The API (real `cairn serve`, signed-in moderator, scope checks, JSON) is
compared in the same run with the same SQL sent straight through asyncpg:
- queue: walking pages of 50 with the keyset cursor, counts per status included;
- bulk: one decision on 500 records with their expected versions (UPDATE +
  500 events in one transaction).

    .venv/bin/python bench/moderation.py [--records N] [--pages N] [--bulks N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import datetime

import asyncpg
import httpx

from bench.common import Figure, emit, fresh_database, percentile, running_server
from cairn.core.db import create_pool
from cairn.staff import store as staff
from cairn.staff.model import hash_password

PASSWORD = "bench password, not a secret"  # noqa: S105 (a throw-away bench account)
PAGE = 50
SECRET = "bench-only signing key, at least thirty-two characters"  # noqa: S105

# Same statements as moderation/store.py builds for "pending, programmes default+demo".
RAW_COUNTS = """SELECT o.status, count(*) FROM observation o
                WHERE o.programme = ANY($1) GROUP BY o.status"""
RAW_PAGE = """SELECT o.*, t.cd_ref AS t_cd_ref, t.scientific_name AS t_scientific_name,
                     t.vernacular_fr AS t_vernacular_fr, t.group2_inpn AS t_group
                FROM (SELECT * FROM observation o
                       WHERE o.programme = ANY($1) AND o.status = $2
                         AND (o.queue_rank, o.received_at, o.id) > ($3, $4, $5)
                       ORDER BY o.queue_rank, o.received_at, o.id LIMIT $6) o
                LEFT JOIN taxon t ON t.cd_nom = o.taxon_cd_nom
               ORDER BY o.queue_rank, o.received_at, o.id"""
RAW_BULK_UPDATE = """UPDATE observation o SET status = 'certain', validation_method = 'manual',
                            version = o.version + 1, validated_at = now(), updated_at = now()
                      WHERE o.id = ANY($1) AND o.version = ANY($2)"""
RAW_BULK_EVENTS = """INSERT INTO observation_event
                         (observation_id, actor_kind, action, version, before, after)
                     SELECT id, 'staff', 'review', version, '{"status": "pending"}',
                            '{"status": "certain"}'
                       FROM observation WHERE id = ANY($1)"""


async def seed(dsn: str, records: int) -> None:
    """`records` pending demo observations in two programmes, some flagged or sensitive."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            """INSERT INTO observation (id, kind, schema_version, programme, observed_at,
                   observed_offset_s, lon, lat, accuracy_m, data, licence, comment,
                   content_hash, flags, sensitivity_level, received_at, updated_at)
               SELECT gen_random_uuid(), 'species', 1,
                      CASE WHEN i % 4 = 0 THEN 'demo' ELSE 'default' END,
                      now() - make_interval(hours => i), 7200,
                      6.3 + (i % 1000) * 0.0008, 44.6 + (i / 1000 % 100) * 0.004, 12,
                      '{"cd_nom": 61098, "count": 1}', 'CC-BY-4.0',
                      'DEMO DATA: benchmark record, not a real sighting.',
                      sha256(i::text::bytea),
                      CASE WHEN i % 50 = 0
                           THEN '[{"code": "out_of_range", "message": "demo", "detail": {}}]'::jsonb
                           ELSE '[]'::jsonb END,
                      CASE WHEN i % 70 = 0 THEN 2 ELSE 0 END,
                      now() - make_interval(secs => i), now()
                 FROM generate_series(1, $1) AS i""",
            records,
        )
        await conn.execute("VACUUM ANALYZE observation")
        user = await staff.create_user(
            conn, "bench@cairn.example", "Bench", hash_password(PASSWORD)
        )
        await staff.grant(conn, user, "moderator", "petr", None)
        await staff.grant(conn, user, "moderator", "cairn", None)
    finally:
        await conn.close()


def timed_ms(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 50):7.2f} ms  p99 {percentile(samples, 99):7.2f} ms"


async def raw_pages(dsn: str, pages: int) -> list[float]:
    pool = await create_pool(dsn, 1, 2)
    latencies: list[float] = []
    try:
        after: tuple[int, datetime, object] = (
            -1,
            datetime.fromisoformat("1970-01-01T00:00:00+00:00"),
            "00000000-0000-0000-0000-000000000000",
        )
        for _ in range(pages):
            started = time.perf_counter()
            async with pool.acquire() as conn:
                await conn.fetch(RAW_COUNTS, ["default", "demo"])
                rows = await conn.fetch(RAW_PAGE, ["default", "demo"], "pending", *after, PAGE + 1)
            latencies.append(time.perf_counter() - started)
            last = rows[PAGE - 1]
            after = (last["queue_rank"], last["received_at"], last["id"])
    finally:
        await pool.close()
    return latencies


def api_pages(client: httpx.Client, pages: int) -> list[float]:
    latencies: list[float] = []
    cursor = None
    for _ in range(pages):
        params = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        started = time.perf_counter()
        response = client.get("/api/v1/moderation/queue", params=params)
        latencies.append(time.perf_counter() - started)
        response.raise_for_status()
        cursor = response.json()["next"]
    return latencies


async def pending_batch(dsn: str, size: int, skip: int) -> list[tuple[str, int]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            """SELECT id::text, version FROM observation WHERE status = 'pending'
                ORDER BY id OFFSET $1 LIMIT $2""",
            skip,
            size,
        )
    finally:
        await conn.close()
    return [(r[0], r[1]) for r in rows]


async def raw_bulk(dsn: str, batch: list[tuple[str, int]]) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        ids = [i for i, _ in batch]
        started = time.perf_counter()
        async with conn.transaction():
            await conn.execute(RAW_BULK_UPDATE, ids, [v for _, v in batch])
            await conn.execute(RAW_BULK_EVENTS, ids)
        return time.perf_counter() - started
    finally:
        await conn.close()


def api_bulk(client: httpx.Client, batch: list[tuple[str, int]]) -> float:
    body = {
        "ids": [i for i, _ in batch],
        "status": "certain",
        "comment": "bench",
        "expected_versions": dict(batch),
    }
    started = time.perf_counter()
    response = client.post("/api/v1/reviews/bulk", json=body, timeout=120)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    outcomes = {r["outcome"] for r in response.json()["results"]}
    if outcomes != {"decided"}:
        raise RuntimeError(f"unexpected outcomes {outcomes}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--bulks", type=int, default=5)
    args = parser.parse_args()
    dsn = fresh_database()
    asyncio.run(seed(dsn, args.records))
    asyncio.run(raw_pages(dsn, 20))  # warm the cache for both sides
    raw = asyncio.run(raw_pages(dsn, args.pages))
    with (
        running_server(dsn, {"CAIRN_SECRET_KEY": SECRET}) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        login = client.post(
            "/api/v1/auth/login", json={"email": "bench@cairn.example", "password": PASSWORD}
        )
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        api_pages(client, 20)  # warm-up
        api = api_pages(client, args.pages)
        api_bulks, raw_bulks = [], []
        for n in range(args.bulks):
            api_bulks.append(api_bulk(client, asyncio.run(pending_batch(dsn, 500, 1000 * n))))
            raw_bulks.append(
                asyncio.run(raw_bulk(dsn, asyncio.run(pending_batch(dsn, 500, 1000 * n + 500))))
            )
    print(f"{args.records} pending records, pages of {PAGE} (counts per status included)")
    print(f"  raw SQL (asyncpg)          {timed_ms(raw)}")
    print(f"  API GET /moderation/queue  {timed_ms(api)}")
    print(f"  ratio API / raw p50: {percentile(api, 50) / percentile(raw, 50):.2f}")
    print(f"bulk decision of 500 records ({args.bulks} runs, median)")
    print(f"  raw SQL UPDATE + events    {statistics.median(raw_bulks):.3f} s")
    print(f"  API POST /reviews/bulk     {statistics.median(api_bulks):.3f} s")
    print(f"  ratio API / raw: {statistics.median(api_bulks) / statistics.median(raw_bulks):.2f}")
    emit(
        Figure(
            bench="moderation",
            what=f"queue page, {args.records} pending (p50)",
            value=percentile(api, 50),
            unit="ms",
            baseline="raw SQL p50",
            baseline_value=percentile(raw, 50),
            ratio=percentile(api, 50) / percentile(raw, 50),
        ),
        Figure(
            bench="moderation",
            what="bulk decision of 500",
            value=statistics.median(api_bulks),
            unit="s",
            baseline="raw UPDATE + events",
            baseline_value=statistics.median(raw_bulks),
            ratio=statistics.median(api_bulks) / statistics.median(raw_bulks),
        ),
    )


if __name__ == "__main__":
    main()
