"""A contributor's identity: their device, pseudonym and default geoprivacy, and their account."""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec
from litestar import Router, get, post, put
from litestar.params import JSONBody
from msgspec import Meta

from cairn.contributors import accounts as contributors
from cairn.contributors import service as my_data
from cairn.contributors import store as devices
from cairn.contributors.devices import SignedDevice, register_device
from cairn.contributors.model import DeviceMe, MeIn
from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.problems import ProblemError, responses
from cairn.staff.lockout import count_failure, email_digest, forget_failures, refuse_while_locked
from cairn.staff.model import MIN_PASSWORD, Email, verify_password


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


router = Router(path="/", route_handlers=[register_device, read_me, update_me])
"""The device and its pseudonym, mounted by the app factory."""

account_router = Router(path="/", route_handlers=[create_account, sign_in_account])
"""The optional contributor account, mounted after the my-data routes (the OpenAPI order)."""
