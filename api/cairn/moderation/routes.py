"""Moderation: the queue, decisions (one or many), the staff view and the history.

Scope is the caller's programmes, or the taxon groups a grant narrows them to: a
record outside it answers 404, exactly like a record that does not exist, so ids
cannot be probed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Router, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.errors import FieldError, InvalidInputError
from cairn.core.filters import QueryError, parse_bbox
from cairn.core.problems import responses
from cairn.core.statuses import STATUSES
from cairn.core.text import has_nul
from cairn.moderation import service
from cairn.moderation import store as reviews
from cairn.moderation.model import (
    BulkOut,
    BulkReviewIn,
    DuplicateIn,
    Event,
    QueuePage,
    ReopenIn,
    ReviewIn,
    StaffObservation,
    decode_cursor,
)
from cairn.staff.auth import SECURITY, SignedIn
from cairn.staff.policy import scope_for

MAX_PAGE = 200


def _aware(errors: list[FieldError], name: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        detail = "give an offset (RFC 3339), e.g. 2026-07-14T00:00:00Z"
        errors.append(FieldError(f"/query/{name}", "invalid_format", detail))
    return value


def _bbox(errors: list[FieldError], raw: str | None) -> tuple[float, float, float, float] | None:
    try:
        return parse_bbox(raw) if raw is not None else None
    except QueryError as exc:
        errors.append(exc.error)
        return None


@get(
    "/moderation/queue",
    summary="The moderation queue of the caller's programmes, most in need first",
    description=(
        "Sorted by need: flagged and sensitive first, then flagged or sensitive, then the "
        "longest waiting (received first). Keyset pagination: pass `next` back as `cursor`. "
        "`counts` gives the number of records per status under the same filters (status aside). "
        "Needs the viewer role on at least one programme; a validator of taxon groups sees the "
        "records of those groups only."
    ),
    tags=["moderation"],
    responses=responses(400, 401, 422),
    security=SECURITY,
)
async def moderation_queue(
    pool: DbPool,
    staff: SignedIn,
    programme: Annotated[str | None, QueryParameter(description="One of your programmes")] = None,
    status: Annotated[
        list[str] | None,
        QueryParameter(description="Statuses to list (repeatable); default pending"),
    ] = None,
    kind: Annotated[str | None, QueryParameter(description="`species`, `heritage`…")] = None,
    taxon: Annotated[
        int | None, QueryParameter(gt=0, description="TAXREF CD_REF the record is attached to")
    ] = None,
    taxon_group: Annotated[
        str | None, QueryParameter(description="INPN group 2, e.g. Oiseaux")
    ] = None,
    flag: Annotated[
        str | None, QueryParameter(description="Records carrying this flag code")
    ] = None,
    flagged: Annotated[bool | None, QueryParameter(description="Only (un)flagged records")] = None,
    sensitive: Annotated[
        bool | None, QueryParameter(description="Only (not) sensitive records")
    ] = None,
    observed_from: Annotated[
        datetime | None, QueryParameter(name="from", description="Observed at or after (RFC 3339)")
    ] = None,
    observed_to: Annotated[
        datetime | None, QueryParameter(name="to", description="Observed before (RFC 3339)")
    ] = None,
    bbox: Annotated[str | None, QueryParameter(description="minlon,minlat,maxlon,maxlat")] = None,
    cursor: Annotated[str | None, QueryParameter(description="`next` of the previous page")] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 50,
) -> QueuePage:
    """Decode the filters (every bad one reported at once), keep to the caller's programmes."""
    texts = {"programme": programme, "kind": kind, "taxon_group": taxon_group, "flag": flag}
    errors = [
        FieldError(f"/query/{k}", "invalid_character", "holds a NUL")
        for k, v in texts.items()
        if has_nul(v)
    ]
    statuses = status or ["pending"]
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        choose = f"unknown status {', '.join(unknown)}; choose among {', '.join(STATUSES)}"
        errors.append(FieldError("/query/status", "not_allowed", choose))
    after = None if cursor is None else decode_cursor(cursor)
    if cursor is not None and after is None:
        again = "not a cursor of this queue; start again without one"
        errors.append(FieldError("/query/cursor", "invalid", again))
    where = reviews.QueueFilter(
        scope=scope_for(staff, "read_records", programme),
        statuses=statuses,
        kind=kind,
        taxon=taxon,
        taxon_group=taxon_group,
        flag=flag,
        flagged=flagged,
        sensitive=sensitive,
        observed_from=_aware(errors, "from", observed_from),
        observed_to=_aware(errors, "to", observed_to),
        bbox=_bbox(errors, bbox),
    )
    if errors:
        raise InvalidInputError(errors, "Invalid query")
    return await reviews.queue(pool, where, after, limit)


