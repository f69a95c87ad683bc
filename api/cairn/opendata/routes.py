"""Open data: validated observations for anyone, generalised, paged without a cap."""

from __future__ import annotations

import contextlib
import hashlib
from datetime import datetime
from typing import Annotated, Any, Final, Literal
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Request, Response, Router, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from cairn.contributors.devices import device_token, signed_device
from cairn.core import querydocs
from cairn.core.deps import AppSettings, DbPool, ReadPool
from cairn.core.errors import NotFoundError
from cairn.core.filters import QueryError, parse_bbox, parse_polygon, parse_time, polygon_rings
from cairn.core.problems import ProblemError, responses
from cairn.core.queryparams import INSEE
from cairn.core.statuses import PUBLIC_BY_DEFAULT
from cairn.moderation import store as reviews
from cairn.moderation.model import StaffObservation
from cairn.observations import store as observations
from cairn.observations.model import MyObservation
from cairn.opendata import csv as csv_export
from cairn.opendata import store as public
from cairn.opendata.dwca import DatasetInfo, PublishedDataset, write_archive
from cairn.opendata.records import PublicObservation, feature, to_public
from cairn.opendata.streaming import Push, produced
from cairn.records.vocabulary import OccurrenceStatus
from cairn.reference.lookup import TaxonLookup
from cairn.settings import Settings
from cairn.staff.auth import provide_staff
from cairn.staff.policy import scope_for

Format = Literal["json", "geojson", "csv"]
MAX_PAGE = 10_000


OpenFilters = NamedDependency[public.Filters]
"""Annotate a route parameter named `filters` to receive the validated open-data filters."""


class Page(msgspec.Struct):
    """One page of public observations; follow `next` until it is null."""

    items: list[PublicObservation]
    next: str | None


_STATUS: Final = f"({'|'.join(PUBLIC_BY_DEFAULT)})?"
STATUSES: Final = f"^ *{_STATUS} *(, *{_STATUS} *)*$"
"""`status` as `provide_filters` reads it: public statuses, commas, spaces around them."""


