"""SQL of near-duplicates: the other record the rule finds, and a moderator's mark."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cairn.core.db import Connection
from cairn.duplicates.model import EARTH_RADIUS_M, RADIUS_M, WINDOW
from cairn.opendata import store as public


def _gap_m(a: str, b: str) -> str:
    """SQL: the haversine distance between two rows' positions, less both uncertainties."""
    distance = (
        f"2 * {EARTH_RADIUS_M} * asin(sqrt(power(sin(radians({b}.lat - {a}.lat) / 2), 2)"
        f" + cos(radians({a}.lat)) * cos(radians({b}.lat))"
        f" * power(sin(radians({b}.lon - {a}.lon) / 2), 2)))"
    )
    return f"{distance} - coalesce({a}.accuracy_m, 0) - coalesce({b}.accuracy_m, 0)"


def _local_day(row: str) -> str:
    """SQL: a row's calendar day in the offset its device sent."""
    offset = f"make_interval(secs => {row}.observed_offset_s)"
    return f"({row}.observed_at AT TIME ZONE 'UTC' + {offset})::date"


def possible_duplicate(alias: str) -> str:
    """SQL: the id of the record `alias` may duplicate (the closest in time), or NULL.

    Same programme; not itself, not withdrawn, not already counted under another. A record
    a moderator marked is not flagged again: its mark says what it is. Two phones' local days
    can be the same up to 24 h plus their offsets' difference apart: the heritage clause looks
    4 days around (the index's range), then compares the local days.
    """
    seconds = int(WINDOW.total_seconds())
    return f"""CASE WHEN {alias}.duplicate_of IS NULL AND {alias}.status <> 'withdrawn' THEN (
      SELECT d.id FROM observation d
       WHERE d.programme = {alias}.programme AND d.id <> {alias}.id
         AND d.status <> 'withdrawn' AND d.duplicate_of IS NULL
         AND ((d.taxon_cd_ref = {alias}.taxon_cd_ref
               AND d.observed_at BETWEEN {alias}.observed_at - interval '{seconds} seconds'
                                     AND {alias}.observed_at + interval '{seconds} seconds'
               AND {_gap_m(alias, "d")} <= {RADIUS_M})
           OR ({alias}.kind = 'heritage' AND d.kind = 'heritage'
               AND d.data ? 'item_id' AND d.data ->> 'item_id' = {alias}.data ->> 'item_id'
               AND d.observed_at BETWEEN {alias}.observed_at - interval '4 days'
                                     AND {alias}.observed_at + interval '4 days'
               AND {_local_day("d")} = {_local_day(alias)}))
       ORDER BY abs(extract(epoch FROM d.observed_at - {alias}.observed_at)), d.id
       LIMIT 1) END"""


async def flagged(conn: Connection, programme: str) -> int:
    """How many records of a programme the rule flags (for the demo's figure and tests)."""
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM observation o WHERE o.programme = $1"
        f" AND {possible_duplicate('o')} IS NOT NULL",
        programme,
    )
    return count


async def lock_pair(conn: Connection, ids: list[UUID], programmes: list[str]) -> dict[UUID, Any]:
    """The rows of `ids` in the caller's programmes, locked until the transaction ends."""
    rows = await conn.fetch(
        """SELECT id, programme, status, version, duplicate_of FROM observation
            WHERE id = ANY($1) AND programme = ANY($2) ORDER BY id FOR UPDATE""",
        ids,
        programmes,
    )
    return {row["id"]: row for row in rows}


_MARK = """WITH marked AS (
    UPDATE observation o SET duplicate_of = $2, version = o.version + 1,
           updated_at = greatest(now(), o.received_at)
     WHERE o.id = $1
 RETURNING o.*
), logged AS (
    INSERT INTO observation_event
           (observation_id, actor_kind, actor_id, action, version, before, after)
    SELECT m.id, 'staff', $3, 'mark_duplicate', m.version,
           jsonb_build_object('duplicate_of', $4::uuid),
           jsonb_build_object('duplicate_of', $2::uuid)
      FROM marked m
)""" + public.source_select("marked")
"""The mark, its event (who, when, before, after) and the row as it now is (one statement)."""


async def mark(
    conn: Connection, observation_id: UUID, of: UUID | None, before: UUID | None, actor: UUID
) -> Any:
    """Count a (locked) record under `of`, or on its own again; its row, ready to project."""
    return await conn.fetchrow(_MARK, observation_id, of, str(actor), before)
