"""The staff audit trail: who changed accounts, grants, programmes and rules, and how.

Decisions on observations have their own log (`observation_event`); this one
keeps the rest of what staff change, append-only (a trigger refuses updates).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.core.db import Connection


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One staff change."""

    id: int
    occurred_at: datetime
    actor_id: UUID | None
    actor_email: str | None
    action: str
    subject: str
    before: Any
    after: Any


async def record(
    conn: Connection,
    actor: UUID | None,
    action: str,
    subject: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Append one entry (in the caller's transaction, so it lands with the change or not at all).

    `actor` None: an operator at the server's command line.
    """
    await conn.execute(
        """INSERT INTO staff_audit (actor_id, action, subject, before, after)
           VALUES ($1, $2, $3, $4, $5)""",
        actor,
        action,
        subject,
        None if before is None else msgspec.to_builtins(before),
        None if after is None else msgspec.to_builtins(after),
    )


async def entries(
    conn: Connection | asyncpg.Pool, before_id: int | None, limit: int
) -> list[AuditEntry]:
    """The most recent entries first, older than `before_id` when given."""
    rows = await conn.fetch(
        """SELECT a.id, a.occurred_at, a.actor_id, u.email AS actor_email, a.action, a.subject,
                  a.before, a.after
             FROM staff_audit a LEFT JOIN staff_user u ON u.id = a.actor_id
            WHERE $1::bigint IS NULL OR a.id < $1
            ORDER BY a.id DESC LIMIT $2""",
        before_id,
        limit,
    )
    return [AuditEntry(**dict(r)) for r in rows]
