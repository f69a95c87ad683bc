"""Appending to an observation's history (`observation_event`, append-only)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cairn.core.db import Connection


async def append(
    conn: Connection,
    observation_id: UUID,
    *,
    actor: tuple[str, str | None],
    action: str,
    version: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    comment: str | None = None,
) -> None:
    """Record one change: who (`actor` = kind and id), what, the version it produced, and why."""
    await conn.execute(
        """INSERT INTO observation_event
               (observation_id, actor_kind, actor_id, action, version, before, after, comment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        observation_id,
        actor[0],
        actor[1],
        action,
        version,
        before,
        after,
        comment,
    )


async def append_many(
    conn: Connection,
    changes: list[tuple[UUID, int, dict[str, Any] | None, dict[str, Any] | None, str | None]],
    *,
    actor: tuple[str, str | None],
    action: str,
) -> None:
    """Record the same kind of change on many observations in one statement: each with its
    id, the version it produced, before, after and why (see `append`)."""
    await conn.execute(
        """INSERT INTO observation_event
               (observation_id, actor_kind, actor_id, action, version, before, after, comment)
           SELECT u.id, $1, $2, $3, u.version, u.before, u.after, u.comment
             FROM unnest($4::uuid[], $5::int[], $6::jsonb[], $7::jsonb[], $8::text[])
                  AS u(id, version, before, after, comment)""",
        actor[0],
        actor[1],
        action,
        [change[0] for change in changes],
        [change[1] for change in changes],
        [change[2] for change in changes],
        [change[3] for change in changes],
        [change[4] for change in changes],
    )
