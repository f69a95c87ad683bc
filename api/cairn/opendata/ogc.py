"""OGC API - Features, Part 1 Core, over the public projection: QGIS adds it as a layer.

Landing page, conformance, collections and items (GeoJSON), with `limit`,
`bbox`, `datetime` and property filters, `next` links and single features.
Same data, same generalisation as the rest of the open API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from litestar import Request, Response, Router, get
from litestar.params import FromPath, QueryParameter

from cairn.apikeys.middleware import check_api_request
from cairn.core.clock import now
from cairn.core.deps import AppSettings, ReadPool
from cairn.core.documents import SCHEMA_JSON
from cairn.core.errors import NotFoundError
from cairn.core.filters import QueryError, parse_bbox, parse_time
from cairn.core.hygiene import open_to_every_origin
from cairn.core.problems import ProblemError, responses
from cairn.core.queryparams import INSEE
from cairn.opendata import measurements
from cairn.opendata import store as public
from cairn.opendata.records import feature, to_public
from cairn.records.vocabulary import OccurrenceStatus
from cairn.reference.deps import AppTerritory
from cairn.reference.territory import Territory

CONFORMANCE: Final = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
COLLECTION: Final = "observations"
GEOJSON: Final = "application/geo+json"
MAX_LIMIT: Final = 10_000


def _base(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def _link(href: str, rel: str, media: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": media, "title": title}


@get("/", summary="OGC API - Features landing page", tags=["ogc"], responses=responses())
async def landing(request: Request[Any, Any, Any], settings: AppSettings) -> dict[str, Any]:
    """Where a GIS client starts: links to the API definition, conformance and data."""
    base = _base(request)
    return {
        "title": f"{settings.deployment_title} (OGC API - Features)",
        "description": (
            f"Validated participatory observations of {settings.coverage}; "
            "sensitive taxa generalised."
        ),
        "links": [
            _link(f"{base}/ogc", "self", "application/json", "This document"),
            _link(
                f"{base}/schema/openapi.json",
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.0",
                "API definition",
            ),
            _link(
                f"{base}/ogc/conformance", "conformance", "application/json", "Conformance classes"
            ),
            _link(f"{base}/ogc/collections", "data", "application/json", "Collections"),
        ],
    }


@get(
    "/conformance",
    summary="OGC API - Features conformance classes",
    tags=["ogc"],
    responses=responses(),
)
async def conformance() -> dict[str, list[str]]:
    """The parts of the standard this API implements."""
    return {"conformsTo": CONFORMANCE}


def _collection(base: str, territory: Territory) -> dict[str, Any]:
    min_x, min_y, max_x, max_y = territory.bounds
    return {
        "id": COLLECTION,
        "title": "Observations",
        "description": "Validated species and heritage observations (public projection).",
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {
            "spatial": {
                "bbox": [[min_x, min_y, max_x, max_y]],
                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            },
            "temporal": {"interval": [[None, None]]},
        },
        "links": [
            _link(
                f"{base}/ogc/collections/{COLLECTION}",
                "self",
                "application/json",
                "This collection",
            ),
            _link(f"{base}/ogc/collections/{COLLECTION}/items", "items", GEOJSON, "Its features"),
            _link(
                f"{base}/ogc/collections/{COLLECTION}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                SCHEMA_JSON,
                "Its properties",
            ),
        ],
    }


QUERYABLES: Final[dict[str, dict[str, Any]]] = {
    "kind": {"type": "string", "title": "Observation kind (species, heritage, a programme's)"},
    "programme": {"type": "string", "title": "Programme slug"},
    "commune": {"type": "string", "title": "INSEE code of the commune"},
    "taxon": {"type": "integer", "title": "TAXREF CD_REF of the valid name"},
    "datetime": {"type": "string", "format": "date-time", "title": "When it was observed"},
    "site_id": {"type": "string", "format": "uuid", "title": "The monitored site it names"},
    "occurrence_status": {
        "type": "string",
        "enum": ["present", "absent"],
        "title": "Found, or searched for and not found",
    },
    "geometry": {"$ref": "https://geojson.org/schema/Point.json"},
}
"""The properties `items` filters on; programme kinds' fields follow, in `attributes`."""


@get(
    "/collections/{collection_id:str}/queryables",
    summary="OGC API - Features queryables: the collection's properties as JSON Schema",
    description=(
        "The filters `items` takes, then each published field of the programmes' kinds as "
        "`<kind>.<field>` (found in a feature's `attributes`, with its unit as `x-unit`)."
    ),
    tags=["ogc"],
    media_type=SCHEMA_JSON,
    responses=responses(404),
)
async def queryables(
    request: Request[Any, Any, Any], collection_id: FromPath[str], read_pool: ReadPool
) -> Response[dict[str, Any]]:
    """OGC API - Features Part 3's document shape, read by QGIS and OWSLib."""
    _check_collection(collection_id)
    async with read_pool.acquire() as conn:
        fields = await measurements.fields_in_scope(conn)
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{_base(request)}/ogc/collections/{COLLECTION}/queryables",
        "type": "object",
        "title": "Observations",
        "properties": {**QUERYABLES, **measurements.queryables(fields)},
    }
    return Response(document, media_type=SCHEMA_JSON)


