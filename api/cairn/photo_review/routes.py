"""Moderators judge whether a photo of a generalised record shows a place."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Router, put
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.problems import responses
from cairn.moderation.model import StaffObservation
from cairn.photo_review import service
from cairn.staff.auth import SECURITY, SignedIn


class PhotoPlaceIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The moderator's judgement on one photo."""

    shows_no_place: Annotated[
        bool, Meta(description="true: nothing in it narrows the place; false: withhold it again")
    ]


@put(
    "/observations/{observation_id:uuid}/photos/{photo_id:uuid}/shows-no-place",
    summary="Judge whether a photo shows no place (moderators of the record; in its history)",
    description=(
        "The photos of a record published generalised (levels 1-3, the contributor's "
        "`obscured`, or at a sensitive site) are withheld from the public until a moderator "
        "marks each one as showing no place; `false` withholds it again. The open data, the "
        "Darwin Core Archive's multimedia, the atlas, widgets and cards follow at once."
    ),
    tags=["moderation"],
    dto=ReportingBody[PhotoPlaceIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 422),
    status_code=200,
    security=SECURITY,
)
async def judge_photo(
    observation_id: FromPath[UUID],
    photo_id: FromPath[UUID],
    data: JSONBody[PhotoPlaceIn],
    pool: DbPool,
    staff: SignedIn,
) -> StaffObservation:
    """The record as it now is, with the mark on each photo."""
    return await service.mark(pool, staff, observation_id, photo_id, data.shows_no_place)


router = Router(path="/", route_handlers=[judge_photo])
"""The photo judgement's routes, mounted by the app factory."""
