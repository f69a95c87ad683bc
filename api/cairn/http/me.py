"""What a contributor sees of themselves: their pseudonym and their observations."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import get, put
from litestar.params import JSONBody, QueryParameter

from cairn.db import transaction
from cairn.domain.devices import Me, MeIn
from cairn.domain.observation import ObservationOut
from cairn.http.body import ReportingBody
from cairn.http.deps import DbPool
from cairn.http.devices import SignedDevice
from cairn.http.problems import ProblemError, responses
from cairn.store import devices, observations, public


class MyObservation(msgspec.Struct, frozen=True, kw_only=True):
    """One of my observations, precise, with what the moderators said."""

    observation: ObservationOut
    moderator_comment: str | None


class MyObservations(msgspec.Struct, frozen=True):
    """My observations, newest first; follow `next` for older ones."""

    items: list[MyObservation]
    next: str | None


@get(
    "/me",
    summary="Read my pseudonym and how many observations I sent",
    tags=["contributors"],
    responses=responses(401),
)
async def read_me(me: SignedDevice, pool: DbPool) -> Me:
    """Nothing else is held about a device."""
    pseudonym, count = await devices.read(pool, me)
    return Me(device_id=str(me), pseudonym=pseudonym, observations=count)


@put(
    "/me",
    summary="Choose a pseudonym (or null to stay anonymous)",
    tags=["contributors"],
    dto=ReportingBody[MeIn],
    return_dto=None,
    responses=responses(401, 422),
)
async def update_me(me: SignedDevice, data: JSONBody[MeIn], pool: DbPool) -> Me:
    """The open data shows the new name (or none) on every past observation at once."""
    async with transaction(pool) as conn:
        ids = await devices.set_pseudonym(conn, me, data.pseudonym)
        await public.project(conn, ids)
    pseudonym, count = await devices.read(pool, me)
    return Me(device_id=str(me), pseudonym=pseudonym, observations=count)


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
    items = [
        MyObservation(observation=observations.to_out(r), moderator_comment=r["moderator_comment"])
        for r in rows
    ]
    next_url = (
        f"/api/v1/me/observations?limit={limit}&before={items[-1].observation.id}"
        if len(items) == limit
        else None
    )
    return MyObservations(items, next_url)
