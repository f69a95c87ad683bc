"""`cairn partition-public --by year`: the public projection as one partition per year.

Opt-in, for a territory whose open data has grown to millions of rows: queries
bounded in time then read only their years, and a year can be vacuumed, moved or
archived alone. One transaction does it all (or nothing): a new table
`LIKE public_observation` (every column, those added later included, defaults,
CHECK constraints, comments) partitioned by range of `observed_at`, one partition
per UTC year from the oldest record to next year and a default partition, the rows
copied, the old table dropped, then its foreign keys and indexes recreated from
their own definitions under the same names.

What changes: PostgreSQL wants the partition key in every unique constraint, so the
primary key becomes (id, observed_at). An id still has one public row: the only
writer (`store.replace`) deletes an id's rows before inserting, inside the
transaction of a write that holds the observation's row lock, and the foreign key
to observation stays.

New years: a record of a year without its partition lands in the default
partition, so writes never fail. Running the command again (yearly, say) answers
that the table is already partitioned and moves the rows of each such year, and
of this year and the next, into their own partitions. `--undo` rebuilds one table
the same way.
"""

from __future__ import annotations

from typing import Final

import msgspec

from cairn.core.db import Connection

TABLE: Final = "public_observation"
DEFAULT: Final = f"{TABLE}_default"


class Partitioned(msgspec.Struct, frozen=True):
    """What a run did."""

    converted: bool
    """False when the table was already partitioned."""
    new_years: list[int]
    rows: int


def _partition(year: int) -> str:
    return f"{TABLE}_{year}"


def _bounds(year: int) -> str:
    return f"FROM ('{year}-01-01 00:00:00+00') TO ('{year + 1}-01-01 00:00:00+00')"


async def is_partitioned(conn: Connection) -> bool:
    """Whether the public projection is already a partitioned table."""
    return bool(
        await conn.fetchval("SELECT relkind = 'p' FROM pg_class WHERE oid = $1::regclass", TABLE)
    )


async def partition_by_year(conn: Connection, this_year: int) -> Partitioned:
    """Convert the table (or, when it already is, split new years out of the default one)."""
    async with conn.transaction():
        await conn.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        if await is_partitioned(conn):
            years = await _split_default(conn, this_year)
            return Partitioned(False, years, await conn.fetchval(f"SELECT count(*) FROM {TABLE}"))
        return await _convert(conn, this_year)


_YEAR = "extract(year FROM observed_at AT TIME ZONE 'UTC')::int"


async def _rebuild(conn: Connection, years: list[int] | None) -> int:
    """Replace the table by a copy partitioned by `years` (and a default), or by one table.

    The copy is `LIKE` the table; the foreign keys, the indexes and the comment are
    recreated from their own definitions, so the two layouts differ only in the
    partitions and in the primary key's columns.
    """
    indexes = await conn.fetch(
        """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = $1::regclass AND NOT i.indisprimary ORDER BY i.indexrelid""",
        TABLE,
    )
    foreign = await conn.fetch(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY conname""",
        TABLE,
    )
    comment = await conn.fetchval("SELECT obj_description($1::regclass, 'pg_class')", TABLE)
    staging = f"{TABLE}_rebuilt"
    await conn.execute(
        f"""CREATE TABLE {staging} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS
                INCLUDING COMMENTS INCLUDING GENERATED INCLUDING STATISTICS)"""
        + ("" if years is None else " PARTITION BY RANGE (observed_at)")
    )
    for year in years or []:
        await conn.execute(
            f"CREATE TABLE {_partition(year)} PARTITION OF {staging} FOR VALUES {_bounds(year)}"
        )
    if years is not None:
        await conn.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {staging} DEFAULT")
    await conn.execute(f"INSERT INTO {staging} SELECT * FROM {TABLE}")
    await conn.execute(f"DROP TABLE {TABLE}")
    await conn.execute(f"ALTER TABLE {staging} RENAME TO {TABLE}")
    key = "id" if years is None else "id, observed_at"
    await conn.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({key})")
    for name, definition in foreign:
        await conn.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for (definition,) in indexes:  # a partitioned table's indexes read "ON ONLY"
        await conn.execute(definition.replace(f" ON ONLY public.{TABLE} ", f" ON public.{TABLE} "))
    if comment is not None:
        await conn.execute(f"COMMENT ON TABLE {TABLE} IS {_literal(comment)}")
    await conn.execute(f"ANALYZE {TABLE}")
    return int(await conn.fetchval(f"SELECT count(*) FROM {TABLE}"))


async def _convert(conn: Connection, this_year: int) -> Partitioned:
    oldest, newest = await conn.fetchval(f"SELECT ARRAY[min({_YEAR}), max({_YEAR})] FROM {TABLE}")
    first = min(oldest or this_year, this_year)
    last = max(newest or this_year, this_year + 1)
    years = list(range(first, last + 1))
    return Partitioned(True, years, await _rebuild(conn, years))


async def unpartition(conn: Connection) -> int | None:
    """Back to one table (the rows, indexes and keys as before); None when it is one."""
    async with conn.transaction():
        await conn.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        if not await is_partitioned(conn):
            return None
        return await _rebuild(conn, None)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


async def _split_default(conn: Connection, this_year: int) -> list[int]:
    """Give each year found in the default partition (and this year, and the next) its own."""
    have = {
        int(r[0].rsplit("_", 1)[1])
        for r in await conn.fetch(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = $1::regclass AND c.relname <> $2""",
            TABLE,
            DEFAULT,
        )
    }
    found = {r[0] for r in await conn.fetch(f"SELECT DISTINCT {_YEAR} FROM {DEFAULT}")}
    years = sorted((found | {this_year, this_year + 1}) - have)
    if not years:
        return []
    await conn.execute(f"CREATE TEMPORARY TABLE moving (LIKE {TABLE}) ON COMMIT DROP")
    await conn.execute(
        f"WITH moved AS (DELETE FROM {DEFAULT} WHERE {_YEAR} = ANY($1) RETURNING *)"
        " INSERT INTO moving SELECT * FROM moved",
        years,
    )
    for year in years:
        await conn.execute(
            f"CREATE TABLE {_partition(year)} PARTITION OF {TABLE} FOR VALUES {_bounds(year)}"
        )
    await conn.execute(f"INSERT INTO {TABLE} SELECT * FROM moving")
    return years
