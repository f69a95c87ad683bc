"""`cairn partition-public --by year`: the same open data, in one partition per year.

On demo observations (real taxa, real places) spread over four years: every row
survives, the indexes, foreign key and comment are there again under their names,
the API answers the same pages, writes land in their year's partition (or the
default one for a year without its own), and a second run says so and splits the
default partition.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.cli import cli
from cairn.demo.seed import load_demo
from cairn.records import projection as public
from cairn.settings import Settings

FAR_YEAR = 2090
"""A year no partition is made for, whatever today's date."""


async def _layout(db: asyncpg.Connection) -> dict[str, Any]:
    return {
        "indexes": sorted(
            r[0]
            for r in await db.fetch(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'public_observation'"
            )
        ),
        "foreign": await db.fetch(
            """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = 'public_observation'::regclass AND contype IN ('f', 'c')
                ORDER BY conname"""
        ),
        "comment": await db.fetchval("SELECT obj_description('public_observation'::regclass)"),
    }


async def _rows(db: asyncpg.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in await db.fetch("SELECT * FROM public_observation ORDER BY id")]


async def _pages(settings: Settings, dsn: str) -> list[Any]:
    async with AsyncTestClient(app=create_app(settings, dsn)) as client:
        answers = []
        for query in ("limit=500", "limit=7", "limit=500&from=2020-01-01&to=2021-01-01",
                      "limit=500&bbox=6.2,44.5,7.1,45.2"):  # fmt: skip
            response = await client.get(f"/api/v1/observations?{query}")
            assert response.status_code == 200
            answers.append(response.json()["items"])
        return answers


def _partition_public(dsn: str, *extra: str) -> str:
    result = CliRunner().invoke(
        cli, ["partition-public", "--by", "year", *extra], env={"DATABASE_URL": dsn}
    )
    assert result.exit_code == 0, result.output
    return result.output


async def test_partitioning_keeps_rows_queries_and_writes(
    dsn: str, db: asyncpg.Connection, settings: Settings
) -> None:
    await load_demo(db, settings, 60)
    await db.execute(
        """UPDATE observation o
              SET observed_at = make_timestamptz((2019 + n % 4)::int, (1 + n % 12)::int, 10,
                                                 12, 0, 0, 'UTC')
             FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM observation) r
            WHERE o.id = r.id"""
    )
    await public.project_all(db)
    before, layout, pages = await _rows(db), await _layout(db), await _pages(settings, dsn)
    assert len(before) >= 30
    assert {r["observed_at"].year for r in before} == {2019, 2020, 2021, 2022}

    output = await asyncio.to_thread(_partition_public, dsn)
    assert "partitioned by year" in output

    assert await db.fetchval(
        "SELECT relkind = 'p' FROM pg_class WHERE relname = 'public_observation'"
    )
    assert await _rows(db) == before
    assert await _layout(db) == layout
    assert await _pages(settings, dsn) == pages
    placed = await db.fetch(
        "SELECT tableoid::regclass::text AS part, observed_at FROM public_observation"
    )
    assert all(r["part"] == f"public_observation_{r['observed_at'].year}" for r in placed)

    # A later revision's column and index (as a `site_id` would come) apply to both layouts.
    await db.execute("ALTER TABLE public_observation ADD COLUMN later_column text")
    await db.execute("CREATE INDEX public_observation_later ON public_observation (later_column)")
    layout["indexes"] = sorted([*layout["indexes"], "public_observation_later"])

    # Writes go through the same projection: to the year's partition, or the default one.
    moved, far = before[0]["id"], before[1]["id"]
    await db.execute(
        "UPDATE observation SET observed_at = '2019-07-01T10:00:00Z' WHERE id = $1", moved
    )
    await db.execute(
        f"UPDATE observation SET observed_at = '{FAR_YEAR}-07-01T10:00:00Z' WHERE id = $1", far
    )
    async with db.transaction():
        await public.project(db, [moved, far])
    where = dict(
        await db.fetch(
            "SELECT id, tableoid::regclass::text FROM public_observation WHERE id = ANY($1)",
            [moved, far],
        )
    )
    assert where == {moved: "public_observation_2019", far: "public_observation_default"}
    assert await db.fetchval("SELECT count(*) FROM public_observation") == len(before)

    again = await asyncio.to_thread(_partition_public, dsn)
    assert "already partitioned" in again
    assert str(FAR_YEAR) in again
    assert (
        await db.fetchval(
            "SELECT tableoid::regclass::text FROM public_observation WHERE id = $1", far
        )
        == f"public_observation_{FAR_YEAR}"
    )
    assert await db.fetchval("SELECT count(*) FROM public_observation_default") == 0
    assert await db.fetchval("SELECT count(*) FROM public_observation") == len(before)

    # And back: one table, the same rows, indexes, keys and primary key as before.
    undone = await asyncio.to_thread(_partition_public, dsn, "--undo")
    assert "one table again" in undone
    assert not await db.fetchval(
        "SELECT relkind = 'p' FROM pg_class WHERE relname = 'public_observation'"
    )
    assert await _layout(db) == layout
    assert (
        await db.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conname = 'public_observation_pkey'"
        )
        == "PRIMARY KEY (id)"
    )
    assert len(await _rows(db)) == len(before)
    assert await db.fetchval("SELECT count(later_column IS NULL) FROM public_observation") == len(
        before
    )
    assert "not partitioned" in await asyncio.to_thread(_partition_public, dsn, "--undo")

    # The foreign key still cascades: an erased observation leaves no public row.
    await db.execute("DELETE FROM observation_event WHERE observation_id = $1", moved)
    await db.execute("DELETE FROM observation WHERE id = $1", moved)
    assert await db.fetchval("SELECT count(*) FROM public_observation WHERE id = $1", moved) == 0
