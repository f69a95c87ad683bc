"""Datasets, the SINP export for the park's GeoNature, and imports of past records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Router, get, patch
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream

from cairn.core.body import ReportingBody
from cairn.core.deps import AppSettings, DbPool
from cairn.core.problems import ProblemError, responses
from cairn.exchange import service
from cairn.exchange.model import Dataset, DatasetPatch
from cairn.opendata.query import QueryError, parse_time
from cairn.opendata.streaming import Push, produced
from cairn.programmes.routes import SlugPath
from cairn.staff.auth import SECURITY, SignedIn

UpdatedSince = Annotated[
    str | None,
    QueryParameter(description="Only records changed after this instant (RFC 3339), or date"),
]


def _since(raw: str | None) -> datetime | None:
    try:
        return parse_time("updated_since", raw) if raw else None
    except QueryError as exc:
        raise ProblemError(400, "bad_request", "Bad query", errors=[exc.error]) from None


@get(
    "/programmes/{slug:str}/dataset",
    summary="Read a programme's dataset metadata (its staff)",
    tags=["exchange"],
    responses=responses(401, 404),
    security=SECURITY,
)
async def read_dataset(slug: SlugPath, pool: DbPool, staff: SignedIn) -> Dataset:
    """The dataset UUID, SINP identifiers, producer, contact and GBIF licence."""
    return await service.read_dataset(pool, staff, slug)


@patch(
    "/programmes/{slug:str}/dataset",
    summary="Change a programme's dataset metadata (its admins); audited",
    tags=["exchange"],
    dto=ReportingBody[DatasetPatch],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    security=SECURITY,
)
async def update_dataset(
    slug: SlugPath, data: JSONBody[DatasetPatch], pool: DbPool, staff: SignedIn
) -> Dataset:
    """`expected_version` guards concurrent edits; the dataset's own UUID never changes."""
    return await service.update_dataset(pool, staff, slug, data)


_CSV = ResponseSpec(None, description="CSV, `;`-separated, UTF-8", media_type="text/csv")


@get(
    "/programmes/{slug:str}/exports/sinp",
    summary="Download the programme's precise records for the park's GeoNature / the SINP",
    description=(
        "Every taxon record that is not withdrawn, precise (exact geometry, observer "
        "pseudonym) with its SINP sensitivity code, in the columns and codes GeoNature's "
        "shipped mappings 'Synthese GeoNature' and 'Nomenclatures SINP (codes)' read. "
        "Streamed, no cap. With `updated_since`, only those changed since; "
        "`/exports/sinp/deletions` lists what the receiver must delete. Programme admins and "
        "platform staff only; each export is in the staff audit trail."
    ),
    tags=["exchange"],
    responses={200: _CSV, **responses(400, 401, 403, 404)},
    security=SECURITY,
)
async def export_sinp(
    slug: SlugPath,
    pool: DbPool,
    staff: SignedIn,
    settings: AppSettings,
    updated_since: UpdatedSince = None,
) -> Stream:
    """Check who asks before the first byte; then stream from one snapshot."""
    since = _since(updated_since)
    dataset = await service.export_dataset(pool, staff, slug)

    async def produce(push: Push) -> None:
        await service.write_sinp(pool, staff.id, dataset, since, settings.base_url, push)

    return Stream(
        produced(produce),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cairn-sinp-{slug}.csv"'},
    )


@get(
    "/programmes/{slug:str}/exports/sinp/deletions",
    summary="List the records the receiver must delete (withdrawn or erased) since a time",
    tags=["exchange"],
    responses={200: _CSV, **responses(400, 401, 403, 404)},
    security=SECURITY,
)
async def export_sinp_deletions(
    slug: SlugPath, pool: DbPool, staff: SignedIn, updated_since: UpdatedSince = None
) -> Stream:
    """`uuid_perm_sinp`, `unique_dataset_id`, `date_suppression`, `motif`; audited."""
    since = _since(updated_since)
    dataset = await service.export_dataset(pool, staff, slug)

    async def produce(push: Push) -> None:
        await service.write_deletions(pool, staff.id, dataset, since, push)

    return Stream(
        produced(produce),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cairn-sinp-{slug}-deleted.csv"'},
    )


router = Router(
    path="/",
    route_handlers=[read_dataset, update_dataset, export_sinp, export_sinp_deletions],
)
"""The exchange feature's routes, mounted by the app factory."""