async def provide_filters(
    state: State,
    read_pool: ReadPool,
    settings: AppSettings,
    taxon: Annotated[
        int | None, QueryParameter(ge=1, le=2_147_483_647, description="TAXREF CD_NOM")
    ] = None,
    descendants: Annotated[
        bool, QueryParameter(description="Include the taxon's descendants")
    ] = True,
    kind: Annotated[str | None, QueryParameter(max_length=32)] = None,
    programme: Annotated[str | None, QueryParameter(max_length=63)] = None,
    status: Annotated[
        str | None,
        querydocs.query(
            f"Comma-separated public statuses (by default: {', '.join(PUBLIC_BY_DEFAULT)})",
            pattern=STATUSES,
        ),
    ] = None,
    bbox: Annotated[
        str | None, querydocs.query("minlon,minlat,maxlon,maxlat", format="bbox")
    ] = None,
    polygon: Annotated[
        str | None,
        QueryParameter(
            max_length=4_000,
            description="WKT or GeoJSON, up to 4 000 characters",
            schema_extra={"format": "polygon"},
        ),
    ] = None,
    commune: Annotated[str | None, QueryParameter(pattern=INSEE)] = None,
    date_from: Annotated[
        str | None,
        querydocs.query("Observed from (RFC 3339 or date)", name="from", format="instant"),
    ] = None,
    date_to: Annotated[
        str | None,
        querydocs.query("Observed before (RFC 3339 or date)", name="to", format="instant"),
    ] = None,
    updated_since: Annotated[
        str | None,
        querydocs.query("Changed after (RFC 3339), for incremental sync", format="instant"),
    ] = None,
    occurrence_status: Annotated[
        OccurrenceStatus | None,
        QueryParameter(
            description="`present` or `absent` (searched for, not found); omitted: both, "
            "except in counts and checklists, which count presences unless `absent` is asked"
        ),
    ] = None,
) -> public.Filters:
    """Check every parameter; resolve the taxon to its valid name and its descendants."""
    errors = []
    statuses = settings.public_statuses
    if status is not None:
        wanted = tuple(s.strip() for s in status.split(",") if s.strip())
        refused = [s for s in wanted if s not in settings.public_statuses]
        if refused:
            errors.append(
                QueryError(
                    "status", "not_allowed", f"not a public status: {', '.join(refused)}"
                ).error
            )
        statuses = wanted
    parsed_bbox = parsed_polygon = None
    try:
        parsed_bbox = parse_bbox(bbox) if bbox else None
    except QueryError as exc:
        errors.append(exc.error)
    try:
        parsed_polygon = polygon_rings(parse_polygon(polygon)) if polygon else None
    except QueryError as exc:
        errors.append(exc.error)
    times: dict[str, datetime | None] = {}
    for name, raw in (("from", date_from), ("to", date_to), ("updated_since", updated_since)):
        try:
            times[name] = parse_time(name, raw) if raw else None
        except QueryError as exc:
            errors.append(exc.error)
    taxon_path = taxon_exact = None
    if taxon is not None:
        lookup: TaxonLookup = state.taxa
        found = await lookup.valid_name(read_pool, taxon)
        if found is None:
            errors.append(
                QueryError("taxon", "unknown_taxon", f"no taxon with CD_NOM {taxon}").error
            )
        elif descendants and found.path:
            taxon_path = found.path
        else:
            taxon_exact = found.cd_nom
    if errors:
        raise ProblemError(400, "bad_request", "Bad query", errors=errors)
    return public.Filters(
        statuses=statuses,
        taxon_path=taxon_path,
        taxon_exact=taxon_exact,
        kind=kind,
        programme=programme,
        bbox=parsed_bbox,
        polygon=parsed_polygon,
        commune=commune,
        observed_from=times.get("from"),
        observed_to=times.get("to"),
        updated_since=times.get("updated_since"),
        occurrence_status=occurrence_status,
    )


FILTERS = Provide(provide_filters)
"""The filters dependency, for every route that takes the open-data query parameters."""


def _next_link(request: Request[Any, Any, Any], cursor: str) -> str:
    """The same query with the cursor of the next page."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    query = urlencode([*params, ("cursor", cursor)])
    return str(request.url.with_replacements(query=query))


@get(
    "/observations",
    summary="Query validated observations (JSON, GeoJSON or CSV; no result cap)",
    description=(
        "Keyset pagination: follow `next` (JSON) or the `next` link (GeoJSON) until it is null. "
        "CSV streams every matching record in one response. Positions of sensitive taxa are "
        "generalised (see `generalisation`). `format` or the Accept header picks the format."
    ),
    tags=["open data"],
    dependencies={"filters": FILTERS},
    responses={
        200: ResponseSpec(
            Page, description="A page of public observations", generate_examples=False
        ),
        304: ResponseSpec(None, description="Not modified since the ETag sent"),
        **responses(400),
    },
)
async def list_observations(
    request: Request[Any, Any, Any],
    read_pool: ReadPool,
    filters: OpenFilters,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 100,
    cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
    format: FromQuery[Format | None] = None,  # noqa: A002 (the wire name)
) -> Response[Any]:
    """Filters are validated together; every bad one is named in the problem document."""
    chosen = format or _from_accept(request.headers.get("accept", ""))
    if chosen == "csv":
        return Stream(
            csv_export.export(read_pool, filters),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="cairn-observations.csv"'},
        )
    try:
        after = public.decode_cursor(cursor) if cursor else None
    except ValueError:
        raise ProblemError(
            400,
            "bad_request",
            "Bad query",
            errors=[QueryError("cursor", "invalid", "not a cursor of this API").error],
        ) from None
    async with read_pool.acquire() as conn:
        rows = await public.select(conn, filters, limit, after)
    records = [to_public(r) for r in rows]
    next_url = (
        _next_link(request, public.encode_cursor(rows[-1]["id"])) if len(rows) == limit else None
    )
    if chosen == "geojson":
        body = msgspec.json.encode(
            {
                "type": "FeatureCollection",
                "features": [feature(r) for r in records],
                "numberReturned": len(records),
                "links": [{"rel": "next", "href": next_url, "type": "application/geo+json"}]
                if next_url
                else [],
                "next": next_url,
            }
        )
        media = "application/geo+json"
    else:
        body = msgspec.json.encode(Page(records, next_url))
        media = "application/json"
    return _cacheable(request, body, media, records)


def _from_accept(accept: str) -> Format:
    if "text/csv" in accept:
        return "csv"
    if "geo+json" in accept:
        return "geojson"
    return "json"


def _cacheable(
    request: Request[Any, Any, Any], body: bytes, media: str, records: list[PublicObservation]
) -> Response[Any]:
    """ETag from the content, Last-Modified from the newest record; 304 when unchanged."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
    if records:
        newest = max(r.updated_at for r in records)
        headers["Last-Modified"] = newest.strftime("%a, %d %b %Y %H:%M:%S GMT")
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)


