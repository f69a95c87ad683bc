"""Sensitivity rules: readable by staff, changed by platform admins, applied in the background."""

from __future__ import annotations

import asyncio
from typing import Annotated
from uuid import UUID

from litestar import Request, Router, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from cairn.core.body import ReportingBody
from cairn.core.deps import DbPool
from cairn.core.errors import NotFoundError
from cairn.core.problems import responses
from cairn.sensitivity import service, store
from cairn.sensitivity.model import Job, Rule, RuleChange, RuleIn
from cairn.staff.auth import SECURITY, SignedIn
from cairn.staff.policy import require


def start(request: Request[object, object, State], job: Job) -> None:
    """Run a job in the background; the app keeps a reference until it ends."""
    tasks: set[asyncio.Task[None]] = request.app.state.jobs
    task = asyncio.create_task(service.run_job(request.app.state.pool, UUID(job.id)))
    tasks.add(task)
    task.add_done_callback(tasks.discard)


@get(
    "/sensitivity/rules",
    summary="List sensitivity rules (SINP levels 0-4), optionally of one taxon",
    tags=["sensitivity"],
    responses=responses(401, 403),
    security=SECURITY,
)
async def list_rules(
    pool: DbPool,
    staff: SignedIn,
    cd_ref: Annotated[int | None, QueryParameter(gt=0, description="TAXREF CD_REF")] = None,
) -> list[Rule]:
    """Any staff role may read the rules."""
    require(staff, "read_rules")
    return await store.list_rules(pool, cd_ref)


@post(
    "/sensitivity/rules",
    summary="Add a rule; the records of its taxon are re-projected in the background",
    description="202 with the rule and the job; follow the job at `/sensitivity/jobs/{id}`.",
    tags=["sensitivity"],
    dto=ReportingBody[RuleIn],
    return_dto=None,
    responses=responses(400, 401, 403, 422),
    status_code=202,
    security=SECURITY,
)
async def create_rule(
    request: Request[object, object, State], data: JSONBody[RuleIn], pool: DbPool, staff: SignedIn
) -> RuleChange:
    """Platform admins only."""
    change = await service.create_rule(pool, staff, data)
    start(request, change.job)
    return change


@put(
    "/sensitivity/rules/{rule_id:int}",
    summary="Replace a rule; records of its old and new taxon are re-projected",
    tags=["sensitivity"],
    dto=ReportingBody[RuleIn],
    return_dto=None,
    responses=responses(400, 401, 403, 404, 422),
    status_code=202,
    security=SECURITY,
)
async def replace_rule(
    request: Request[object, object, State],
    rule_id: FromPath[int],
    data: JSONBody[RuleIn],
    pool: DbPool,
    staff: SignedIn,
) -> RuleChange:
    """Platform admins only."""
    change = await service.replace_rule(pool, staff, rule_id, data)
    start(request, change.job)
    return change


@delete(
    "/sensitivity/rules/{rule_id:int}",
    summary="Remove a rule; records of its taxon are re-projected",
    tags=["sensitivity"],
    responses=responses(401, 403, 404),
    status_code=202,
    security=SECURITY,
)
async def delete_rule(
    request: Request[object, object, State], rule_id: FromPath[int], pool: DbPool, staff: SignedIn
) -> RuleChange:
    """Platform admins only."""
    change = await service.delete_rule(pool, staff, rule_id)
    start(request, change.job)
    return change


@get(
    "/sensitivity/jobs",
    summary="Recent re-projection jobs, newest first",
    tags=["sensitivity"],
    responses=responses(401, 403),
    security=SECURITY,
)
async def list_jobs(
    pool: DbPool,
    staff: SignedIn,
    limit: Annotated[int, QueryParameter(ge=1, le=200)] = 20,
) -> list[Job]:
    """Any staff role."""
    require(staff, "read_rules")
    return await store.list_jobs(pool, limit)


@get(
    "/sensitivity/jobs/{job_id:uuid}",
    summary="Progress of one re-projection job (`done` of `total`, `state`)",
    tags=["sensitivity"],
    responses=responses(401, 403, 404),
    security=SECURITY,
)
async def read_job(job_id: FromPath[UUID], pool: DbPool, staff: SignedIn) -> Job:
    """Any staff role."""
    require(staff, "read_rules")
    job = await store.get_job(pool, job_id)
    if job is None:
        raise NotFoundError(f"no job {job_id}")
    return job


router = Router(
    path="/",
    route_handlers=[
        list_rules,
        create_rule,
        replace_rule,
        delete_rule,
        list_jobs,
        read_job,
    ],
)
"""The sensitivity feature's routes, mounted by the app factory."""
