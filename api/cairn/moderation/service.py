"""Moderation decisions: each one, its event and the public projection in one transaction.

Routes decode the request and pass the signed-in staff member; the scope of each
decision (the programmes the caller moderates) is decided here through the staff
policy, so no route can decide on a record outside it.
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
from cairn.moderation import store as reviews
from cairn.moderation.model import (
    BulkOut,
    BulkReviewIn,
    DuplicateIn,
    ReopenIn,
    ReviewIn,
    StaffObservation,
)
from cairn.records import projection as public
from cairn.staff.model import Staff
from cairn.staff.policy import require, scope_for


async def review(
    pool: Pool, staff: Staff, observation_id: UUID, data: ReviewIn
) -> StaffObservation:
    """One decision; 404 outside the caller's scope, 403 without the moderator role."""
    if observation_id not in await reviews.read_many(
        pool, [observation_id], scope_for(staff, "read_records")
    ):
        raise NotFoundError(f"no observation {observation_id}")
    decision = await _decision(
        pool, staff, data.status, data.comment, data.cd_nom, {observation_id: data.expected_version}
    )
    async with transaction(pool) as conn:
        try:
            decided, changed = await reviews.review(
                conn, observation_id, scope_for(staff, "moderate"), decision
            )
        except NotFoundError:
            raise ForbiddenError("Deciding needs the moderator role on this programme.") from None
        await public.replace(conn, [observation_id], changed)
    return decided


async def reopen(
    pool: Pool, staff: Staff, observation_id: UUID, data: ReopenIn
) -> StaffObservation:
    """An admin puts a decided record back to pending; the public projection follows at once.

    404 outside the caller's scope, 403 without the admin role on its programme, 409 when
    it changed since it was read or is not decided.
    """
    if observation_id not in await reviews.read_many(
        pool, [observation_id], scope_for(staff, "read_records")
    ):
        raise NotFoundError(f"no observation {observation_id}")
    decision = reviews.Decision(
        status="pending",
        comment=data.reason,
        taxon=None,
        actor=staff.id,
        expected_versions={observation_id: data.expected_version},
        reopen=True,
    )
    async with transaction(pool) as conn:
        try:
            reopened, changed = await reviews.review(
                conn, observation_id, scope_for(staff, "reopen_decisions"), decision
            )
        except NotFoundError:
            raise ForbiddenError(
                "Reopening a decision needs the admin role on this programme."
            ) from None
        await public.replace(conn, [observation_id], changed)
    return reopened


async def review_many(pool: Pool, staff: Staff, data: BulkReviewIn) -> BulkOut:
    """Up to 500 decisions and their events in one transaction; an outcome per id."""
    require(staff, "moderate")
    seen: set[UUID] = set()
    errors = [
        FieldError(f"/ids/{index}", "invalid", "this id is listed twice")
        for index, observation_id in enumerate(data.ids)
        if observation_id in seen or seen.add(observation_id)  # type: ignore[func-returns-value]
    ]
    errors += [
        FieldError(f"/expected_versions/{i}", "invalid", "not among `ids`")
        for i in data.expected_versions
        if i not in seen
    ]
    if errors:
        raise InvalidInputError(errors, "Invalid bulk review")
    decision = await _decision(pool, staff, data.status, data.comment, None, data.expected_versions)
    async with transaction(pool) as conn:
        applied = await reviews.apply(conn, data.ids, scope_for(staff, "moderate"), decision)
        await public.replace(conn, [row["id"] for row in applied.changed], applied.changed)
    return BulkOut(applied.results)


async def _decision(
    pool: Pool,
    staff: Staff,
    status: str,
    comment: str | None,
    cd_nom: int | None,
    versions: dict[UUID, int],
) -> reviews.Decision:
    """Resolve a re-identification to (cd_nom, cd_ref), 422 when unknown, and build the decision."""
    found = None if cd_nom is None else await reviews.taxon_codes(pool, cd_nom)
    if cd_nom is not None and found is None:
        raise InvalidInputError(
            [FieldError("/cd_nom", "invalid", f"{cd_nom} is not a known TAXREF CD_NOM")],
            "Invalid review",
        )
    return reviews.Decision(
        status=status,
        comment=comment,
        taxon=None if found is None else (found[0], found[1]),
        taxon_group=None if found is None else found[2],
        actor=staff.id,
        expected_versions=versions,
    )


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


async def mark_duplicate(
    pool: Pool, staff: Staff, observation_id: UUID, data: DuplicateIn
) -> StaffObservation:
    """Count one record under another (or on its own again); 404 outside the caller's
    programmes, 403 without the moderator role, 409 when it changed since it was read."""
    readable = scope_for(staff, "read_records")
    async with transaction(pool) as conn:
        rows = await reviews.lock_pair(
            conn, [observation_id, *([data.of] if data.of else [])], readable
        )
        target = rows.get(observation_id)
        if target is None:
            raise NotFoundError(f"no observation {observation_id}")
        if not scope_for(staff, "moderate").covers(target["programme"], target["taxon_group"]):
            raise ForbiddenError("Marking a duplicate needs the moderator role on this programme.")
        if data.of is not None and (errors := _other_errors(target, rows.get(data.of), data.of)):
            raise InvalidInputError(errors, "Invalid duplicate mark")
        if target["version"] != data.expected_version or target["status"] == "withdrawn":
            current = await reviews.read(conn, observation_id, readable)
            raise ConflictError("The record changed since you read it.", {"current": current})
        row = await reviews.mark_duplicate(
            conn, observation_id, data.of, target["duplicate_of"], staff.id
        )
        await public.replace(conn, [observation_id], [row])
        return await reviews.read(conn, observation_id, readable)
