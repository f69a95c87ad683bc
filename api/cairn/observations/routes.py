"""Intake: contributors submit observations; a retry never doubles a record."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from litestar import Response, Router, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from msgspec import Meta

from cairn.contributors.devices import SignedDevice
from cairn.core.body import ReportingBody
from cairn.core.decoding import decode_typed_first
from cairn.core.deps import AppSettings, DbPool
from cairn.core.errors import ConflictError, FieldError, InvalidInputError, pointer
from cairn.core.problems import Problem, invalid_problem, responses
from cairn.observations.model import (
    DEFAULT_LICENCE,
    DEFAULT_PROGRAMME,
    ObservationEdit,
    ObservationIn,
    ObservationOut,
    Withdrawal,
    with_defaults,
)
from cairn.observations.service import Accepted, correct, submit, submit_many, take_back
from cairn.reference.deps import AppTerritory

MAX_BATCH: Final = 500


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
        **responses(400, 401, 409, 413, 415, 422),
    },
    status_code=201,
)
async def submit_observation(
    data: JSONBody[ObservationIn],
    pool: DbPool,
    settings: AppSettings,
    territory: AppTerritory,
    me: SignedDevice,
) -> Response[ObservationOut]:
    """Answer a known id from the store; validate and insert a new one."""
    obs = with_defaults(data, DEFAULT_PROGRAMME, DEFAULT_LICENCE)
    accepted = await submit(pool, territory, settings, obs, me)
    if accepted.outcome == "conflict":
        raise ConflictError(
            "An observation with this id exists with other content.",
            {
                "stored_sha256": accepted.stored.content_hash.hex(),
                "submitted_sha256": accepted.submitted_sha256,
            },
        )
    status = 201 if accepted.outcome == "created" else 200
    return Response(accepted.stored.observation, status_code=status)


class BatchIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """Up to 500 observations; each is decoded and judged on its own."""

    observations: Annotated[list[Any], Meta(min_length=1, max_length=MAX_BATCH)]


class BatchItem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """The fate of one item: `created`, `unchanged`, `conflict` or `invalid`."""

    index: int
    id: UUID | None
    outcome: Literal["created", "unchanged", "conflict", "invalid"]
    observation: ObservationOut | None = None
    problem: Problem | None = None


class BatchOut(msgspec.Struct, frozen=True):
    """One result per item, in the order sent."""

    results: list[BatchItem]


def _inside_item(exc: InvalidInputError, index: int) -> InvalidInputError:
    """Pointers of an item's errors, made relative to the batch body."""
    prefix = pointer("observations", index)
    errors = [
        e if e.pointer.startswith(prefix) else FieldError(prefix + e.pointer, e.code, e.detail)
        for e in exc.errors
    ]
    return InvalidInputError(errors, exc.title)


def _item_id(raw: Any) -> UUID | None:
    try:
        return UUID(str(raw["id"])) if isinstance(raw, dict) and "id" in raw else None
    except ValueError:
        return None


@post(
    "/observations/batch",
    summary="Submit up to 500 observations; one bad item never blocks the others",
    description=(
        "Every item gets a result: `created`, `unchanged` (already stored, same content), "
        "`conflict` (same id, other content) or `invalid` (with its problem document). "
        "Valid items are stored together when the batch commits: a retried batch ends with "
        "each observation exactly once."
    ),
    tags=["intake"],
    dto=ReportingBody[BatchIn],
    return_dto=None,
    responses=responses(400, 401, 413, 422),
    status_code=200,
)
async def submit_batch(
    data: JSONBody[BatchIn],
    pool: DbPool,
    settings: AppSettings,
    territory: AppTerritory,
    me: SignedDevice,
) -> BatchOut:
    """Decode each item on its own, then validate and store the decodable ones together."""
    decoded: dict[int, ObservationIn] = {}
    failed: dict[int, InvalidInputError] = {}
    for index, raw in enumerate(data.observations):
        try:
            obs = decode_typed_first(raw, ObservationIn, ("observations", index))
        except InvalidInputError as exc:
            failed[index] = exc
            continue
        decoded[index] = with_defaults(obs, DEFAULT_PROGRAMME, DEFAULT_LICENCE)
    accepted = await submit_many(pool, territory, settings, list(decoded.values()), me)
    failed |= {
        i: r for i, r in zip(decoded, accepted, strict=True) if isinstance(r, InvalidInputError)
    }
    done = {i: r for i, r in zip(decoded, accepted, strict=True) if isinstance(r, Accepted)}
    results = [
        BatchItem(
            index=index,
            id=_item_id(raw),
            outcome="invalid",
            problem=invalid_problem(_inside_item(failed[index], index)),
        )
        if index in failed
        else BatchItem(
            index=index,
            id=done[index].stored.observation.id,
            outcome=done[index].outcome,
            observation=done[index].stored.observation
            if done[index].outcome != "conflict"
            else None,
        )
        for index, raw in enumerate(data.observations)
    ]
    return BatchOut(results)


@put(
    "/observations/{observation_id:uuid}",
    summary="Correct my observation while it waits for moderation (`expected_version` guards it)",
    description=(
        "The body is the whole corrected observation plus the `version` last seen. It is "
        "validated like a submission and recorded in the observation's history. 409 when the "
        "version moved on or a moderator already decided; sending the same correction again "
        "answers the stored record."
    ),
    tags=["intake"],
    dto=ReportingBody[ObservationEdit],
    return_dto=None,
    responses=responses(401, 404, 409, 413, 415, 422),
)
async def correct_observation(
    observation_id: FromPath[UUID],
    data: JSONBody[ObservationEdit],
    me: SignedDevice,
    pool: DbPool,
    settings: AppSettings,
    territory: AppTerritory,
) -> ObservationOut:
    """One transaction: lock, compare, validate, replace, record, re-project."""
    return await correct(pool, territory, settings, me, observation_id, data)


@post(
    "/observations/{observation_id:uuid}/withdraw",
    summary="Withdraw my observation: it leaves the open data, its history stays",
    tags=["intake"],
    dto=ReportingBody[Withdrawal],
    return_dto=None,
    responses=responses(401, 404, 409, 413, 415, 422),
    status_code=200,
)
async def withdraw_observation(
    observation_id: FromPath[UUID],
    data: JSONBody[Withdrawal],
    me: SignedDevice,
    pool: DbPool,
) -> ObservationOut:
    """Idempotent: withdrawing a withdrawn observation answers it as it is."""
    return await take_back(pool, me, observation_id, data)


router = Router(
    path="/",
    route_handlers=[
        submit_observation,
        submit_batch,
        correct_observation,
        withdraw_observation,
    ],
)
"""The observations feature's routes, mounted by the app factory."""
