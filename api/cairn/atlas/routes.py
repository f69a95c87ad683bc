"""The atlas (open), a contributor's impact (device) and an organisation's dashboard (staff)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Request, Response, Router, delete, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter

from cairn.atlas import service as atlas_service
from cairn.atlas import store as atlas
from cairn.atlas.dashboard import dashboard_csv
from cairn.atlas.model import (
    ATLAS_MAX_AGE,
    AtlasCommune,
    AtlasHeritage,
    AtlasProgramme,
    AtlasTaxon,
    Dashboard,
    Impact,
    ImpactShare,
)
from cairn.contributors.devices import SignedDevice
from cairn.core.caching import cached_response
from cairn.core.deps import AppSettings, DbPool, ReadPool
from cairn.core.errors import NotFoundError
from cairn.core.languages import Lang
from cairn.core.problems import responses
from cairn.core.queryparams import INSEE
from cairn.programmes import store as programmes
from cairn.reference import taxa_store as taxa
from cairn.settings import Settings
from cairn.staff.auth import SignedIn
from cairn.staff.policy import programmes_for


def _ok(model: type[Any], description: str) -> dict[int, ResponseSpec]:
    return {
        200: ResponseSpec(data_container=model, description=description, generate_examples=False),
        304: ResponseSpec(None, description="Not modified since the ETag sent"),
        **responses(404),
    }


def _json(request: Request[Any, Any, Any], value: msgspec.Struct) -> Response[bytes]:
    return cached_response(
        request, msgspec.json.encode(value), "application/json", max_age=ATLAS_MAX_AGE
    )


@get(
    "/atlas/taxa/{cd_nom:int}",
    summary="Atlas page of a taxon: 10 km cells, phenology, altitude bands, dates, photos",
    description="Computed from validated public records only; sensitive taxa in their "
    "generalised cells, and no altitude chart where altitudes are withheld.",
    tags=["atlas"],
    responses=_ok(AtlasTaxon, "The taxon's atlas figures"),
)
async def atlas_taxon(
    request: Request[Any, Any, Any],
    read_pool: ReadPool,
    settings: AppSettings,
    cd_nom: Annotated[int, PathParameter(ge=1, le=99_999_999, description="TAXREF CD_NOM")],
    lang: Annotated[Lang, QueryParameter(description="Language of vernacular names")] = "fr",
) -> Response[bytes]:
    """A synonym answers with its valid name's page."""
    async with read_pool.acquire() as conn:
        taxon = await taxa.get(conn, cd_nom, lang)
        if taxon is None:
            raise NotFoundError(f"no taxon with CD_NOM {cd_nom}")
        figures = await atlas.taxon_figures(conn, taxon.cd_ref, settings.public_statuses)
    return _json(request, AtlasTaxon(taxon=taxon, **figures))


@get(
    "/atlas/communes/{insee:str}",
    summary="Atlas page of a commune: species and heritage seen, counts, latest records",
    tags=["atlas"],
    responses=_ok(AtlasCommune, "The commune's atlas figures"),
)
async def atlas_commune(
    request: Request[Any, Any, Any],
    read_pool: ReadPool,
    settings: AppSettings,
    insee: Annotated[str, PathParameter(pattern=INSEE, description="INSEE")],
) -> Response[bytes]:
    """The outline comes with the page so the app can draw it without another request."""
    async with read_pool.acquire() as conn:
        place = await atlas.commune(conn, insee)
        if place is None:
            raise NotFoundError(f"no commune {insee} in the territory")
        figures = await atlas.commune_figures(conn, insee, settings.public_statuses)
    page = AtlasCommune(insee=insee, name=place["name"], outline=place["geometry"], **figures)
    return _json(request, page)


@get(
    "/atlas/programmes/{slug:str}",
    summary="Atlas page of a programme: progress, target taxa seen, contributors by pseudonym",
    tags=["atlas"],
    responses=_ok(AtlasProgramme, "The programme's atlas figures"),
)
async def atlas_programme(
    request: Request[Any, Any, Any],
    read_pool: ReadPool,
    settings: AppSettings,
    slug: Annotated[str, PathParameter(max_length=64)],
) -> Response[bytes]:
    """Contributors appear by the pseudonym they chose; the others only as a number."""
    async with read_pool.acquire() as conn:
        programme = await programmes.get_programme(conn, slug)
        if programme is None:
            raise NotFoundError(f"no programme {slug}")
        figures = await atlas.programme_figures(
            conn, slug, programme.target_taxa or [], settings.public_statuses
        )
    return _json(request, AtlasProgramme(programme=programme, **figures))


