"""Programme kinds: drafts and published versions of staff-built schemas."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from cairn.core.db import Connection, Executor
from cairn.protocols.model import ProgrammeKind

_KIND = "programme, kind, version, state, schema, created_by, created_at, published_at"


def to_kind(row: asyncpg.Record) -> ProgrammeKind:
    """The API view of a programme_kind row."""
    return ProgrammeKind(**dict(row))


async def owner(conn: Executor, kind: str) -> str | None:
    """The programme a kind belongs to (kinds are unique across programmes), or None."""
    slug: str | None = await conn.fetchval(
        "SELECT programme FROM programme_kind WHERE kind = $1 LIMIT 1", kind
    )
    return slug


async def lock_kind(conn: Connection, kind: str) -> None:
    """Serialise the versions of one kind until the transaction ends (two drafts at once)."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('programme_kind:' || $1))", kind)


async def last_version(conn: Connection, kind: str) -> int:
    """The highest version of a kind so far (0 when it has none)."""
    value: int = await conn.fetchval(
        "SELECT coalesce(max(version), 0) FROM programme_kind WHERE kind = $1", kind
    )
    return value


async def insert_draft(
    conn: Connection,
    programme: str,
    kind: str,
    version: int,
    schema: dict[str, Any],
    created_by: UUID,
) -> ProgrammeKind:
    """A new draft version."""
    row = await conn.fetchrow(
        f"""INSERT INTO programme_kind (programme, kind, version, schema, created_by)
            VALUES ($1, $2, $3, $4, $5) RETURNING {_KIND}""",
        programme,
        kind,
        version,
        schema,
        created_by,
    )
    assert row is not None  # noqa: S101 (INSERT … RETURNING always returns a row)
    return to_kind(row)


async def get(
    conn: Executor, programme: str, kind: str, version: int, *, lock: bool = False
) -> ProgrammeKind | None:
    """One version of one of the programme's kinds, or None."""
    row = await conn.fetchrow(
        f"""SELECT {_KIND} FROM programme_kind
             WHERE programme = $1 AND kind = $2 AND version = $3{" FOR UPDATE" if lock else ""}""",
        programme,
        kind,
        version,
    )
    return None if row is None else to_kind(row)


async def publish(conn: Connection, kind: str, version: int) -> ProgrammeKind:
    """Mark a locked draft published; the database refuses any later change to it."""
    row = await conn.fetchrow(
        f"""UPDATE programme_kind SET state = 'published', published_at = now()
             WHERE kind = $1 AND version = $2 RETURNING {_KIND}""",
        kind,
        version,
    )
    assert row is not None  # noqa: S101 (the caller holds the row lock)
    return to_kind(row)


async def accept_version(conn: Connection, programme: str, kind: str, version: int) -> None:
    """Add a published version to the kinds the programme accepts (older ones stay)."""
    await conn.execute(
        """UPDATE programme
              SET kinds = jsonb_set(kinds, ARRAY[$2::text],
                                    coalesce(kinds -> $2, '[]'::jsonb) || to_jsonb($3::int)),
                  version = version + 1, updated_at = now()
            WHERE slug = $1""",
        programme,
        kind,
        version,
    )


async def of_programme(conn: Executor, programme: str) -> list[ProgrammeKind]:
    """Every version of a programme's kinds, drafts included (for its staff)."""
    rows = await conn.fetch(
        f"SELECT {_KIND} FROM programme_kind WHERE programme = $1 ORDER BY kind, version",
        programme,
    )
    return [to_kind(r) for r in rows]


async def published(
    conn: Executor, keys: list[tuple[str, int]] | None = None
) -> list[ProgrammeKind]:
    """Published versions: these (kind, version) pairs, or all of them when `keys` is None."""
    rows = await conn.fetch(
        f"""SELECT {_KIND} FROM programme_kind
             WHERE state = 'published'
               AND ($1::text[] IS NULL
                    OR (kind, version) IN (SELECT * FROM unnest($1::text[], $2::int[])))
             ORDER BY programme, kind, version""",
        None if keys is None else [k for k, _ in keys],
        None if keys is None else [v for _, v in keys],
    )
    return [to_kind(r) for r in rows]
