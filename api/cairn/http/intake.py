"""Intake: contributors submit observations; a retry never doubles a record."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from litestar import Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from cairn.db import transaction
from cairn.domain.errors import ConflictError, InvalidInputError, NotFoundError
from cairn.domain.observation import (
    DEFAULT_LICENCE,
    DEFAULT_PROGRAMME,
    ObservationIn,
    ObservationOut,
    content_hash,
    time_errors,
    with_defaults,
)
from cairn.http.body import ReportingBody
from cairn.http.deps import AppSettings, DbPool
from cairn.http.problems import responses
from cairn.store import observations


@post(
    "/observations",
    summary="Submit one observation (idempotent by its client UUID)",
    description=(
        "201 when stored now; 200 with the stored record when the same observation was "
        "already received; 409 when the id exists with other content."
    ),
    tags=["intake"],
    dto=ReportingBody[ObservationIn],
    return_dto=None,
    responses={
        200: ResponseSpec(
            data_container=ObservationOut,
            description="Already received: the stored record, unchanged",
            generate_examples=False,
        ),
        **responses(400, 409, 413, 415, 422),
    },
    status_code=201,
)
async def submit_observation(
    data: JSONBody[ObservationIn], pool: DbPool, settings: AppSettings
) -> Response[ObservationOut]:
    """Validate, then insert unless the id exists; compare content when it does."""
    obs = with_defaults(data, DEFAULT_PROGRAMME, DEFAULT_LICENCE)
    errors = time_errors(
        obs.observed_at, observations.now(), timedelta(seconds=settings.clock_skew_seconds)
    )
    if errors:
        raise InvalidInputError(errors, "Invalid observation")
    sha = content_hash(obs)
    async with transaction(pool) as conn:
        stored = await observations.insert(conn, obs, sha, flags=[])
    if stored.created:
        return Response(stored.observation, status_code=201)
    if stored.content_hash == sha:
        return Response(stored.observation, status_code=200)
    raise ConflictError(
        "An observation with this id exists with other content.",
        {"stored_sha256": stored.content_hash.hex(), "submitted_sha256": sha.hex()},
    )


@get(
    "/observations/{observation_id:uuid}",
    summary="Read one stored observation",
    tags=["intake"],
    responses=responses(404),
)
async def read_observation(observation_id: FromPath[UUID], pool: DbPool) -> ObservationOut:
    """The stored record with what the server added (status, flags, version…)."""
    found = await observations.get(pool, observation_id)
    if found is None:
        raise NotFoundError(f"no observation {observation_id}")
    return found
