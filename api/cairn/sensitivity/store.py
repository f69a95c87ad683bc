"""Sensitivity rules, the levels they give, and background re-projection jobs.

A rule change re-projects the observations of the taxa it touches in small
batches, each its own short transaction, so intake and moderation never wait
on it for more than one batch's row locks (and inserts never wait at all).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from cairn.core.db import Connection, Executor
from cairn.records.disclosure import local_time
from cairn.sensitivity.model import CompiledRule, Job, Rule, RuleIn, compile_rule, level_for

log = logging.getLogger(__name__)

BATCH = 500

_RULE = "id, cd_ref, level, area, period_start, period_end, comment, updated_at"
_JOB = "id::text, reason, state, total, done, changed, started_at, finished_at, error"


async def list_rules(conn: Executor, cd_ref: int | None = None) -> list[Rule]:
    """Every rule (or those of one taxon), by taxon then id."""
    rows = await conn.fetch(
        f"""SELECT {_RULE} FROM sensitivity_rule WHERE $1::int IS NULL OR cd_ref = $1
            ORDER BY cd_ref, id""",
        cd_ref,
    )
    return [Rule(**dict(r)) for r in rows]


async def get_rule(conn: Executor, rule_id: int, *, lock: bool = False) -> Rule | None:
    """One rule, or None."""
    row = await conn.fetchrow(
        f"SELECT {_RULE} FROM sensitivity_rule WHERE id = $1{' FOR UPDATE' if lock else ''}",
        rule_id,
    )
    return None if row is None else Rule(**dict(row))


def _values(rule: RuleIn, actor: UUID) -> tuple[object, ...]:
    """A rule's columns in the order both writes list them."""
    return (
        rule.cd_ref,
        rule.level,
        rule.area,
        rule.period_start,
        rule.period_end,
        rule.comment,
        actor,
    )


async def create_rule(conn: Connection, rule: RuleIn, actor: UUID) -> Rule:
    """Store a checked rule (once no level is being computed under the old ones)."""
    await exclude_level_writers(conn)
    row = await conn.fetchrow(
        f"""INSERT INTO sensitivity_rule
                (cd_ref, level, area, period_start, period_end, comment, updated_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {_RULE}""",
        *_values(rule, actor),
    )
    assert row is not None  # noqa: S101 (INSERT … RETURNING always returns a row)
    return Rule(**dict(row))


async def replace_rule(conn: Connection, rule_id: int, rule: RuleIn, actor: UUID) -> Rule:
    """Overwrite a rule the caller locked (once no level is being computed under the old one)."""
    await exclude_level_writers(conn)
    row = await conn.fetchrow(
        f"""UPDATE sensitivity_rule SET cd_ref = $2, level = $3, area = $4, period_start = $5,
                   period_end = $6, comment = $7, updated_by = $8, updated_at = now()
             WHERE id = $1 RETURNING {_RULE}""",
        rule_id,
        *_values(rule, actor),
    )
    assert row is not None  # noqa: S101 (the caller holds the row lock)
    return Rule(**dict(row))


async def delete_rule(conn: Connection, rule_id: int) -> Rule | None:
    """Remove a rule; return it, or None when there was none."""
    await exclude_level_writers(conn)
    row = await conn.fetchrow(
        f"DELETE FROM sensitivity_rule WHERE id = $1 RETURNING {_RULE}", rule_id
    )
    return None if row is None else Rule(**dict(row))


LEVEL_RULES = "cairn_level_rules($1::int[], true)"
"""SQL: lock the rules shared, then read those covering taxa $1 (see migration 0017).

A rule on a genus covers its species; the lock is held to the transaction's end.
"""


def rules_by_taxon(found: list[dict[str, Any]]) -> dict[int, list[CompiledRule]]:
    """`LEVEL_RULES`' answer, parsed once per rule, by the taxon each covers."""
    rules: dict[int, list[CompiledRule]] = {}
    for row in found:
        rule = msgspec.convert({k: v for k, v in row.items() if k != "target"}, Rule)
        rules.setdefault(row["target"], []).append(compile_rule(rule))
    return rules


_DESCENDANTS = """
SELECT d.cd_nom FROM taxon d
  JOIN taxon a ON a.cd_nom = d.cd_nom OR (a.path IS NOT NULL AND d.path <@ a.path)
 WHERE a.cd_nom = ANY($1)
"""
"""These taxa and every taxon below them (whose records a rule change may re-level)."""


RULES_LOCK = 0x5E45_1715
"""Advisory lock key: writers that compute levels share it, rule changes take it alone."""


async def exclude_level_writers(conn: Connection) -> None:
    """Wait until no transaction that computed levels under the old rules is still open.

    Taken by every rule change, held to its commit: a record written under the
    old rules is committed before the rule, so the job that follows finds it;
    a record written after reads the new rule.
    """
    await conn.execute("SELECT pg_advisory_xact_lock($1)", RULES_LOCK)


