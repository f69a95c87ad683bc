"""A moderator's mark: a record counted under another, its event and the public projection in one
transaction. The record leaves the open data (and so the atlas and the counts) and stays its
contributor's, who sees it counted under another record (never which: that is someone else's).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from asyncpg import Pool

from cairn.core.db import transaction
from cairn.core.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from cairn.duplicates import store
from cairn.duplicates.model import DuplicateIn
from cairn.moderation import store as reviews
from cairn.moderation.model import StaffObservation
from cairn.opendata import store as public
from cairn.staff.model import Staff
from cairn.staff.policy import programmes_for


def _other_errors(target: Any, other: Any | None, of: UUID) -> list[FieldError]:
    """What keeps `of` from being the record `target` is counted under."""
    if of == target["id"]:
        return [FieldError("/of", "invalid", "a record cannot be a duplicate of itself")]
    if other is None:
        return [FieldError("/of", "not_found", f"no observation {of} in your programmes")]
    if other["programme"] != target["programme"]:
        return [FieldError("/of", "other_programme", "both records must be of one programme")]
    if other["status"] == "withdrawn":
        return [FieldError("/of", "withdrawn", "that record was withdrawn by its contributor")]
    if other["duplicate_of"] is not None:
        detail = f"that record is itself counted under {other['duplicate_of']}: name that one"
        return [FieldError("/of", "is_duplicate", detail)]
    return []


async def mark(
    pool: Pool, staff: Staff, observation_id: UUID, data: DuplicateIn
) -> StaffObservation:
    """Count one record under another (or on its own again); 404 outside the caller's
    programmes, 403 without the moderator role, 409 when it changed since it was read."""
    readable = programmes_for(staff, "read_records")
    async with transaction(pool) as conn:
        rows = await store.lock_pair(
            conn, [observation_id, *([data.of] if data.of else [])], readable
        )
        target = rows.get(observation_id)
        if target is None:
            raise NotFoundError(f"no observation {observation_id}")
        if target["programme"] not in programmes_for(staff, "moderate"):
            raise ForbiddenError("Marking a duplicate needs the moderator role on this programme.")
        if data.of is not None and (errors := _other_errors(target, rows.get(data.of), data.of)):
            raise InvalidInputError(errors, "Invalid duplicate mark")
        if target["version"] != data.expected_version or target["status"] == "withdrawn":
            current = await reviews.read(conn, observation_id, readable)
            raise ConflictError("The record changed since you read it.", {"current": current})
        row = await store.mark(conn, observation_id, data.of, target["duplicate_of"], staff.id)
        await public.replace(conn, [observation_id], [row])
        return await reviews.read(conn, observation_id, readable)
