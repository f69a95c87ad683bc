"""Sensitivity rule changes: the rule, its re-projection job and its audit entry, together.

A change commits the rule and a job naming the taxa to re-project; the caller
then starts the job in the background (`run_job`), which re-projects those
taxa's records in batches through the public projection.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

import asyncpg
from asyncpg import Pool

from cairn.core.db import Connection, transaction
from cairn.core.errors import InvalidInputError, NotFoundError
from cairn.records import projection as public
from cairn.sensitivity import store
from cairn.sensitivity.model import RuleChange, RuleIn, rule_errors
from cairn.sensitivity.store import BATCH
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import require

log = logging.getLogger(__name__)


async def create_rule(pool: Pool, staff: Staff, data: RuleIn) -> RuleChange:
    """Add a rule; its taxon's records are re-projected by the returned job."""
    require(staff, "change_rules")
    _check(data)
    async with transaction(pool) as conn:
        rule = await store.create_rule(conn, data, staff.id)
        job = await store.start_job(conn, f"rule {rule.id} created", [rule.cd_ref])
        await audit.record(conn, staff.id, "rule_create", f"rule {rule.id}", after=rule)
    return RuleChange(rule=rule, job=job)


async def replace_rule(pool: Pool, staff: Staff, rule_id: int, data: RuleIn) -> RuleChange:
    """Replace a rule; the records of its old and its new taxon are re-projected."""
    require(staff, "change_rules")
    _check(data)
    async with transaction(pool) as conn:
        before = await store.get_rule(conn, rule_id, lock=True)
        if before is None:
            raise NotFoundError(f"no sensitivity rule {rule_id}")
        rule = await store.replace_rule(conn, rule_id, data, staff.id)
        job = await store.start_job(conn, f"rule {rule_id} changed", [before.cd_ref, rule.cd_ref])
        await audit.record(conn, staff.id, "rule_replace", f"rule {rule_id}", before, rule)
    return RuleChange(rule=rule, job=job)


async def delete_rule(pool: Pool, staff: Staff, rule_id: int) -> RuleChange:
    """Remove a rule; its taxon's records are re-projected."""
    require(staff, "change_rules")
    async with transaction(pool) as conn:
        removed = await store.delete_rule(conn, rule_id)
        if removed is None:
            raise NotFoundError(f"no sensitivity rule {rule_id}")
        job = await store.start_job(conn, f"rule {rule_id} removed", [removed.cd_ref])
        await audit.record(conn, staff.id, "rule_delete", f"rule {rule_id}", before=removed)
    return RuleChange(rule=None, job=job)


async def run_job(pool: Pool, job_id: UUID, batch: int = BATCH) -> None:
    """Re-project batch after batch until done; a failure is recorded on the job, not raised.

    Each batch is its own short transaction, so intake and moderation never wait
    on a job for more than one batch's row locks. Re-running a job (after a
    restart) is harmless: it only writes levels that differ.
    """
    try:
        cd_refs = await store.job_taxa(pool, job_id)
        last: UUID | None = UUID(int=0)
        while last is not None:
            async with pool.acquire() as conn, conn.transaction():
                last = await reproject_batch(conn, job_id, cd_refs, last, batch)
            await asyncio.sleep(0)  # let requests through between batches
    except (asyncpg.PostgresError, OSError) as exc:
        log.exception("sensitivity job %s failed", job_id)
        await store.fail_job(pool, job_id, f"{type(exc).__name__}: {exc}")


async def reproject_batch(
    conn: Connection, job_id: UUID, cd_refs: list[int], after: UUID, batch: int
) -> UUID | None:
    """Recompute the levels of the next `batch` records after id `after`; None when done.

    Only the levels that changed are written, and those records re-projected
    through the disclosure policy in the same transaction.
    """
    pending = await store.next_batch(conn, cd_refs, after, batch)
    if not pending:
        await store.finish_job(conn, job_id)
        return None
    new = await store.levels(conn, [(p.id, p.cd_ref, p.lon, p.lat, p.observed_at) for p in pending])
    changed = [(p.id, new[p.id]) for p in pending if new[p.id] != p.level]
    await store.write_levels(conn, changed)
    await public.project(conn, [c[0] for c in changed])
    await store.count_progress(conn, job_id, len(pending), len(changed))
    return pending[-1].id


def _check(rule: RuleIn) -> None:
    errors = rule_errors(rule)
    if errors:
        raise InvalidInputError(errors, "Invalid sensitivity rule")
