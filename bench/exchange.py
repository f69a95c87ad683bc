"""SINP export and import rates: a programme's file written, then loaded into an empty Cairn.

    .venv/bin/python -m bench.exchange [--rows 100000]

Loads N generated observations with COPY (bench.opendata's loader), measures the SINP
export through its service (rows a second, against `COPY … TO STDOUT` of the same
observations), keeps the rows inside the territory (the loader's points fill its bounding
box; intake refuses the others) and imports them into a second, empty database through the
import service: each row checked as an intake is, all in one transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import tempfile
import time
from typing import Any

import asyncpg
from shapely.geometry import Point
from shapely.prepared import prep

from bench.common import Figure, emit, fresh_database
from bench.opendata import load
from cairn.core.db import create_pool, init_connection
from cairn.demo.seed import ensure_reference
from cairn.exchange import service
from cairn.reference.files import territory
from cairn.reference.places_store import load_territory
from cairn.settings import Settings


async def export(dsn: str, settings: Settings) -> tuple[bytes, float, float]:
    """The SINP file, its time, and the time of a bare COPY of the same observations."""
    pool = await create_pool(dsn, 1, 2)
    chunks: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        chunks.append(chunk)

    try:
        dataset = await service.export_dataset(pool, None, "default")
        started = time.perf_counter()
        await service.write_sinp(pool, None, dataset, None, settings.base_url, keep)
        took = time.perf_counter() - started
        async with pool.acquire() as conn:
            started = time.perf_counter()
            await conn.copy_from_query(
                "SELECT * FROM observation WHERE programme = 'default'",
                output=lambda _: asyncio.sleep(0),
                format="csv",
            )
            raw = time.perf_counter() - started
    finally:
        await pool.close()
    return b"".join(chunks), took, raw


def inside(content: bytes) -> bytes:
    """The rows whose point lies in the territory (the others would be refused)."""
    outline = prep(territory().buffer(-0.001))
    reader = csv.DictReader(io.StringIO(content.decode()), delimiter=";")
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=reader.fieldnames or [], delimiter=";", lineterminator="\n"
    )
    writer.writeheader()
    for row in reader:
        lon, lat = row["geometrie_wkt_4326"].removeprefix("POINT(").rstrip(")").split()
        if outline.contains(Point(float(lon), float(lat))):
            writer.writerow(row)
    return out.getvalue().encode()


async def import_into_empty(dsn: str, settings: Settings, content: bytes) -> tuple[Any, float]:
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    await ensure_reference(conn)
    await conn.close()
    pool = await create_pool(dsn, 1, 2)
    try:
        land = await load_territory(pool)
        upload = service.Upload(stream=io.BytesIO(content), file_name="bench.csv", format="sinp")
        started = time.perf_counter()
        report = await service.import_observations(pool, land, settings, None, "default", upload)
        return report, time.perf_counter() - started
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    settings = Settings.from_env({"CAIRN_DATA_DIR": tempfile.mkdtemp(prefix="cairn-bench-")})
    source = fresh_database("exchange_source")
    asyncio.run(load(source, 0, args.rows))
    content, took, raw = asyncio.run(export(source, settings))
    exported = content.count(b"\n") - 1
    kept = inside(content)
    target = fresh_database("exchange_target")
    report, imported_in = asyncio.run(import_into_empty(target, settings, kept))
    if not report.loaded:
        raise SystemExit(f"the import refused rows: {report.refused[:5]}")
    rows = report.created
    print(f"SINP export: {exported:,} rows in {took:.2f} s ({exported / took:,.0f} rows/s)")
    print(f"bare COPY of the same observations: {raw:.2f} s")
    print(f"SINP import: {rows:,} rows in {imported_in:.2f} s ({rows / imported_in:,.0f} rows/s)")
    emit(
        Figure(
            bench="exchange", what=f"SINP export, {exported:,} rows", value=exported / took,
            unit="rows/s", baseline="bare COPY of the observations", baseline_value=exported / raw,
            ratio=raw / took,
        ),
        Figure(
            bench="exchange", what=f"SINP import into an empty Cairn, {rows:,} rows",
            value=rows / imported_in, unit="rows/s",
        ),
    )  # fmt: skip


if __name__ == "__main__":
    main()
