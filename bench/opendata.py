"""Open data at scale: keyset pages and full exports against raw SQL, with the server's memory.

    .venv/bin/python -m bench.opendata [--rows 1000000]

Loads N generated public observations (random points in the territory's
bounding box, real taxa) with COPY, then measures at 100 k and at N rows:
a keyset page (bbox + taxon) through the API vs the same SQL run raw;
the full CSV and DwC-A exports vs `COPY … TO STDOUT`; and the server's
peak RSS while it streams.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import numpy as np
import psutil
from pyproj import Transformer

from bench.common import (
    Figure,
    asgi_command,
    emit,
    free_port,
    fresh_database,
    percentile,
    running_server,
    serving,
)
from bench.floor import DSN as FLOOR_DSN
from cairn.core.db import init_connection
from cairn.demo.seed import ensure_reference
from cairn.opendata.partitions import partition_by_year

BBOX = (6.20, 44.54, 7.07, 45.12)
PAGE_BOX = "6.55,44.85,6.70,44.95"
PAGE_TAXON = 61098
"""Capra ibex: one record in fifty, so the page query returns full pages (~70 rows per 100 k)."""
SAMPLES = 30
"""Pages measured on each side, after one warm-up walk; the walk starts over at its end."""
_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


async def load(dsn: str, start: int, count: int) -> None:
    """COPY `count` observations and their public rows (level 0: precise, with grid cells)."""
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    if start == 0:
        await ensure_reference(conn)
    taxa = await conn.fetch(
        "SELECT cd_nom, path::text AS path, scientific_name FROM taxon "
        "WHERE cd_nom = cd_ref AND path IS NOT NULL ORDER BY cd_nom <> $1, cd_nom",
        PAGE_TAXON,
    )
    rng = random.Random(start)
    lons = np.array([rng.uniform(BBOX[0], BBOX[2]) for _ in range(count)])
    lats = np.array([rng.uniform(BBOX[1], BBOX[3]) for _ in range(count)])
    xs, ys = _L93.transform(lons, lats)
    base = datetime(2016, 1, 1, tzinfo=UTC)
    observations, projections = [], []
    for i in range(count):
        taxon = taxa[(start + i) % len(taxa)] if i % 50 else taxa[0]
        ident = uuid.UUID(int=rng.getrandbits(128), version=4)
        when = base + timedelta(minutes=rng.randrange(0, 10 * 365 * 24 * 60))
        lon, lat = round(float(lons[i]), 6), round(float(lats[i]), 6)
        observations.append(
            (
                ident,
                "species",
                1,
                "default",
                when,
                0,
                lon,
                lat,
                10.0,
                {"cd_nom": taxon["cd_nom"], "count": 1},
                "CC-BY-4.0",
                hashlib.sha256(ident.bytes).digest(),
                "certain",
                taxon["cd_nom"],
                taxon["cd_nom"],
            )
        )
        g10 = f"10kmL93E{int(xs[i] // 10000):03d}N{int(ys[i] // 10000):03d}"
        g1 = f"1kmL93E{int(xs[i] // 1000):04d}N{int(ys[i] // 1000):04d}"
        projections.append(
            (
                ident,
                "species",
                "default",
                "certain",
                when,
                0,
                taxon["cd_nom"],
                taxon["path"],
                taxon["scientific_name"],
                None,
                "Plantae",
                None,
                0,
                lon,
                lat,
                (lon, lat),
                10.0,
                None,
                g10,
                g1,
                None,
                "05",
                None,
                None,
                None,
                None,
                {"count": 1},
                None,
                None,
                "CC-BY-4.0",
                [],
                when,
            )
        )
    await conn.copy_records_to_table(
        "observation",
        records=observations,
        columns=[
            "id",
            "kind",
            "schema_version",
            "programme",
            "observed_at",
            "observed_offset_s",
            "lon",
            "lat",
            "accuracy_m",
            "data",
            "licence",
            "content_hash",
            "status",
            "taxon_cd_nom",
            "taxon_cd_ref",
        ],
    )
    await conn.copy_records_to_table(
        "public_observation",
        records=projections,
        columns=[
            "id",
            "kind",
            "programme",
            "status",
            "observed_at",
            "observed_offset_s",
            "taxon_cd_ref",
            "taxon_path",
            "scientific_name",
            "vernacular_fr",
            "kingdom",
            "taxon_group",
            "sensitivity_level",
            "lon",
            "lat",
            "position",
            "uncertainty_m",
            "altitude_m",
            "grid_10km",
            "grid_1km",
            "commune_insee",
            "departement",
            "generalisation",
            "generalisation_code",
            "data_generalizations",
            "information_withheld",
            "attributes",
            "comment",
            "observer",
            "licence",
            "photos",
            "updated_at",
        ],
    )
    await conn.execute("ANALYZE public_observation")
    await conn.close()


PAGE_SQL = """SELECT * FROM public_observation WHERE status = ANY($1) AND taxon_path <@ $2::ltree
               AND position <@ box(point(6.55, 44.85), point(6.70, 44.95)) AND id > $3
               ORDER BY id LIMIT 100"""
"""The page the API serves, as raw SQL (same filters, same order, same limit)."""


async def raw_pages(dsn: str) -> tuple[list[float], str]:
    """Page times (after a warm-up walk), and the plan of the first page."""
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    path = await conn.fetchval("SELECT path::text FROM taxon WHERE cd_nom = $1", PAGE_TAXON)
    args = (["certain", "probable"], path)
    plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {PAGE_SQL}", *args, uuid.UUID(int=0))
    times: list[float] = []
    after, walks = uuid.UUID(int=0), 0
    while len(times) < SAMPLES:
        t = time.perf_counter()
        rows = await conn.fetch(PAGE_SQL, *args, after)
        if walks:
            times.append(time.perf_counter() - t)
        after = rows[-1]["id"] if len(rows) == 100 else uuid.UUID(int=0)
        walks += after.int == 0
    await conn.close()
    return times, "\n".join(r[0] for r in plan)


async def raw_copy(dsn: str) -> tuple[int, float]:
    conn = await asyncpg.connect(dsn)
    size = 0

    async def sink(chunk: bytes) -> None:
        nonlocal size
        size += len(chunk)

    t = time.perf_counter()
    await conn.copy_from_query(
        "SELECT * FROM public_observation WHERE status = ANY('{certain,probable}') ORDER BY id",
        output=sink,
        format="csv",
    )
    elapsed = time.perf_counter() - t
    rows = await conn.fetchval("SELECT count(*) FROM public_observation")
    await conn.close()
    return rows, elapsed


def api_pages(base: str) -> list[float]:
    """Page times through the API (after a warm-up walk), following `next`."""
    first = f"{base}/api/v1/observations?limit=100&bbox={PAGE_BOX}&taxon={PAGE_TAXON}"
    times: list[float] = []
    url, walks = first, 0
    with httpx.Client(timeout=60) as client:
        while len(times) < SAMPLES:
            t = time.perf_counter()
            page = client.get(url).json()
            if walks:
                times.append(time.perf_counter() - t)
            url = page["next"] or first
            walks += page["next"] is None
    return times


def api_export(base: str, path: str, pid: int) -> tuple[float, int, float]:
    """(seconds, bytes, peak RSS MB of the server) for one streamed export."""
    process, peak, done = psutil.Process(pid), [0.0], threading.Event()

    def watch() -> None:
        while not done.is_set():
            rss = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
            peak[0] = max(peak[0], rss / 2**20)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    size, t = 0, time.perf_counter()
    with httpx.stream("GET", base + path, timeout=3600) as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
    elapsed = time.perf_counter() - t
    done.set()
    watcher.join()
    return elapsed, size, peak[0]


def _is_server(process: psutil.Process) -> bool:
    try:
        return "serve" in process.cmdline()
    except psutil.Error:
        return False


RUNS = 3
"""Each export and its COPY baseline run this many times, alternating; the medians count."""


def page_figure(what: str, raw_times: list[float], api_times: list[float]) -> Figure:
    """The keyset page figure, printed."""
    raw_p50, api_p50 = statistics.median(raw_times) * 1000, statistics.median(api_times) * 1000
    page = f"API {api_p50:.2f} ms, raw SQL {raw_p50:.2f} ms, ratio {api_p50 / raw_p50:.2f}x"
    print(f"{what}, p50: {page}")
    return Figure(
        bench="opendata",
        what=f"{what} (p50)",
        value=api_p50,
        unit="ms",
        baseline="raw SQL p50",
        baseline_value=raw_p50,
        ratio=api_p50 / raw_p50,
        note="information: no HTTP stack on the raw side",
    )


def floor_figure(api_times: list[float], floor_times: list[float]) -> Figure:
    """Cairn's keyset page against the same query behind a minimal Litestar endpoint."""
    api_p50, floor_p50 = statistics.median(api_times) * 1000, statistics.median(floor_times) * 1000
    print(
        f"keyset page vs minimal Litestar keyset endpoint, p50: API {api_p50:.2f} ms, "
        f"floor {floor_p50:.2f} ms, ratio {api_p50 / floor_p50:.2f}x (target <= 1.3x)"
    )
    return Figure(
        bench="opendata", what="keyset page vs minimal Litestar keyset endpoint", value=api_p50,
        unit="ms", baseline="minimal Litestar keyset endpoint p50", baseline_value=floor_p50,
        ratio=api_p50 / floor_p50, target="<= 1.3",
        note=f"Cairn p95 {percentile(api_times, 95):.1f} ms; "
             f"floor p95 {percentile(floor_times, 95):.1f} ms",
    )  # fmt: skip