@get("/collections", summary="OGC API - Features collections", tags=["ogc"], responses=responses())
async def collections(request: Request[Any, Any, Any], territory: AppTerritory) -> dict[str, Any]:
    """One collection: the observations."""
    base = _base(request)
    return {
        "collections": [_collection(base, territory)],
        "links": [_link(f"{base}/ogc/collections", "self", "application/json", "Collections")],
    }


def _check_collection(collection_id: str) -> None:
    if collection_id != COLLECTION:
        raise NotFoundError(f"no collection {collection_id}")


@get(
    "/collections/{collection_id:str}",
    summary="OGC API - Features collection description",
    tags=["ogc"],
    responses=responses(404),
)
async def collection(
    request: Request[Any, Any, Any], collection_id: FromPath[str], territory: AppTerritory
) -> dict[str, Any]:
    """Extent and links of a collection (the territory's outline as loaded from the database)."""
    _check_collection(collection_id)
    return _collection(_base(request), territory)


def parse_datetime(raw: str) -> tuple[datetime | None, datetime | None]:
    """An OGC `datetime`: an instant, or an interval `a/b` with `..` for open ends."""
    if "/" not in raw:
        instant = parse_time("datetime", raw)
        return instant, instant
    start, _, end = raw.partition("/")
    low = None if start in {"", ".."} else parse_time("datetime", start)
    high = None if end in {"", ".."} else parse_time("datetime", end)
    return low, high


@get(
    "/collections/{collection_id:str}/items",
    summary="OGC API - Features items (GeoJSON, paged with next links)",
    tags=["ogc"],
    responses=responses(400, 404),
)
async def items(
    request: Request[Any, Any, Any],
    collection_id: FromPath[str],
    read_pool: ReadPool,
    settings: AppSettings,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 100,
    bbox: Annotated[str | None, QueryParameter(description="minlon,minlat,maxlon,maxlat")] = None,
    datetime_: Annotated[str | None, QueryParameter(name="datetime", max_length=100)] = None,
    kind: Annotated[str | None, QueryParameter(max_length=32)] = None,
    programme: Annotated[str | None, QueryParameter(max_length=63)] = None,
    commune: Annotated[str | None, QueryParameter(pattern=INSEE)] = None,
    taxon: Annotated[int | None, QueryParameter(ge=1, le=2_147_483_647)] = None,
    site_id: Annotated[UUID | None, QueryParameter(description="A monitored site's id")] = None,
    occurrence_status: Annotated[
        OccurrenceStatus | None, QueryParameter(description="`present` or `absent`")
    ] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
) -> Response[bytes]:
    """Property filters: kind, programme, commune, taxon (its valid name), site_id,
    occurrence_status."""
    _check_collection(collection_id)
    errors = []
    box = low = high = after = None
    try:
        box = parse_bbox(bbox) if bbox else None
    except QueryError as exc:
        errors.append(exc.error)
    try:
        low, high = parse_datetime(datetime_) if datetime_ else (None, None)
    except QueryError as exc:
        errors.append(exc.error)
    try:
        after = public.decode_cursor(cursor) if cursor else None
    except ValueError:
        errors.append(QueryError("cursor", "invalid", "not a cursor of this API").error)
    if errors:
        raise ProblemError(400, "bad_request", "Bad query", errors=errors)
    filters = public.Filters(
        statuses=settings.public_statuses, kind=kind, programme=programme, commune=commune,
        taxon_exact=taxon, bbox=box, observed_from=low, observed_to=high, site_id=site_id,
        occurrence_status=occurrence_status,
    )  # fmt: skip
    async with read_pool.acquire() as conn:
        rows = await public.select(conn, filters, limit, after)
    features = [feature(to_public(r)) for r in rows]
    here = str(request.url)
    links = [_link(here, "self", GEOJSON, "This page")]
    if len(rows) == limit:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        params.append(("cursor", public.encode_cursor(rows[-1]["id"])))
        next_url = str(request.url.with_replacements(query=urlencode(params)))
        links.append(_link(next_url, "next", GEOJSON, "Next page"))
    body = {
        "type": "FeatureCollection",
        "features": features,
        "numberReturned": len(features),
        "timeStamp": now().isoformat(),
        "links": links,
    }
    return Response(msgspec.json.encode(body), media_type=GEOJSON)


@get(
    "/collections/{collection_id:str}/items/{feature_id:uuid}",
    summary="OGC API - Features single item",
    tags=["ogc"],
    responses=responses(404),
)
async def item(
    collection_id: FromPath[str],
    feature_id: FromPath[UUID],
    read_pool: ReadPool,
    settings: AppSettings,
) -> Response[bytes]:
    """One public observation as a GeoJSON Feature."""
    _check_collection(collection_id)
    async with read_pool.acquire() as conn:
        row = await public.get(conn, feature_id, settings.public_statuses)
    if row is None:
        raise NotFoundError(f"no public feature {feature_id}")
    return Response(msgspec.json.encode(feature(to_public(row))), media_type=GEOJSON)


router = Router(
    path="/ogc",
    route_handlers=[landing, conformance, collections, collection, queryables, items, item],
    before_request=check_api_request,
    after_request=open_to_every_origin,
)
"""OGC API - Features under /ogc, with the API's rate limits and open CORS."""
