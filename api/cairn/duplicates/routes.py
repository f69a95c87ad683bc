"""Near-duplicates: a moderator counts one record under another."""

from __future__ import annotations

from uuid import UUID

from litestar import Router, post
from litestar.params import FromPath, JSONBody

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.problems import responses
from cairn.duplicates import service
from cairn.duplicates.model import DuplicateIn
from cairn.moderation.model import StaffObservation
from cairn.staff.auth import SECURITY, SignedIn


@post(
    "/observations/{observation_id:uuid}/duplicate",
    summary="Count an observation under another one of its programme (a near-duplicate)",
    description=(
        "`of` names the record this one duplicates (the queue's `possible_duplicate` suggests "
        "one); `null` counts it on its own again. A duplicate leaves the open data, the atlas "
        "and the counts; its contributor still sees it, counted under another record. "
        "`expected_version` is the version you read (409 with `extra.current` when it "
        "changed). Needs the moderator role on the programme; 404 outside your programmes."
    ),
    tags=["moderation"],
    dto=ReportingBody[DuplicateIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    status_code=200,
    security=SECURITY,
)
async def mark_duplicate(
    observation_id: FromPath[UUID], data: JSONBody[DuplicateIn], pool: DbPool, staff: SignedIn
) -> StaffObservation:
    """The mark, its event and the public projection, in one transaction."""
    return await service.mark(pool, staff, observation_id, data)


router = Router(path="/", route_handlers=[mark_duplicate])
"""The near-duplicates feature's routes, mounted by the app factory."""