def measure(dsn: str, rows: int) -> None:
    raw_times, plan = asyncio.run(raw_pages(dsn))
    copies, csvs, dwcas = [], [], []
    port = free_port()
    floor_command = asgi_command("bench.floor:create", port, workers=1)
    with (
        running_server(dsn, {"CAIRN_DB_POOL_MAX": "4"}) as base,
        serving(floor_command, port, "/schema/openapi.json", {FLOOR_DSN: dsn}) as floor,
    ):
        pid = next(p.pid for p in psutil.Process().children() if _is_server(p))
        api_times, floor_times = [], []
        for _ in range(RUNS):  # interleaved: the machine's load swings alike on both sides
            api_times += api_pages(base)
            floor_times += api_pages(floor)
        for _ in range(RUNS):
            raw_rows, seconds = asyncio.run(raw_copy(dsn))
            copies.append(seconds)
            csvs.append(api_export(base, "/api/v1/observations?format=csv", pid))
            dwcas.append(api_export(base, "/api/v1/exports/dwca", pid))
    raw_copy_s = statistics.median(copies)
    csv_s, csv_rss = statistics.median(c[0] for c in csvs), max(c[2] for c in csvs)
    dwca_s, dwca_rss = statistics.median(d[0] for d in dwcas), max(d[2] for d in dwcas)
    print(f"\n== {rows:,} public observations")
    print(f"plan of the first page (EXPLAIN ANALYZE, BUFFERS):\n{plan}")
    print(f"COPY TO (raw):      {raw_rows / raw_copy_s:>10,.0f} rows/s")
    figures = [
        page_figure(f"keyset page at {rows:,} rows", raw_times, api_times),
        floor_figure(api_times, floor_times),
    ]
    for name, seconds, rss in (("CSV", csv_s, csv_rss), ("DwC-A", dwca_s, dwca_rss)):
        target = ">= 0.7" if name == "CSV" else ">= 0.5"
        rate = f"{raw_rows / seconds:>10,.0f} rows/s, ratio {raw_copy_s / seconds:.2f}x"
        print(f"{name} export (API): {rate} (target {target}x), server peak RSS {rss:.0f} MB")
        figures.append(
            Figure(
                bench="opendata",
                what=f"{name} export at {rows:,} rows",
                unit="rows/s",
                value=raw_rows / seconds,
                baseline="COPY TO",
                baseline_value=raw_rows / raw_copy_s,
                ratio=raw_copy_s / seconds,
                target=target,
            )
        )
    emit(*figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    dsn = fresh_database("opendata")
    first = min(100_000, args.rows)
    asyncio.run(load(dsn, 0, first))
    measure(dsn, first)
    loaded = first
    while loaded < args.rows:
        batch = min(100_000, args.rows - loaded)
        asyncio.run(load(dsn, loaded, batch))
        loaded += batch
    if args.rows > first:
        measure(dsn, args.rows)
    asyncio.run(partition(dsn))
    raw_times, plan = asyncio.run(raw_pages(dsn))
    with running_server(dsn, {"CAIRN_DB_POOL_MAX": "4"}) as base:
        api_times = api_pages(base)
    print(f"\n== {loaded:,} public observations, partitioned by year")
    print(f"plan of the first page (EXPLAIN ANALYZE, BUFFERS):\n{plan}")
    emit(page_figure(f"keyset page at {loaded:,} rows, partitioned by year", raw_times, api_times))


async def partition(dsn: str) -> None:
    """`cairn partition-public --by year` on the loaded rows."""
    conn = await asyncpg.connect(dsn)
    try:
        done = await partition_by_year(conn, datetime.now(UTC).year)
        print(f"\npartitioned by year: {done.rows:,} rows, years {done.new_years}")
    finally:
        await conn.close()


if __name__ == "__main__":
    main()
