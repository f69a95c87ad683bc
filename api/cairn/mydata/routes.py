"""My data: the list of my observations, a copy of everything held about me, and erasure."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Router, delete, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Stream

from cairn.contributors.devices import SignedDevice
from cairn.conversations import store as threads
from cairn.core.deps import DbPool
from cairn.core.problems import ProblemError, responses
from cairn.mydata import service as my_data
from cairn.mydata.export import chunks
from cairn.observations import store as observations
from cairn.observations.model import MyObservation
from cairn.photos.deps import PhotoWorkDep


class MyObservations(msgspec.Struct, frozen=True):
    """My observations, newest first; follow `next` for older ones."""

    items: list[MyObservation]
    next: str | None


@get(
    "/me/observations",
    summary="List my observations with their status and the moderators' comments",
    tags=["contributors"],
    responses=responses(401),
)
async def my_observations(
    me: SignedDevice,
    pool: DbPool,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    before: Annotated[UUID | None, QueryParameter(description="Cursor: the last id seen")] = None,
) -> MyObservations:
    """Newest first, keyset-paged by (received_at, id)."""
    rows = await observations.by_device(pool, me, limit, before)
    if before is not None and not rows and not await observations.owned_by(pool, before, me):
        raise ProblemError(
            400, "bad_request", "Bad query", "`before` is not one of your observations"
        )
    replies = await threads.last_replies(pool, [r["id"] for r in rows])
    items = [observations.my_observation(r, replies.get(r["id"])) for r in rows]
    next_url = (
        f"/api/v1/me/observations?limit={limit}&before={items[-1].observation.id}"
        if len(items) == limit
        else None
    )
    return MyObservations(items, next_url)


@get(
    "/me/export",
    summary="Download everything Cairn holds about me (zip: JSON and my photos)",
    description=(
        "The device, every observation as stored (precise), its history and the moderators' "
        "comments, and the photos with what their EXIF said before it was stripped."
    ),
    tags=["contributors"],
    responses={
        200: ResponseSpec(
            data_container=bytes,
            media_type="application/zip",
            description="A zip archive with README.txt, JSON files and photos/",
            generate_examples=False,
        ),
        **responses(401),
    },
)
async def export_my_data(me: SignedDevice, pool: DbPool, photo_work: PhotoWorkDep) -> Stream:
    """Built in a worker thread into a temporary file, then streamed."""
    archive = await my_data.export(pool, photo_work, me)
    return Stream(
        chunks(archive),
        media_type="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="cairn-my-data.zip"',
            "Cache-Control": "no-store",
        },
    )


@delete(
    "/me",
    summary="Erase me: my device, pseudonym and photos; my observations deleted or anonymised",
    description=(
        "`observations=delete` removes them and their history; `observations=anonymise` keeps "
        "them for science without any link to you and without your comments. The token stops "
        "working at once. This cannot be undone."
    ),
    tags=["contributors"],
    responses=responses(401),
    status_code=204,
)
async def erase_me(
    me: SignedDevice,
    pool: DbPool,
    photo_work: PhotoWorkDep,
    observations_choice: Annotated[
        Literal["delete", "anonymise"],
        QueryParameter(
            name="observations",
            description="What becomes of my observations (no default: the choice is yours)",
        ),
    ],
) -> None:
    """Photos' files go after the rows, once nothing refers to them."""
    await my_data.erase(pool, photo_work, me, keep_observations=observations_choice == "anonymise")


router = Router(path="/", route_handlers=[my_observations, export_my_data, erase_me])
"""The my-data feature's routes, mounted by the app factory."""