@get(
    "/observations/{observation_id:uuid}",
    summary="Read one observation: the public record, or the full one for its owner and staff",
    description=(
        "With the device token that sent it (or one of the same contributor account), the "
        "owner's view in any status, pending included, with the moderator's comment; with a "
        "staff access token granting records of its programme, the staff view. Anyone else "
        "gets the public (generalised) record, or 404 unless it is public."
    ),
    tags=["open data"],
    responses=responses(401, 404),
)
async def read_observation(
    request: Request[Any, Any, Any],
    observation_id: FromPath[UUID],
    pool: DbPool,
    read_pool: ReadPool,
    settings: AppSettings,
) -> PublicObservation | MyObservation | StaffObservation:
    """The fullest view the caller's credentials allow; a bad token is a 401, not a downgrade."""
    if request.headers.get("authorization", "").partition(" ")[2].strip():
        if device_token(request) is not None:
            row = await observations.own_record(pool, observation_id, await signed_device(request))
            if row is not None:
                return observations.my_observation(row)
        else:
            staff = await provide_staff(request)
            with contextlib.suppress(NotFoundError):
                return await reviews.read(pool, observation_id, scope_for(staff, "read_records"))
    async with read_pool.acquire() as conn:
        public_row = await public.get(conn, observation_id, settings.public_statuses)
    if public_row is None:
        raise NotFoundError(f"no public observation {observation_id}")
    return to_public(public_row)


def document_formats(document: OpenAPI) -> None:
    """Say in the OpenAPI document that the list also answers GeoJSON and CSV."""
    paths = document.paths or {}
    item = paths.get("/api/v1/observations")
    operation = item.get if item else None
    responses_ = operation.responses if operation else None
    ok = responses_.get("200") if responses_ else None
    if not isinstance(ok, OpenAPIResponse) or not ok.content:
        return
    page = ok.content["application/json"]
    ok.content["application/geo+json"] = OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.OBJECT, description="A GeoJSON FeatureCollection")
    )
    ok.content["text/csv"] = OpenAPIMediaType(
        schema=Schema(type=OpenAPIType.STRING, description="Every matching record, one per line")
    )
    ok.content["application/json"] = page


def dataset_info(
    settings: Settings, query: str, dataset: PublishedDataset | None = None
) -> DatasetInfo:
    """The dataset's title, publisher and contact (a programme's dataset, else the settings')."""
    return DatasetInfo(
        title=settings.deployment_title,
        publisher=settings.publisher,
        contact_email=settings.contact_email,
        base_url=settings.base_url,
        query=query,
        coverage=settings.coverage,
        dataset=dataset,
    )


