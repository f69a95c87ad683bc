"""Sites: programme admins create, edit and archive them; anyone reads them, generalised."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Router, get, patch, post
from litestar.params import JSONBody, PathParameter

from cairn.core.body import ReportingBody
from cairn.core.deps import AppSettings, DbPool, ReadPool
from cairn.core.errors import InvalidInputError
from cairn.core.http import SlugPath
from cairn.core.problems import responses
from cairn.core.querydocs import query
from cairn.core.queryparams import QueryErrors
from cairn.reference.deps import AppTerritory
from cairn.sites import service
from cairn.sites.model import PublicSite, Site, SiteHistory, SiteIn, SitePatch
from cairn.staff.auth import SECURITY, SignedIn

SitePath = Annotated[UUID, PathParameter(description="A site's id")]
Near = Annotated[str | None, query("lon,lat: sort by distance, nearest first", format="lon-lat")]


@post(
    "/programmes/{slug:str}/sites",
    summary="Create a monitored site of the programme (its admins)",
    description=(
        "A GeoJSON Point or Polygon (WGS84) inside the programme's area, at most 10 km "
        "across, named in fr/en/it. `sensitive` (SINP level 0-4) publishes the site, and every "
        "record made at it, as a sensitive taxon of that level is published."
    ),
    tags=["sites"],
    dto=ReportingBody[SiteIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 422),
    status_code=201,
    security=SECURITY,
)
async def create_site(
    slug: SlugPath,
    data: JSONBody[SiteIn],
    pool: DbPool,
    territory: AppTerritory,
    staff: SignedIn,
) -> Site:
    """The answer is the precise site, for its staff."""
    return await service.create(pool, territory, staff, slug, data)


@patch(
    "/programmes/{slug:str}/sites/{site_id:uuid}",
    summary="Change or archive a site (the programme's admins)",
    description="Only the fields given change; `archived: true` keeps the site on the records "
    "that name it but stops new ones from naming it.",
    tags=["sites"],
    dto=ReportingBody[SitePatch],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 422),
    security=SECURITY,
)
async def edit_site(
    slug: SlugPath,
    site_id: SitePath,
    data: JSONBody[SitePatch],
    pool: DbPool,
    territory: AppTerritory,
    staff: SignedIn,
) -> Site:
    """Its records are re-projected in the same transaction."""
    return await service.edit(pool, territory, staff, slug, site_id, data)


@get(
    "/programmes/{slug:str}/sites",
    summary="List the programme's sites in use, as the public sees them",
    tags=["sites"],
    responses=responses(400, 404, 422),
)
async def list_sites(slug: SlugPath, read_pool: ReadPool, near: Near = None) -> list[PublicSite]:
    """Sensitive sites generalised; with `near`, measured to their public position only."""
    point = None
    if near is not None:
        errors = QueryErrors()
        point = errors.point("near", near)
        if errors.errors:
            raise InvalidInputError(errors.errors, "Invalid query")
    return await service.public_list(read_pool, slug, point)


@get(
    "/sites/{site_id:uuid}",
    summary="One site, as the public sees it",
    tags=["sites"],
    responses=responses(400, 404),
)
async def get_site(site_id: SitePath, read_pool: ReadPool) -> PublicSite:
    """404 when nothing of the site is public (level 4)."""
    return await service.public_get(read_pool, site_id)


@get(
    "/atlas/sites/{site_id:uuid}/history",
    summary="A site's history: public records, individuals and condition per visit day",
    tags=["atlas"],
    responses=responses(400, 404),
)
async def site_history(
    site_id: SitePath, read_pool: ReadPool, settings: AppSettings
) -> SiteHistory:
    """From the open data only: a record counts where the disclosure policy let it name the site."""
    return await service.history(read_pool, site_id, settings.public_statuses)


router = Router(
    path="/", route_handlers=[create_site, edit_site, list_sites, get_site, site_history]
)
"""The sites feature's routes, mounted by the app factory."""
