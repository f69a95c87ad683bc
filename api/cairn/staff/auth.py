"""Staff sign-in: password → short-lived access token + revocable refresh token.

Routes that need a staff member declare a parameter `staff: SignedIn`; the
dependency reads the bearer token, then the account and its grants from the
database (so a removed grant or a disabled account takes effect at once).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import JSONBody
from msgspec import Meta

from cairn.core.body import ReportingBody
from cairn.core.clock import now
from cairn.core.deps import AppSettings, DbPool
from cairn.core.problems import ProblemError, responses
from cairn.staff import service
from cairn.staff import store as staff_store
from cairn.staff.lockout import count_failure, email_digest, forget_failures, refuse_while_locked
from cairn.staff.model import (
    MIN_PASSWORD,
    Email,
    Grant,
    Role,
    Staff,
    access_token,
    access_token_subject,
    new_refresh_token,
    verify_password,
)

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
"""The OpenAPI security requirement of staff routes."""
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cairn-staff"'}


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Email and password of a staff account."""

    email: Email
    password: Annotated[str, Meta(min_length=1, max_length=1024)]


class RefreshIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A refresh token from a login or an earlier refresh."""

    refresh_token: Annotated[str, Meta(min_length=1, max_length=200)]


class LogoutIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The refresh token to revoke; `everywhere` revokes every session of the account."""

    refresh_token: Annotated[str, Meta(min_length=1, max_length=200)]
    everywhere: bool = False


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The current password (proof it is really you) and the new one."""

    current_password: Annotated[str, Meta(min_length=1, max_length=1024)]
    new_password: Annotated[str, Meta(min_length=MIN_PASSWORD, max_length=1024)]


class Tokens(msgspec.Struct, frozen=True):
    """A bearer access token (send as `Authorization: Bearer …`) and its refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"]
    expires_in: Annotated[int, Meta(description="Seconds the access token stays valid")]


