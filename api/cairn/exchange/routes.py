"""Datasets, the SINP export for the park's GeoNature, and imports of past records."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import IO, Annotated, Any, Final

from litestar import Request, Router, get, patch, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream

from cairn.core.body import ReportingBody
from cairn.core.deps import AppSettings, DbPool
from cairn.core.filters import QueryError, parse_time
from cairn.core.http import SlugPath
from cairn.core.problems import ProblemError, responses
from cairn.exchange import service
from cairn.exchange.model import Dataset, DatasetPatch
from cairn.exchange.reading import Format
from cairn.exchange.service import ImportReport
from cairn.opendata.streaming import Push, produced
from cairn.reference.deps import AppTerritory
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


IMPORT_MAX_BYTES: Final = 200 * 1024 * 1024
"""The largest file an import through the API takes (the command line takes any size)."""


async def _spooled(request: Request[Any, Any, State]) -> IO[bytes]:
    """The body in a temporary file (in memory while small), refused with 413 past the limit."""
    too_large = ProblemError(
        413,
        "body_too_large",
        "File too large",
        f"An import may have at most {IMPORT_MAX_BYTES:,} bytes; "
        "use `cairn import-observations` for larger files.",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > IMPORT_MAX_BYTES:
        raise too_large
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > IMPORT_MAX_BYTES:
            spool.close()
            raise too_large
        spool.write(chunk)
    spool.seek(0)
    return spool


@post(
    "/programmes/{slug:str}/imports",
    summary="Import past records (a SINP or GeoNature Synthèse export, a DwC occurrence file)",
    description=(
        "The body is the file itself (CSV, `;` or `,`; a DwC occurrence.txt may use tabs), "
        "UTF-8. Each row is checked as an intake is and judged by the disclosure policy; the "
        "source's status, validator and observers are kept; a record already here (same id) is "
        "unchanged or corrected. All of the file or nothing: the answer is the report, with "
        "every refused row's line, column and reason (`loaded` false: nothing changed)."
    ),
    tags=["exchange"],
    request_max_body_size=None,
    responses=responses(400, 401, 403, 404, 413),
    status_code=200,
    security=SECURITY,
)
async def import_records(
    request: Request[Any, Any, State],
    slug: SlugPath,
    pool: DbPool,
    staff: SignedIn,
    settings: AppSettings,
    territory: AppTerritory,
    format: Annotated[  # noqa: A002 (the query parameter's name)
        Format, QueryParameter(description="`sinp` (also GeoNature's Synthèse) or `dwc`")
    ],
    file_name: Annotated[
        str, QueryParameter(max_length=200, description="The file's name, for the history")
    ] = "upload.csv",
) -> ImportReport:
    """Admins of the programme only; the report is the answer."""
    service.require_importer(staff, slug)
    spool = await _spooled(request)
    try:
        upload = service.Upload(stream=spool, file_name=file_name, format=format)
        return await service.import_observations(pool, territory, settings, staff, slug, upload)
    finally:
        spool.close()


router = Router(
    path="/",
    route_handlers=[
        read_dataset,
        update_dataset,
        export_sinp,
        export_sinp_deletions,
        import_records,
    ],
)
"""The exchange feature's routes, mounted by the app factory."""
