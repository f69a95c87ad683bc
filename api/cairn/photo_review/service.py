"""A moderator marks each photo of a generalised record as showing no place, or takes it back.

The mark, the record's event (who, when, before, after) and the public
projection change in one transaction; the policy (`disclosure.public_record`)
decides from the mark whether the photo goes public.
"""

from __future__ import annotations

from uuid import UUID

from asyncpg import Pool

from cairn.core.db import transaction
from cairn.core.errors import ForbiddenError, NotFoundError
from cairn.moderation import store as reviews
from cairn.moderation.model import StaffObservation
from cairn.photo_review import store
from cairn.records import projection as public
from cairn.staff.model import Staff
from cairn.staff.policy import scope_for


async def mark(
    pool: Pool, staff: Staff, observation_id: UUID, photo_id: UUID, shows_no_place: bool
) -> StaffObservation:
    """Set the mark (moderators of the record; 404 outside its scope); the record as it now is."""
    async with transaction(pool) as conn:
        if not await reviews.read_many(conn, [observation_id], scope_for(staff, "read_records")):
            raise NotFoundError(f"no observation {observation_id}")
        if not await reviews.read_many(conn, [observation_id], scope_for(staff, "moderate")):
            raise ForbiddenError("Judging a photo needs the moderator role on this record.")
        if not await store.has_photo(conn, observation_id, photo_id):
            raise NotFoundError(f"no photo {photo_id} on this record")
        if await store.mark(conn, observation_id, photo_id, shows_no_place, staff.id):
            await public.project(conn, [observation_id])
        return await reviews.read(conn, observation_id, scope_for(staff, "read_records"))
