"""Sensitivity rule changes: the rule, its re-projection job and its audit entry, together.

A change commits the rule and a job naming the taxa to re-project; the caller
then starts the job in the background (`run_job`), which re-projects those
taxa's records in batches through the public projection.
"""

from __future__ import annotations

from asyncpg import Pool

from cairn.core.db import transaction
from cairn.core.errors import InvalidInputError, NotFoundError
from cairn.sensitivity import store
from cairn.sensitivity.model import RuleChange, RuleIn, rule_errors
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import require


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


def _check(rule: RuleIn) -> None:
    errors = rule_errors(rule)
    if errors:
        raise InvalidInputError(errors, "Invalid sensitivity rule")
