"""A contributor's own data: a copy of everything held about them, and erasure.

Erasure re-projects the open data of the observations it keeps anonymised in the same
transaction, so an erased contributor shows on no public record.
"""

from __future__ import annotations

from typing import IO, Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.contributors import accounts as contributors
from cairn.contributors import store as devices
from cairn.conversations import store as threads
from cairn.conversations.model import seen_by
from cairn.core.db import transaction
from cairn.core.errors import NotFoundError
from cairn.mydata.export import write_archive
from cairn.observations import store as observations
from cairn.photos import store as photos
from cairn.photos.service import PhotoWork, forget_files
from cairn.records import projection as public
from cairn.records.photos import photo_key


async def export(pool: asyncpg.Pool, work: PhotoWork, device_id: UUID) -> IO[bytes]:
    """Everything held about the device, read in one snapshot, zipped in a thread."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        profile = await devices.profile(conn, device_id)
        if profile is None:
            raise NotFoundError("this device no longer exists")
        account = await contributors.email_of(conn, device_id)
        rows = await observations.by_device(conn, device_id, limit=None, before=None)
        events = await devices.history(conn, device_id)
        pictures = await photos.of_device(conn, device_id)
        messages = await threads.of_contributor(conn, device_id)
    history: dict[UUID, list[dict[str, Any]]] = {}
    for event in events:
        entry = {k: event[k] for k in event.keys() if k != "observation_id"}  # noqa: SIM118
        history.setdefault(event["observation_id"], []).append(entry)
    mine = [
        {
            **msgspec.to_builtins(observations.to_out(row, "owner")),
            "moderator_comment": row["moderator_comment"],
            "history": msgspec.to_builtins(history.get(row["id"], [])),
            "messages": msgspec.to_builtins(
                [seen_by(m, "contributor") for m in messages.get(row["id"], [])]
            ),
        }
        for row in rows
    ]
    listed = [msgspec.to_builtins(dict(row)) for row in pictures]
    return await work.run(
        write_archive,
        {**msgspec.to_builtins(dict(profile)), "account_email": account},
        mine,
        listed,
        lambda sha: work.store.get(photo_key(sha, "original")),
    )


async def erase(
    pool: asyncpg.Pool, work: PhotoWork, device_id: UUID, *, keep_observations: bool
) -> None:
    """Delete the device and its photos; its observations too, or keep them anonymised."""
    async with transaction(pool) as conn:
        hashes = await photos.delete_of_device(conn, device_id)
        kept = await devices.erase(conn, device_id, keep_observations=keep_observations)
        await public.project(conn, kept)
    await forget_files(pool, work, hashes)
