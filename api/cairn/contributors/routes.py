"""What a contributor sees of themselves: their pseudonym and their observations."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Router, delete, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream
from msgspec import Meta

from cairn.contributors import accounts as contributors
from cairn.contributors import service as my_data
from cairn.contributors import store as devices
from cairn.contributors.devices import SignedDevice, register_device
from cairn.contributors.export import chunks
from cairn.contributors.model import DeviceMe, MeIn
from cairn.conversations import store as threads
from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.problems import ProblemError, responses
from cairn.observations import store as observations
from cairn.observations.model import ObservationOut
from cairn.photos.routes import PhotoWorkDep
from cairn.staff.lockout import count_failure, email_digest, forget_failures, refuse_while_locked
from cairn.staff.model import MIN_PASSWORD, Email, verify_password


class MyObservation(msgspec.Struct, frozen=True, kw_only=True):
    """One of my observations, precise, with what the moderators said."""

    observation: ObservationOut
    moderator_comment: str | None
    last_reply_at: Annotated[
        datetime | None,
        Meta(description="When staff last wrote in its thread (GET …/comments), if ever"),
    ] = None


def my_observation(row: asyncpg.Record, last_reply_at: datetime | None = None) -> MyObservation:
    """The owner's view of a stored row (its columns and `moderator_comment`)."""
    return MyObservation(
        observation=observations.to_out(row, "owner"),
        moderator_comment=row["moderator_comment"],
        last_reply_at=last_reply_at,
    )


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
async def read_me(me: SignedDevice, pool: DbPool) -> DeviceMe:
    """Nothing else is held about a device."""
    return await devices.read(pool, me)


@put(
    "/me",
    summary="Choose a pseudonym (or null to stay anonymous) and my default geoprivacy",
    tags=["contributors"],
    dto=ReportingBody[MeIn],
    return_dto=None,
    responses=responses(401, 422),
)
async def update_me(me: SignedDevice, data: JSONBody[MeIn], pool: DbPool) -> DeviceMe:
    """The open data shows the new name (or none) on every past observation at once."""
    return await my_data.update_me(pool, me, data)


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
    items = [my_observation(r, replies.get(r["id"])) for r in rows]
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


class ContributorAccountIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """An email and a password for a contributor account (optional: devices work without)."""

    email: Email
    password: Annotated[str, Meta(min_length=MIN_PASSWORD, max_length=1024)]


class ContributorAccount(msgspec.Struct, frozen=True):
    """The account this device belongs to."""

    email: str


@post(
    "/me/account",
    summary="Create an account for my observations (email + password), from this device",
    description="Optional: sign in to it from another device (`POST /me/account/sign-in`) "
    "and both see, correct and erase the same observations. The answer is the same whether "
    "the email already has an account or not (so nobody can test who has one); if it had "
    "one, this device is not attached: sign in to the account to claim it.",
    tags=["contributors"],
    dto=ReportingBody[ContributorAccountIn],
    return_dto=None,
    responses=responses(401, 413, 415, 422),
    status_code=201,
)
async def create_account(
    me: SignedDevice, data: JSONBody[ContributorAccountIn], pool: DbPool
) -> ContributorAccount:
    """The password is stored as an argon2id hash; the email in lower case."""
    email = await my_data.create_account(pool, me, data.email, data.password)
    return ContributorAccount(email=email)


@post(
    "/me/account/sign-in",
    summary="Sign this device in to my account: it then shares my observations",
    tags=["contributors"],
    dto=ReportingBody[ContributorAccountIn],
    return_dto=None,
    responses=responses(401, 413, 415, 422, 429),
    status_code=200,
)
async def sign_in_account(
    me: SignedDevice, data: JSONBody[ContributorAccountIn], pool: DbPool
) -> ContributorAccount:
    """A wrong password and an unknown email get the same answer, in the same time.

    Five failures for one email lock it for 15 minutes (429), as for staff:
    a taken-over account would show its owner's precise positions.
    """
    email = data.email.strip().lower()
    digest = email_digest("contributor", email)
    await refuse_while_locked(pool, digest)
    found = await contributors.credentials(pool, email)
    stored = found[1] if found else None
    if not await asyncio.to_thread(verify_password, stored, data.password) or found is None:
        await count_failure(pool, digest)
        raise ProblemError(401, "unauthorized", "Unauthorized", "Wrong email or password.")
    await forget_failures(pool, digest)
    await contributors.link(pool, me, found[0])
    return ContributorAccount(email=email)


router = Router(
    path="/",
    route_handlers=[
        register_device,
        read_me,
        update_me,
        my_observations,
        export_my_data,
        erase_me,
        create_account,
        sign_in_account,
    ],
)
"""The contributors feature's routes, mounted by the app factory."""