@get(
    "/atlas/heritage/{category:str}",
    summary="Atlas page of a heritage type: where it was recorded and its condition over time",
    tags=["atlas"],
    responses=_ok(AtlasHeritage, "The heritage type's atlas figures"),
)
async def atlas_heritage(
    request: Request[Any, Any, Any],
    read_pool: ReadPool,
    settings: AppSettings,
    category: Annotated[str, PathParameter(pattern=r"^[a-z][a-z_]{1,39}$")],
) -> Response[bytes]:
    """An unknown category is an empty page, not an error: the typology can grow."""
    async with read_pool.acquire() as conn:
        page = await atlas.heritage_figures(conn, category, settings.public_statuses)
    return _json(request, page)


@get(
    "/me/impact",
    summary="What my observations did: validated, taxa, heritage, first records, cells filled",
    tags=["contributors"],
    responses=responses(401),
)
async def my_impact(me: SignedDevice, pool: DbPool, settings: AppSettings) -> Impact:
    """From the public projection: a shared card can never reveal a sensitive position."""
    return await atlas.impact(pool, me, settings.public_statuses)


def _share(settings: Settings, share_id: str) -> ImpactShare:
    return ImpactShare(id=share_id, url=f"{settings.base_url.rstrip('/')}/impact/{share_id}")


@get(
    "/me/impact/share",
    summary="My shared impact link, if I made one",
    tags=["contributors"],
    responses=responses(401, 404),
)
async def my_impact_share(me: SignedDevice, pool: DbPool, settings: AppSettings) -> ImpactShare:
    """404 when there is none (never made, or revoked)."""
    share_id = await atlas.impact_share_of(pool, me)
    if share_id is None:
        raise NotFoundError("this device shares no impact link")
    return _share(settings, share_id)


@post(
    "/me/impact/share",
    summary="Make (or get again) a link that shows my impact card to anyone who has it",
    description="The link holds a random id, never the device token; its page and card "
    "show only public counts and the 10 km cells of records published at full precision.",
    tags=["contributors"],
    responses=responses(401),
    status_code=200,
)
async def share_my_impact(me: SignedDevice, pool: DbPool, settings: AppSettings) -> ImpactShare:
    """One link per device: asking again gives the same one until it is revoked."""
    return _share(settings, await atlas_service.share_impact(pool, me))


@delete(
    "/me/impact/share",
    summary="Revoke my impact link: every copy of it then answers 404",
    tags=["contributors"],
    responses=responses(401, 404),
    status_code=204,
)
async def stop_sharing_my_impact(me: SignedDevice, pool: DbPool) -> None:
    """A later share makes a new, different link."""
    if not await atlas_service.stop_sharing_impact(pool, me):
        raise NotFoundError("this device shares no impact link")


@get(
    "/dashboard",
    summary="An organisation's figures: contributions, contributors (counts), taxa, backlog",
    description="Over the programmes the caller may view (narrowed with `programme`); "
    "`format=csv` downloads the same figures.",
    tags=["moderation"],
    responses={
        200: ResponseSpec(
            data_container=Dashboard,
            description="The figures (JSON or CSV)",
            generate_examples=False,
        ),
        **responses(401, 403),
    },
)
async def dashboard(
    pool: DbPool,
    staff: SignedIn,
    programme: Annotated[str | None, QueryParameter(description="One of your programmes")] = None,
    fmt: Annotated[Literal["json", "csv"], QueryParameter(name="format")] = "json",
) -> Response[Any]:
    """Counts only: no contributor identity, no precise position."""
    board = await atlas.dashboard(pool, programmes_for(staff, "read_dashboard", programme))
    if fmt == "csv":
        return Response(
            dashboard_csv(board),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="cairn-dashboard.csv"'},
        )
    return Response(board)


router = Router(
    path="/",
    route_handlers=[
        atlas_taxon,
        atlas_commune,
        atlas_programme,
        atlas_heritage,
        my_impact,
        my_impact_share,
        share_my_impact,
        stop_sharing_my_impact,
        dashboard,
    ],
)
"""The atlas feature's routes, mounted by the app factory."""