@get(
    "/moderation/observations/{observation_id:uuid}",
    summary="The full (precise) record, for staff of its programme",
    tags=["moderation"],
    responses=responses(401, 404),
    security=SECURITY,
)
async def staff_observation(
    observation_id: FromPath[UUID], pool: DbPool, staff: SignedIn
) -> StaffObservation:
    """Viewers and up; 404 outside the caller's programmes."""
    return await reviews.read(pool, observation_id, scope_for(staff, "read_records"))


@get(
    "/observations/{observation_id:uuid}/history",
    summary="Every event of an observation (who, when, before, after, comment)",
    tags=["moderation"],
    responses=responses(401, 404),
    security=SECURITY,
)
async def observation_history(
    observation_id: FromPath[UUID], pool: DbPool, staff: SignedIn
) -> list[Event]:
    """Viewers and up, oldest event first; 404 outside the caller's programmes."""
    return await reviews.history(pool, observation_id, scope_for(staff, "read_records"))


@post(
    "/observations/{observation_id:uuid}/reviews",
    summary="Decide on one observation: a SINP status, a comment, optionally a new taxon",
    description=(
        "`expected_version` is the version you read: when the record changed since (another "
        "moderator, the contributor), the answer is 409 with `extra.current`, the record as it "
        "is now. `cd_nom` re-identifies the record (its sensitivity is recomputed). The comment "
        "is shown to the contributor. Needs the moderator role on the record's programme; "
        "404 outside your programmes."
    ),
    tags=["moderation"],
    dto=ReportingBody[ReviewIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    status_code=200,
    security=SECURITY,
)
async def review_observation(
    observation_id: FromPath[UUID], data: JSONBody[ReviewIn], pool: DbPool, staff: SignedIn
) -> StaffObservation:
    """One decision, its event, and the public projection, in one transaction."""
    return await service.review(pool, staff, observation_id, data)


@post(
    "/observations/{observation_id:uuid}/reopen",
    summary="Take a decision back (the programme's admins): pending again, with a reason",
    description=(
        "The record goes back to `pending` and leaves the open data in the same transaction; "
        "the reason is kept in its history (action `reopen`), the contributor's comment is "
        "cleared. 409 when it changed since `expected_version` or is not decided; 403 without "
        "the admin role on its programme; 404 outside your scope."
    ),
    tags=["moderation"],
    dto=ReportingBody[ReopenIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    status_code=200,
    security=SECURITY,
)
async def reopen_observation(
    observation_id: FromPath[UUID], data: JSONBody[ReopenIn], pool: DbPool, staff: SignedIn
) -> StaffObservation:
    """The reopening, its event and the public projection, in one transaction."""
    return await service.reopen(pool, staff, observation_id, data)


@post(
    "/reviews/bulk",
    summary="Decide on up to 500 observations at once",
    description=(
        "Each id gets an outcome: `decided`, `conflict` (its version differs from "
        "`expected_versions[id]`, or it was withdrawn; left unchanged, current state given) "
        "or `not_found` (no such record in the programmes you moderate). Ids without an "
        "expected version are decided whatever their version."
    ),
    tags=["moderation"],
    dto=ReportingBody[BulkReviewIn],
    return_dto=None,
    responses=responses(400, 401, 403, 413, 422),
    status_code=200,
    security=SECURITY,
)
async def bulk_review(data: JSONBody[BulkReviewIn], pool: DbPool, staff: SignedIn) -> BulkOut:
    """All decisions and their events in one transaction."""
    return await service.review_many(pool, staff, data)


@post(
    "/observations/{observation_id:uuid}/duplicate",
    summary="Count an observation under another one of its programme (a near-duplicate)",
    description=(
        "`of` names the record this one duplicates (the queue's `possible_duplicate` suggests "
        "one); `null` counts it on its own again. A duplicate leaves the open data, the atlas "
        "and the counts; its contributor still sees it, counted under another record. "
        "`expected_version` is the version you read (409 with `extra.current` when it "
        "changed). Needs the moderator role on the programme; 404 outside your programmes."
    ),
    tags=["moderation"],
    dto=ReportingBody[DuplicateIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 409, 422),
    status_code=200,
    security=SECURITY,
)
async def mark_duplicate(
    observation_id: FromPath[UUID], data: JSONBody[DuplicateIn], pool: DbPool, staff: SignedIn
) -> StaffObservation:
    """The mark, its event and the public projection, in one transaction."""
    return await service.mark_duplicate(pool, staff, observation_id, data)


router = Router(
    path="/",
    route_handlers=[
        mark_duplicate,
        moderation_queue,
        staff_observation,
        observation_history,
        review_observation,
        reopen_observation,
        bulk_review,
    ],
)
"""The moderation feature's routes, mounted by the app factory."""
