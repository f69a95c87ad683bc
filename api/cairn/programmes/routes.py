"""Organisations and programmes: public to read, admins to change."""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch, post
from litestar.params import JSONBody, QueryParameter

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.errors import NotFoundError
from cairn.core.http import SlugPath
from cairn.core.problems import responses
from cairn.core.text import SLUG_PATTERN
from cairn.programmes import service, store
from cairn.programmes.model import (
    Organisation,
    OrganisationIn,
    Programme,
    ProgrammeIn,
    ProgrammePatch,
)
from cairn.staff.auth import SECURITY, SignedIn


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
    return await service.create_organisation(pool, staff, data)


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
    return await service.create_programme(pool, staff, data)


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
    return await service.update_programme(pool, staff, slug, data)


router = Router(
    path="/",
    route_handlers=[
        list_organisations,
        create_organisation,
        list_programmes,
        read_programme,
        create_programme,
        update_programme,
    ],
)
"""The programmes feature's routes, mounted by the app factory."""
