"""Threads: who may read and write one, each write in its transaction, hiding audited.

A thread is reached through its record only: the record's contributor (any
device of their account) and the staff whose scope holds the record. Anyone
else gets the same 404 as for a record that does not exist, so nobody learns
that a thread, or the record, is there.
"""

from __future__ import annotations

from uuid import UUID

from asyncpg import Pool

from cairn.conversations import store
from cairn.conversations.model import Message, Reader, Thread, awaiting_reply, seen_by
from cairn.core.db import Executor, transaction
from cairn.core.errors import ForbiddenError, NotFoundError
from cairn.moderation import store as reviews
from cairn.observations import store as observations
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import scope_for

Who = UUID | Staff
"""A contributor's device, or a signed-in staff member."""


async def _reach(conn: Executor, who: Who, observation_id: UUID) -> Reader:
    """The reader's kind when the record is theirs to see; `NotFoundError` otherwise."""
    if isinstance(who, Staff):
        if await reviews.read_many(conn, [observation_id], scope_for(who, "read_records")):
            return "staff"
    elif await observations.owned_by(conn, observation_id, who):
        return "contributor"
    raise NotFoundError(f"no observation {observation_id}")


def _ids(who: Who) -> tuple[UUID | None, UUID | None]:
    return (None, who.id) if isinstance(who, Staff) else (who, None)


async def read(pool: Pool, who: Who, observation_id: UUID) -> Thread:
    """The thread as the reader may see it, oldest first."""
    reader = await _reach(pool, who, observation_id)
    messages = await store.thread(pool, observation_id, *_ids(who))
    return Thread(
        observation_id=str(observation_id),
        messages=[seen_by(m, reader) for m in messages],
        awaiting_reply=awaiting_reply(messages),
    )


async def write(pool: Pool, who: Who, observation_id: UUID, body: str) -> Message:
    """Append the reader's message to the thread."""
    async with transaction(pool) as conn:
        reader = await _reach(conn, who, observation_id)
        device_id, staff_id = _ids(who)
        message_id = await store.add(conn, observation_id, reader, device_id, staff_id, body)
        messages = await store.thread(conn, observation_id, device_id, staff_id)
    return next(seen_by(m, reader) for m in messages if m.id == message_id)


async def hide(
    pool: Pool, staff: Staff, observation_id: UUID, message_id: int, reason: str
) -> Message:
    """Hide an abusive message (moderators of the record), with its staff audit entry."""
    async with transaction(pool) as conn:
        await _reach(conn, staff, observation_id)
        if not await reviews.read_many(conn, [observation_id], scope_for(staff, "moderate")):
            raise ForbiddenError("Hiding a message needs the moderator role on this record.")
        if not await store.hide(conn, observation_id, message_id, staff.id):
            raise NotFoundError(f"no message {message_id} on this record")
        await audit.record(
            conn,
            staff.id,
            "message_hide",
            f"observation {observation_id}",
            after={"message_id": message_id, "reason": reason},
        )
        messages = await store.thread(conn, observation_id, None, staff.id)
    return next(seen_by(m, "staff") for m in messages if m.id == message_id)
