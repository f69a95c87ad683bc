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
