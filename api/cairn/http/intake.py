"""Intake: contributors submit observations; a retry never doubles a record."""

from __future__ import annotations

from litestar import Response, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from cairn.db import transaction
from cairn.domain.errors import ConflictError
from cairn.domain.observation import (
    DEFAULT_LICENCE,
    DEFAULT_PROGRAMME,
    ObservationIn,
    ObservationOut,
    content_hash,
    with_defaults,
)
from cairn.http.body import ReportingBody
from cairn.http.deps import AppSettings, AppTerritory, DbPool
from cairn.http.problems import responses
from cairn.pipeline import validate_observation
from cairn.store import observations, public


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
    data: JSONBody[ObservationIn], pool: DbPool, settings: AppSettings, territory: AppTerritory
) -> Response[ObservationOut]:
    """Answer a known id from the store; validate and insert a new one."""
    obs = with_defaults(data, DEFAULT_PROGRAMME, DEFAULT_LICENCE)
    sha = content_hash(obs)
    async with transaction(pool) as conn:
        existing = await observations.get_with_hash(conn, obs.id)
        if existing is None:
            validated = await validate_observation(conn, territory, settings, obs)
            stored = await observations.insert(conn, validated, sha)
            await public.project(conn, [obs.id])
        else:
            stored = existing
    if stored.created:
        return Response(stored.observation, status_code=201)
    if stored.content_hash == sha:
        return Response(stored.observation, status_code=200)
    raise ConflictError(
        "An observation with this id exists with other content.",
        {"stored_sha256": stored.content_hash.hex(), "submitted_sha256": sha.hex()},
    )
