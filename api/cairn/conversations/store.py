"""Threads in SQL: messages, who wrote them, and whether staff owe an answer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from cairn.contributors.store import same_contributor
from cairn.conversations.model import Author, StoredMessage
from cairn.core.db import Executor

_SELECT = """SELECT m.observation_id, m.id, m.author_kind, u.display_name AS author_name, m.body,
                    m.hidden_at IS NOT NULL AS hidden, m.created_at, {mine} AS mine
               FROM observation_message m LEFT JOIN staff_user u ON u.id = m.author_staff_id"""


def _stored(row: asyncpg.Record) -> StoredMessage:
    values: dict[str, Any] = dict(row)
    del values["observation_id"]
    return StoredMessage(**values)


async def thread(
    conn: Executor, observation_id: UUID, device_id: UUID | None, staff_id: UUID | None
) -> list[StoredMessage]:
    """The messages of a record, oldest first; `mine` for the reader's device or account."""
    mine = (
        f"coalesce({same_contributor('m.author_device_id', '$2::uuid')}, false)"
        if device_id is not None
        else "coalesce(m.author_staff_id = $2::uuid, false)"
    )
    rows = await conn.fetch(
        _SELECT.format(mine=mine) + " WHERE m.observation_id = $1 ORDER BY m.id",
        observation_id,
        device_id if device_id is not None else staff_id,
    )
    return [_stored(row) for row in rows]


async def add(
    conn: Executor,
    observation_id: UUID,
    author: Author,
    device_id: UUID | None,
    staff_id: UUID | None,
    body: str,
) -> int:
    """Append a message; its id."""
    message_id: int = await conn.fetchval(
        """INSERT INTO observation_message
               (observation_id, author_kind, author_device_id, author_staff_id, body)
           VALUES ($1, $2, $3, $4, $5) RETURNING id""",
        observation_id,
        author,
        device_id,
        staff_id,
        body,
    )
    return message_id


async def hide(conn: Executor, observation_id: UUID, message_id: int, staff_id: UUID) -> bool:
    """Hide a message of this record (once: hiding again changes nothing); False if none."""
    found = await conn.fetchval(
        """UPDATE observation_message
              SET hidden_at = coalesce(hidden_at, now()), hidden_by = coalesce(hidden_by, $3)
            WHERE id = $2 AND observation_id = $1 RETURNING true""",
        observation_id,
        message_id,
        staff_id,
    )
    return bool(found)


async def last_replies(conn: Executor, ids: Sequence[UUID]) -> dict[UUID, datetime]:
    """When staff last wrote (visibly) on each of these records, where they did."""
    rows = await conn.fetch(
        """SELECT observation_id, max(created_at) FROM observation_message
            WHERE observation_id = ANY($1) AND author_kind = 'staff' AND hidden_at IS NULL
            GROUP BY observation_id""",
        list(ids),
    )
    return {row[0]: row[1] for row in rows}


async def of_contributor(conn: Executor, device_id: UUID) -> dict[UUID, list[StoredMessage]]:
    """Every thread on the records of this device's contributor, for their own export."""
    rows = await conn.fetch(
        _SELECT.format(mine=f"coalesce({same_contributor('m.author_device_id', '$1')}, false)")
        + f""" WHERE m.observation_id IN (
                   SELECT id FROM observation WHERE {same_contributor("device_id", "$1")})
             ORDER BY m.observation_id, m.id""",
        device_id,
    )
    found: dict[UUID, list[StoredMessage]] = {}
    for row in rows:
        found.setdefault(row["observation_id"], []).append(_stored(row))
    return found
