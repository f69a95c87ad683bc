"""Organisations and programmes: public to read, admins to change."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from cairn.core.body import ReportingBody
from cairn.core.db import transaction
from cairn.core.deps import DbPool
from cairn.core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from cairn.core.problems import ProblemError, responses
from cairn.observations.model import SLUG_PATTERN
from cairn.programmes import store
from cairn.programmes.model import (
    Organisation,
    OrganisationIn,
    Programme,
    ProgrammeIn,
    ProgrammePatch,
    programme_errors,
)
from cairn.staff import audit
from cairn.staff.auth import SECURITY, SignedIn

SlugPath = Annotated[str, PathParameter(pattern=SLUG_PATTERN, description="A programme's slug")]
"""A programme slug in a path, checked by Litestar (400 with its pointer when malformed)."""


def forbidden(detail: str) -> ProblemError:
    """403: signed in, but this role does not allow the action."""
    return ProblemError(403, "forbidden", "Forbidden", detail)


@get(
    "/organisations",
    summary="List the organisations that run programmes",
    tags=["programmes"],
    responses=responses(400),
)
async def list_organisations(pool: DbPool) -> list[Organisation]:
    """Public: who runs the programmes."""
    return await store.list_organisations(pool)


@post(
    "/organisations",
    summary="Create an organisation (platform admins)",
    tags=["programmes"],
    dto=ReportingBody[OrganisationIn],
    return_dto=None,
    responses=responses(400, 401, 403, 409, 422),
    status_code=201,
    security=SECURITY,
)
async def create_organisation(
    data: JSONBody[OrganisationIn], pool: DbPool, staff: SignedIn
) -> Organisation:
    """Only a platform admin creates organisations; their admins then create programmes."""
    if not staff.is_platform_admin():
        raise forbidden("Creating an organisation needs the platform admin role.")
    try:
        async with transaction(pool) as conn:
            created = await store.create_organisation(conn, data)
            await audit.record(conn, staff.id, "organisation_create", data.slug, after=created)
            return created
    except store.ExistsError:
        raise ConflictError(f"an organisation `{data.slug}` exists already") from None


@get(
    "/programmes",
    summary="List programmes with their territory, kinds and licence",
    tags=["programmes"],
    responses=responses(400),
)
async def list_programmes(
    pool: DbPool,
    organisation: Annotated[
        str | None, QueryParameter(pattern=SLUG_PATTERN, description="Only this organisation's")
    ] = None,
) -> list[Programme]:
    """Public: the PWA offers these to contributors."""
    return await store.list_programmes(pool, organisation)


@get(
    "/programmes/{slug:str}",
    summary="Read one programme",
    tags=["programmes"],
    responses=responses(404),
)
async def read_programme(slug: SlugPath, pool: DbPool) -> Programme:
    """Public: a programme's page."""
    found = await store.get_programme(pool, slug)
    if found is None:
        raise NotFoundError(f"no programme {slug}")
    return found


@post(
    "/programmes",
    summary="Create a programme (admins of its organisation)",
    description=(
        "The territory must be a valid, non-empty GeoJSON Polygon or MultiPolygon in WGS84: "
        "a self-intersecting ring is refused with 422 and the pointer `/territory`."
    ),
    tags=["programmes"],
    dto=ReportingBody[ProgrammeIn],
    return_dto=None,
    responses=responses(400, 401, 403, 409, 422),
    status_code=201,
    security=SECURITY,
)
async def create_programme(data: JSONBody[ProgrammeIn], pool: DbPool, staff: SignedIn) -> Programme:
    """Check the territory and dates, then insert."""
    if not staff.administers(data.organisation):
        raise forbidden(f"Creating a programme of `{data.organisation}` needs its admin role.")
    errors = programme_errors(data.territory, data.starts_on, data.ends_on)
    if errors:
        raise InvalidInputError(errors, "Invalid programme")
    try:
        async with transaction(pool) as conn:
            created = await store.create_programme(conn, data)
            await audit.record(conn, staff.id, "programme_create", data.slug, after=created)
            return created
    except store.ExistsError:
        raise ConflictError(f"a programme `{data.slug}` exists already") from None
    except store.UnknownReferenceError:
        missing = FieldError("/organisation", "invalid", f"no organisation {data.organisation}")
        raise InvalidInputError([missing], "Invalid programme") from None


@patch(
    "/programmes/{slug:str}",
    summary="Change a programme (its admins); `expected_version` guards concurrent edits",
    tags=["programmes"],
    dto=ReportingBody[ProgrammePatch],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    security=SECURITY,
)
async def update_programme(
    slug: SlugPath, data: JSONBody[ProgrammePatch], pool: DbPool, staff: SignedIn
) -> Programme:
    """Viewers and moderators of the programme get 403; staff without a role on it get 404."""
    if slug not in staff.roles:
        raise NotFoundError(f"no programme {slug}")
    if not staff.can(slug, "admin"):
        raise forbidden("Changing a programme needs its admin role.")
    async with transaction(pool) as conn:
        current = await store.get_programme(conn, slug, lock=True)
        if current is None:
            raise NotFoundError(f"no programme {slug}")
        if current.version != data.expected_version:
            raise ConflictError("The programme changed since you read it.", {"current": current})
        territory = data.territory if isinstance(data.territory, dict) else None
        starts = current.starts_on if data.starts_on is msgspec.UNSET else data.starts_on
        ends = current.ends_on if data.ends_on is msgspec.UNSET else data.ends_on
        errors = programme_errors(territory, starts, ends)
        if errors:
            raise InvalidInputError(errors, "Invalid programme")
        changed = await store.update_programme(conn, slug, data)
        await audit.record(conn, staff.id, "programme_update", slug, current, changed)
        return changed
