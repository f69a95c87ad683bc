"""Staff accounts and roles, managed by admins within their own scope.

A programme admin manages the roles on that programme; an organisation admin
those on the organisation and its programmes; a platform admin everything
(including platform-wide roles). Nobody grants beyond their own reach.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Response, Router, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.errors import NotFoundError
from cairn.core.http import SlugPath
from cairn.core.problems import responses
from cairn.core.text import text
from cairn.records.vocabulary import Slug
from cairn.staff import audit, service, store
from cairn.staff.auth import SECURITY, SignedIn, change_password, login, logout, me, refresh
from cairn.staff.model import MIN_PASSWORD, Email, Grant, Role, StaffAccount
from cairn.staff.policy import require, require_visible


class StaffAccountIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A new staff account; its owner changes the password after the first sign-in."""

    email: Email
    display_name: Annotated[str, text(200, min_length=1)]
    password: Annotated[str, Meta(min_length=MIN_PASSWORD, max_length=1024)]


class GrantIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A role for an account on one programme, one organisation, or (both omitted) everything."""

    email: Email
    role: Role
    programme: Slug | None = None
    organisation: Slug | None = None
    taxon_groups: Annotated[
        list[Annotated[str, text(100, min_length=1)]],
        Meta(
            max_length=50,
            description="Narrow the role to records of taxa in these INPN groups (e.g. Oiseaux)",
        ),
    ] = []


@post(
    "/staff/accounts",
    summary="Create a staff account (any admin); give it a role with POST /grants",
    tags=["staff"],
    dto=ReportingBody[StaffAccountIn],
    return_dto=None,
    responses=responses(400, 401, 403, 409, 422),
    status_code=201,
    security=SECURITY,
)
async def create_account(
    data: JSONBody[StaffAccountIn], pool: DbPool, staff: SignedIn
) -> StaffAccount:
    """The password is stored argon2id-hashed only."""
    return await service.create_account(pool, staff, data.email, data.display_name, data.password)


@post(
    "/grants",
    summary="Give an account a role on a programme, an organisation or the platform",
    description=(
        "Replaces the role the account holds on that same scope. Programme admins grant on "
        "their programme, organisation admins on their organisation and its programmes, "
        "platform admins anywhere. `taxon_groups` narrows a moderator or viewer to the records "
        "of taxa in those INPN groups (Oiseaux, Angiospermes…), on any scope: outside them a "
        "record answers 404. 422 when the account, the scope or a group does not exist."
    ),
    tags=["staff"],
    dto=ReportingBody[GrantIn],
    return_dto=None,
    responses=responses(400, 401, 403, 422),
    status_code=201,
    security=SECURITY,
)
async def create_grant(data: JSONBody[GrantIn], pool: DbPool, staff: SignedIn) -> Grant:
    """Check reach, then upsert the grant."""
    return await service.grant(
        pool, staff, data.email, data.role, data.organisation, data.programme, data.taxon_groups
    )


@delete(
    "/grants/{grant_id:int}",
    summary="Remove a role (the admins of its scope); effective at the account's next request",
    tags=["staff"],
    responses=responses(401, 403, 404),
    status_code=204,
    security=SECURITY,
)
async def delete_grant(grant_id: FromPath[int], pool: DbPool, staff: SignedIn) -> Response[None]:
    """Roles are read on every request, so the removal takes effect at once."""
    await service.revoke_grant(pool, staff, grant_id)
    return Response(None, status_code=204)


@get(
    "/programmes/{slug:str}/staff",
    summary="Who can act on a programme, with which role and through which grant",
    tags=["staff"],
    responses=responses(401, 403, 404),
    security=SECURITY,
)
async def programme_staff(slug: SlugPath, pool: DbPool, staff: SignedIn) -> list[store.Member]:
    """Admins of the programme; 404 for staff without a role on it."""
    require_visible(staff, slug)
    require(staff, "administer_programme", slug)
    organisation = await store.organisation_of(pool, slug)
    if organisation is None:
        raise NotFoundError(f"no programme {slug}")
    return await store.members(pool, slug, organisation)


@get(
    "/staff/audit",
    summary="The staff audit trail (platform admins), newest first",
    description=(
        "Accounts, grants, programmes, sensitivity rules and password changes: who, when, "
        "before, after. Decisions on observations are in each observation's history. "
        "Page with `before_id` = the last `id` seen."
    ),
    tags=["staff"],
    responses=responses(400, 401, 403),
    security=SECURITY,
)
async def staff_audit(
    pool: DbPool,
    staff: SignedIn,
    before_id: Annotated[int | None, QueryParameter(ge=1)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[audit.AuditEntry]:
    """Platform admins only: the trail covers every organisation."""
    require(staff, "read_audit")
    return await audit.entries(pool, before_id, limit)


router = Router(
    path="/",
    route_handlers=[
        login,
        refresh,
        logout,
        me,
        change_password,
        staff_audit,
        create_account,
        create_grant,
        delete_grant,
        programme_staff,
    ],
)
"""The staff feature's routes, mounted by the app factory."""