class StaffMe(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in staff member, their grants and their role per programme."""

    id: str
    email: str
    display_name: str
    platform_role: Role | None
    roles: dict[str, Role]
    taxon_groups: Annotated[
        dict[str, dict[str, Role]],
        Meta(description="Programme → taxon group → role, from grants narrowed to groups"),
    ]
    grants: list[Grant]


def unauthorized(detail: str) -> ProblemError:
    """401 with the bearer challenge."""
    return ProblemError(401, "unauthorized", "Unauthorized", detail, headers=_CHALLENGE)


async def _authenticate(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff:
    """The staff member the bearer access token names; 401 for anything else."""
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("Sign in and send `Authorization: Bearer <access token>`.")
    subject = access_token_subject(token.strip(), connection.app.state.signing_key)
    staff = (
        None
        if subject is None
        else await staff_store.load_staff(connection.app.state.pool, subject)
    )
    if staff is None:
        raise unauthorized("The access token is invalid or expired; refresh it or sign in again.")
    return staff


async def staff_first(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Routes that take `staff` authenticate before reading the body: 401 comes before 422."""
    if "staff" in handler.parsed_fn_signature.parameters:
        connection.state.staff = await _authenticate(connection)


async def provide_staff(request: Request[object, object, State]) -> Staff:
    """The staff member `staff_first` authenticated for this request."""
    staff = getattr(request.state, "staff", None)
    return staff if isinstance(staff, Staff) else await _authenticate(request)


async def optional_staff(request: Request[Any, Any, State]) -> Staff | None:
    """The staff member of a request that sends a bearer token, None without one; 401 if bad."""
    if not request.headers.get("authorization", "").partition(" ")[2].strip():
        return None
    return await _authenticate(request)


SignedIn = NamedDependency[Staff]
"""Annotate a route parameter named `staff` with this to require a signed-in staff member."""


async def _issue(
    request: Request[object, object, State], pool: DbPool, settings: AppSettings, user_id: UUID
) -> Tokens:
    moment = now()
    token, digest = new_refresh_token()
    await staff_store.store_refresh_token(
        pool, user_id, digest, moment + timedelta(days=settings.refresh_token_days)
    )
    lifetime = timedelta(seconds=settings.access_token_seconds)
    return Tokens(
        access_token=access_token(user_id, request.app.state.signing_key, moment, lifetime),
        refresh_token=token,
        token_type="bearer",  # noqa: S106 (the OAuth token type, not a secret)
        expires_in=settings.access_token_seconds,
    )


@post(
    "/auth/login",
    summary="Sign a staff member in with email and password",
    description="200 with tokens; 401 for a wrong email or password (the same answer for both).",
    tags=["staff"],
    dto=ReportingBody[LoginIn],
    return_dto=None,
    responses=responses(400, 401, 422, 429),
    status_code=200,
)
async def login(
    request: Request[object, object, State],
    data: JSONBody[LoginIn],
    pool: DbPool,
    settings: AppSettings,
) -> Tokens:
    """Check the password against its argon2id hash (constant work for unknown emails).

    After MAX_FAILURES failures for one email, further attempts get 429 for
    LOCKOUT without checking the password, for known and unknown emails alike.
    """
    digest = email_digest("staff", data.email)
    await refuse_while_locked(pool, digest)
    found = await staff_store.credentials(pool, data.email)
    if not verify_password(None if found is None else found[1], data.password) or found is None:
        await count_failure(pool, digest)
        raise unauthorized("Wrong email or password.")
    await forget_failures(pool, digest)
    return await _issue(request, pool, settings, found[0])


@post(
    "/auth/refresh",
    summary="Exchange a refresh token for new tokens (the old one is revoked)",
    tags=["staff"],
    dto=ReportingBody[RefreshIn],
    return_dto=None,
    responses=responses(400, 401, 422),
    status_code=200,
)
async def refresh(
    request: Request[object, object, State],
    data: JSONBody[RefreshIn],
    pool: DbPool,
    settings: AppSettings,
) -> Tokens:
    """Rotate: a refresh token works once; a revoked, expired or unknown one is 401."""
    user_id = await service.rotate_refresh_token(pool, data.refresh_token)
    if user_id is None:
        raise unauthorized("The refresh token is invalid, expired or revoked; sign in again.")
    return await _issue(request, pool, settings, user_id)


@post(
    "/auth/logout",
    summary="Revoke a refresh token (or every session of the account)",
    description=(
        "The refresh token is the credential (an expired access token does not prevent "
        "signing out). 204 whether or not the token was still valid; access tokens expire "
        "by themselves within `CAIRN_ACCESS_TOKEN_SECONDS`."
    ),
    tags=["staff"],
    dto=ReportingBody[LogoutIn],
    return_dto=None,
    responses=responses(400, 422),
    status_code=204,
)
async def logout(data: JSONBody[LogoutIn], pool: DbPool) -> None:
    """Revoke; `everywhere` signs the token's account out of all its devices."""
    await service.sign_out(pool, data.refresh_token, everywhere=data.everywhere)


@get(
    "/auth/me",
    summary="The signed-in staff member, their grants and their role per programme",
    tags=["staff"],
    responses=responses(401),
    security=SECURITY,
)
async def me(pool: DbPool, staff: SignedIn) -> StaffMe:
    """What the staff UI needs to show the right programmes and buttons."""
    return StaffMe(
        id=str(staff.id),
        email=staff.email,
        display_name=staff.display_name,
        platform_role=staff.platform_role,
        roles=staff.roles,
        taxon_groups=staff.group_roles,
        grants=await staff_store.grants_of(pool, staff.id),
    )


@post(
    "/auth/password",
    summary="Change one's own password; every session of the account is signed out",
    description="204, then sign in again with the new password. 403 when the current one is wrong.",
    tags=["staff"],
    dto=ReportingBody[PasswordChange],
    return_dto=None,
    responses=responses(400, 401, 403, 422),
    status_code=204,
    security=SECURITY,
)
async def change_password(data: JSONBody[PasswordChange], pool: DbPool, staff: SignedIn) -> None:
    """Check the current password, store the new hash, revoke every refresh token."""
    await service.change_password(pool, staff, data.current_password, data.new_password)