@get(
    "/exports/dwca",
    summary="Download a Darwin Core Archive of validated species observations (GBIF-ready)",
    description=(
        "Same filters as GET /observations; streamed, whatever the size. With `programme`, "
        "the archive is that programme's GBIF dataset: its dataset UUID as packageId (with a "
        "version that changes with the content), its metadata, and one licence: only records "
        "under the dataset's licence or a more open one (eml.xml says how many are left out)."
    ),
    tags=["open data"],
    dependencies={"filters": FILTERS},
    responses={
        200: ResponseSpec(
            None,
            description="A zip: occurrence.txt, multimedia.txt, meta.xml, eml.xml",
            media_type="application/zip",
        ),
        **responses(400),
    },
)
async def export_dwca(
    request: Request[Any, Any, Any],
    read_pool: ReadPool,
    settings: AppSettings,
    filters: OpenFilters,
) -> Stream:
    """PostgreSQL writes the rows (COPY), the server only zips them: memory stays flat."""
    query = f"?{request.url.query}" if request.url.query else ""
    dataset = None
    if filters.programme:
        async with read_pool.acquire() as conn:
            found = await public.published_dataset(conn, filters.programme)
        dataset = None if found is None else PublishedDataset(**dict(found))
    info = dataset_info(settings, query, dataset)

    async def archive(push: Push) -> None:
        async with read_pool.acquire() as conn:
            await write_archive(conn, filters, info, push)

    return Stream(
        produced(archive),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="cairn-dwca.zip"'},
    )


Grouping = Literal["grid_10km", "grid_1km", "commune", "month"]


class UnitCount(msgspec.Struct, frozen=True):
    """How many public observations, and of how many taxa, in one unit."""

    unit: str
    observations: int
    taxa: int


class Counts(msgspec.Struct, frozen=True):
    """Counts per unit; generalised records count only at their public precision."""

    by: str
    items: list[UnitCount]


class ChecklistEntry(msgspec.Struct, frozen=True):
    """One taxon of a checklist."""

    cd_ref: int
    scientific_name: str | None
    vernacular_fr: str | None
    group: str | None
    observations: int
    first_seen: datetime
    last_seen: datetime


class Checklist(msgspec.Struct, frozen=True):
    """The taxa recorded under the filters, most recorded first."""

    items: list[ChecklistEntry]


@get(
    "/stats/counts",
    summary="Count public observations per 10 km or 1 km cell, commune or month",
    description="Same filters as GET /observations. A generalised record counts only in "
    "units at least as coarse as its published position; absences count only when "
    "`occurrence_status=absent` asks for them.",
    tags=["open data"],
    dependencies={"filters": FILTERS},
    responses=responses(400),
)
async def count_observations(
    read_pool: ReadPool, filters: OpenFilters, by: FromQuery[Grouping] = "grid_10km"
) -> Counts:
    """Counts for maps and programme pages."""
    async with read_pool.acquire() as conn:
        rows = await public.counts(conn, filters, by)
    return Counts(by, [UnitCount(r["unit"], r["observations"], r["taxa"]) for r in rows])


@get(
    "/stats/checklist",
    summary="Checklist of taxa for an area (polygon, bbox or commune) with first and last dates",
    tags=["open data"],
    dependencies={"filters": FILTERS},
    responses=responses(400),
)
async def taxon_checklist(read_pool: ReadPool, filters: OpenFilters) -> Checklist:
    """What has been recorded here, validated, at the precision the open data allows."""
    async with read_pool.acquire() as conn:
        rows = await public.checklist(conn, filters)
    return Checklist(
        [
            ChecklistEntry(
                cd_ref=r["taxon_cd_ref"],
                scientific_name=r["scientific_name"],
                vernacular_fr=r["vernacular_fr"],
                group=r["taxon_group"],
                observations=r["observations"],
                first_seen=r["first_seen"],
                last_seen=r["last_seen"],
            )
            for r in rows
        ]
    )


router = Router(
    path="/",
    route_handlers=[
        list_observations,
        read_observation,
        export_dwca,
        count_observations,
        taxon_checklist,
    ],
)
"""The opendata feature's routes, mounted by the app factory."""