async def levels(
    conn: Connection, records: Sequence[tuple[UUID, int | None, float, float, datetime]]
) -> dict[UUID, int]:
    """The level of each (id, cd_ref, lon, lat, local observed_at) under the current rules.

    `observed_at` must be in the device's offset (`disclosure.local_time`): a
    rule's days are the sighting's local days. Holds the rules lock shared
    until the caller's transaction ends, so no rule changes in between.
    """
    taxa = sorted({r[1] for r in records if r[1] is not None})
    rules = rules_by_taxon(await conn.fetchval(f"SELECT {LEVEL_RULES}", taxa))
    return {
        observation_id: level_for(rules.get(cd_ref, []) if cd_ref else [], lon, lat, observed_at)
        for observation_id, cd_ref, lon, lat, observed_at in records
    }


async def start_job(conn: Executor, reason: str, cd_refs: Sequence[int]) -> Job:
    """Record a re-projection of the observations of these taxa, not yet run."""
    row = await conn.fetchrow(
        f"""INSERT INTO sensitivity_job (id, reason, taxa, total)
            VALUES ($1, $2, $3, (SELECT count(*) FROM observation
                                 WHERE taxon_cd_ref IN ({_DESCENDANTS.replace("$1", "$3")})))
            RETURNING {_JOB}""",
        uuid4(),
        reason,
        sorted(set(cd_refs)),
    )
    assert row is not None  # noqa: S101 (INSERT … RETURNING always returns a row)
    return Job(**dict(row))


async def get_job(conn: Executor, job_id: UUID) -> Job | None:
    """A job and its progress, or None."""
    row = await conn.fetchrow(f"SELECT {_JOB} FROM sensitivity_job WHERE id = $1", job_id)
    return None if row is None else Job(**dict(row))


async def list_jobs(conn: Executor, limit: int) -> list[Job]:
    """The most recent jobs first."""
    rows = await conn.fetch(
        f"SELECT {_JOB} FROM sensitivity_job ORDER BY started_at DESC LIMIT $1", limit
    )
    return [Job(**dict(r)) for r in rows]


async def unfinished_jobs(conn: Executor) -> list[UUID]:
    """Jobs a stopped server left running (resumed at start)."""
    return [
        r["id"] for r in await conn.fetch("SELECT id FROM sensitivity_job WHERE state = 'running'")
    ]


async def job_taxa(conn: Executor, job_id: UUID) -> list[int]:
    """The taxa (CD_REF) whose records a job re-projects."""
    taxa: list[int] = await conn.fetchval("SELECT taxa FROM sensitivity_job WHERE id = $1", job_id)
    return taxa


class Pending(msgspec.Struct, frozen=True):
    """A record a job looks at: where and when it was seen, and its level now."""

    id: UUID
    cd_ref: int | None
    lon: float
    lat: float
    observed_at: datetime
    """In the device's own offset: a rule's days are the sighting's local days."""
    level: int


async def next_batch(
    conn: Connection, cd_refs: list[int], after: UUID, batch: int
) -> list[Pending]:
    """The next `batch` records of these taxa (and below) after id `after`, locked for update."""
    rows = await conn.fetch(
        f"""SELECT id, taxon_cd_ref, lon, lat, observed_at, observed_offset_s, sensitivity_level
             FROM observation WHERE taxon_cd_ref IN ({_DESCENDANTS}) AND id > $2
            ORDER BY id LIMIT $3 FOR UPDATE""",
        cd_refs,
        after,
        batch,
    )
    return [
        Pending(
            r["id"],
            r["taxon_cd_ref"],
            r["lon"],
            r["lat"],
            local_time(r["observed_at"], r["observed_offset_s"]),
            r["sensitivity_level"],
        )
        for r in rows
    ]


async def write_levels(conn: Connection, changed: list[tuple[UUID, int]]) -> None:
    """Store new levels (the caller re-projects those records in the same transaction)."""
    await conn.execute(
        """UPDATE observation o
              SET sensitivity_level = u.level, updated_at = greatest(now(), o.received_at)
             FROM unnest($1::uuid[], $2::smallint[]) AS u(id, level)
            WHERE o.id = u.id""",
        [c[0] for c in changed],
        [c[1] for c in changed],
    )


async def count_progress(conn: Connection, job_id: UUID, seen: int, changed: int) -> None:
    """Add one batch to the job's progress."""
    await conn.execute(
        """UPDATE sensitivity_job
              SET done = least(done + $2, total), changed = changed + $3
            WHERE id = $1""",
        job_id,
        seen,
        changed,
    )


async def finish_job(conn: Executor, job_id: UUID) -> None:
    """Every record of the job's taxa has been looked at."""
    await conn.execute(
        "UPDATE sensitivity_job SET state = 'done', finished_at = now() WHERE id = $1", job_id
    )


async def fail_job(conn: Executor, job_id: UUID, error: str) -> None:
    """Record why a job stopped; it is re-run at the next start."""
    await conn.execute(
        """UPDATE sensitivity_job SET state = 'failed', finished_at = now(), error = $2
            WHERE id = $1""",
        job_id,
        error,
    )
