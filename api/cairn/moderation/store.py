"""Moderation: the staff view of observations, the queue, decisions and their history.

Every read and write here takes the caller's scope (programmes, and taxon groups
within programmes) and filters on it
in SQL, so a record outside the caller's scope is indistinguishable from a
record that does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.core.db import Connection, Executor
from cairn.core.errors import ConflictError, NotFoundError
from cairn.moderation.model import (
    EARTH_RADIUS_M,
    RADIUS_M,
    WINDOW,
    BulkResult,
    Event,
    ModerationState,
    ModerationTaxon,
    QueuePage,
    StaffObservation,
    decide,
    encode_cursor,
)
from cairn.observations.store import to_out
from cairn.opinions.model import SameValidatorError, outcome
from cairn.records import projection as public
from cairn.records.disclosure import local_time
from cairn.records.photos import photos_of
from cairn.sensitivity import store as sensitivity
from cairn.staff.scope import RecordScope, in_scope


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


def awaiting_reply(alias: str) -> str:
    """SQL: the last visible message of the record `alias` is its contributor's: the queue
    marks it, an answer is owed (the thread itself is `cairn.conversations`)."""
    return f"""coalesce((SELECT m.author_kind = 'contributor' FROM observation_message m
                 WHERE m.observation_id = {alias}.id AND m.hidden_at IS NULL
                 ORDER BY m.id DESC LIMIT 1), false)"""


def _staff_select(source: str = "observation") -> str:
    """The staff view's columns over `source` (a table or a sub-query), with its taxon."""
    return f"""
SELECT o.*, {photos_of("o")} AS photos, {possible_duplicate("o")} AS possible_duplicate,
       {awaiting_reply("o")} AS awaiting_reply,
       t.cd_ref AS t_cd_ref, t.scientific_name AS t_scientific_name,
       t.vernacular_fr AS t_vernacular_fr, t.group2_inpn AS t_group
  FROM {source} o LEFT JOIN taxon t ON t.cd_nom = o.taxon_cd_nom
"""


_STATE = f"""
SELECT o.id, o.programme, o.status, o.validation_method, o.moderator_comment, o.taxon_cd_nom,
       o.taxon_cd_ref, o.version, o.lon, o.lat, o.observed_at, o.observed_offset_s,
       needs_second_opinion(o.programme, coalesce($4::int, o.taxon_cd_nom)) AS needs_two,
       (SELECT e.actor_id FROM observation_event e
         WHERE e.observation_id = o.id AND e.action = 'first_opinion'
         ORDER BY e.id DESC LIMIT 1) AS first_opinion_by
  FROM observation o
 WHERE o.id = ANY($1) AND {in_scope("o", "$2", "$3")}
 ORDER BY o.id
   FOR UPDATE OF o
"""

_STAFF_EXTRAS = (
    f", {photos_of('o')} AS photos, {possible_duplicate('o')} AS possible_duplicate,"
    f" {awaiting_reply('o')} AS awaiting_reply,"
    " st.cd_ref AS t_cd_ref,"
    " st.scientific_name AS t_scientific_name, st.vernacular_fr AS t_vernacular_fr,"
    " st.group2_inpn AS t_group"
)
_STAFF_JOIN = "LEFT JOIN taxon st ON st.cd_nom = o.taxon_cd_nom"


class QueueFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The queue's filters, already parsed; None means "any"."""

    scope: RecordScope
    statuses: list[str]
    kind: str | None = None
    taxon: int | None = None
    taxon_group: str | None = None
    flag: str | None = None
    flagged: bool | None = None
    sensitive: bool | None = None
    observed_from: datetime | None = None
    observed_to: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None

    def where(self, args: list[Any]) -> list[str]:
        """SQL conditions (except status) appending their values to `args`."""

        def arg(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        # The programmes alone when no grant is narrowed, so the queue index serves the order.
        conditions = [f"o.programme = ANY({arg(self.scope.reached_programmes())})"]
        if self.scope.groups:
            conditions.append(in_scope("o", arg(self.scope.programmes), arg(self.scope.groups)))
        if self.kind is not None:
            conditions.append(f"o.kind = {arg(self.kind)}")
        if self.taxon is not None:
            conditions.append(f"o.taxon_cd_ref = {arg(self.taxon)}")
        if self.taxon_group is not None:
            conditions.append(
                "o.taxon_cd_nom IN (SELECT cd_nom FROM taxon "
                f"WHERE group2_inpn = {arg(self.taxon_group)})"
            )
        if self.flag is not None:
            conditions.append(
                f"o.flags @> jsonb_build_array(jsonb_build_object('code', {arg(self.flag)}::text))"
            )
        if self.flagged is not None:
            conditions.append(f"(jsonb_array_length(o.flags) > 0) = {arg(self.flagged)}")
        if self.sensitive is not None:
            conditions.append(f"(o.sensitivity_level > 0) = {arg(self.sensitive)}")
        if self.observed_from is not None:
            conditions.append(f"o.observed_at >= {arg(self.observed_from)}")
        if self.observed_to is not None:
            conditions.append(f"o.observed_at < {arg(self.observed_to)}")
        if self.bbox is not None:
            min_lon, min_lat, max_lon, max_lat = self.bbox
            conditions.append(
                f"o.lon BETWEEN {arg(min_lon)} AND {arg(max_lon)} "
                f"AND o.lat BETWEEN {arg(min_lat)} AND {arg(max_lat)}"
            )
        return conditions


async def queue(
    conn: Executor, where: QueueFilter, after: tuple[int, datetime, UUID] | None, limit: int
) -> QueuePage:
    """One page sorted by need (flagged and sensitive first, then the longest waiting)."""
    args: list[Any] = []
    conditions = where.where(args)
    count_sql = f"""SELECT o.status, count(*) FROM observation o
                    WHERE {" AND ".join(conditions)} GROUP BY o.status"""
    counts = {row[0]: row[1] for row in await conn.fetch(count_sql, *args)}
    # One status (the usual case) as a plain equality, so the queue index gives the order.
    single = len(where.statuses) == 1
    args.append(where.statuses[0] if single else where.statuses)
    conditions.append(f"o.status = ${len(args)}" if single else f"o.status = ANY(${len(args)})")
    if after is not None:
        args.extend(after)
        n = len(args)
        conditions.append(f"(o.queue_rank, o.received_at, o.id) > (${n - 2}, ${n - 1}, ${n})")
    args.append(limit + 1)
    rows = await conn.fetch(
        # The page is cut from `observation` alone, then joined to its taxa: with a join
        # inside, a misestimated keyset condition can make the planner sort every row.
        _staff_select(
            f"""(SELECT * FROM observation o WHERE {" AND ".join(conditions)}
                 ORDER BY o.queue_rank, o.received_at, o.id LIMIT ${len(args)})"""
        )
        + " ORDER BY o.queue_rank, o.received_at, o.id",
        *args,
    )
    items = [staff_view(row) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    cursor = (
        None if last is None else encode_cursor(last["queue_rank"], last["received_at"], last["id"])
    )
    return QueuePage(items=items, next=cursor, counts=counts)


async def read(conn: Executor, observation_id: UUID, scope: RecordScope) -> StaffObservation:
    """The staff view of one observation in the caller's scope; `NotFoundError` otherwise."""
    found = await read_many(conn, [observation_id], scope)
    if not found:
        raise NotFoundError(f"no observation {observation_id}")
    return found[observation_id]


async def read_many(
    conn: Executor, ids: Sequence[UUID], scope: RecordScope
) -> dict[UUID, StaffObservation]:
    """Staff views of those ids that are in the caller's scope."""
    rows = await conn.fetch(
        _staff_select() + f" WHERE o.id = ANY($1) AND {in_scope('o', '$2', '$3')}",
        ids,
        scope.programmes,
        scope.groups,
    )
    return {row["id"]: staff_view(row) for row in rows}


async def history(conn: Executor, observation_id: UUID, scope: RecordScope) -> list[Event]:
    """The events of an observation in the caller's scope, oldest first."""
    rows = await conn.fetch(
        f"""SELECT e.id, e.occurred_at, e.actor_kind, e.actor_id, e.action, e.version,
                   e.before, e.after, e.comment
              FROM observation o LEFT JOIN observation_event e ON e.observation_id = o.id
             WHERE o.id = $1 AND {in_scope("o", "$2", "$3")}
             ORDER BY e.id""",
        observation_id,
        scope.programmes,
        scope.groups,
    )
    if not rows:
        raise NotFoundError(f"no observation {observation_id}")
    return [Event(**dict(row)) for row in rows if row["id"] is not None]


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    """A decision to apply: what, by whom, on which versions."""

    status: str
    comment: str | None
    taxon: tuple[int, int] | None
    actor: UUID
    expected_versions: dict[UUID, int]
    taxon_group: str | None = None
    """The INPN group of `taxon`: outside the actor's scope, the record is handed over."""
    reopen: bool = False
    """An admin takes a decision back: pending again, `comment` the reason (history only)."""


class Applied(msgspec.Struct, frozen=True):
    """What a decision did: an outcome per id, and the changed rows ready to project."""

    results: list[BulkResult]
    changed: list[Any]
    """`records.projection.source_select` rows of the decided records, as they now are."""
    same_validator: frozenset[UUID] = frozenset()
    """Records left as they were: the second opinion asked came from the first validator."""


async def review(
    conn: Connection, observation_id: UUID, scope: RecordScope, decision: Decision
) -> tuple[StaffObservation, list[Any]]:
    """Apply one decision: the record as it now is, and its row to project.

    `NotFoundError` outside scope, `ConflictError` on a stale version.
    """
    applied = await apply(conn, [observation_id], scope, decision)
    result = applied.results[0]
    if result.observation is None:
        raise NotFoundError(f"no observation {observation_id}")
    if observation_id in applied.same_validator:
        raise ConflictError(
            "This record awaits a second opinion: it must come from another validator.",
            {"current": msgspec.to_builtins(result.observation)},
        )
    if result.outcome == "conflict":
        raise ConflictError(
            "The observation changed since you read it, or was withdrawn by its contributor.",
            {"current": msgspec.to_builtins(result.observation)},
        )
    return result.observation, applied.changed


async def apply(
    conn: Connection, ids: Sequence[UUID], scope: RecordScope, decision: Decision
) -> Applied:
    """Apply a decision to each id (locked in id order, so concurrent bulks never deadlock).

    An id outside scope is `not_found`; a withdrawn record or one whose version
    differs from the expected one is a `conflict` and is left as it is. Two
    statements whatever the count: the locked read, then one that updates, appends
    the events and returns the rows as they now are (a third reads the conflicts).
    A re-identification into a group the actor does not validate hands the record
    over: it goes back to `pending` for that group's validators (action `hand_over`).
    """
    new_taxon = None if decision.taxon is None else decision.taxon[0]
    rows = {
        row["id"]: row
        for row in await conn.fetch(
            _STATE, list(set(ids)), scope.programmes, scope.groups, new_taxon
        )
    }
    levels = (
        await sensitivity.levels(
            conn,
            [
                (
                    r["id"],
                    decision.taxon[1],
                    r["lon"],
                    r["lat"],
                    local_time(r["observed_at"], r["observed_offset_s"]),
                )
                for r in rows.values()
            ],
        )
        if decision.taxon is not None
        else {}
    )
    updates: list[tuple[Any, ...]] = []
    conflicts: list[UUID] = []
    same_validator: set[UUID] = set()
    for observation_id, row in rows.items():
        expected = decision.expected_versions.get(observation_id)
        undecided = decision.reopen and row["status"] == "pending"
        if (
            row["status"] == "withdrawn"
            or undecided
            or (expected is not None and expected != row["version"])
        ):
            conflicts.append(observation_id)
            continue
        state = ModerationState(**{k: row[k] for k in ModerationState.__struct_fields__})
        handed_over = decision.taxon is not None and not scope.covers(
            row["programme"], decision.taxon_group
        )
        try:
            status, action = (
                ("pending", "reopen")
                if decision.reopen
                else ("pending", "hand_over")
                if handed_over
                else outcome(
                    row["status"],
                    decision.status,
                    row["needs_two"],
                    str(decision.actor),
                    row["first_opinion_by"],
                    reidentified=decision.taxon is not None,
                )
            )
        except SameValidatorError:
            conflicts.append(observation_id)
            same_validator.add(observation_id)
            continue
        shown = None if decision.reopen else decision.comment  # a reason is for the history
        after, before_doc, after_doc = decide(state, status, shown, decision.taxon)
        updates.append(
            (observation_id, after, before_doc, after_doc, levels.get(observation_id), action)
        )
    changed = await _write(conn, updates, decision) if updates else []
    decided = {row["id"]: staff_view(row) for row in changed}
    current = {**(await read_many(conn, conflicts, scope) if conflicts else {}), **decided}
    return Applied(
        [
            BulkResult(
                id=observation_id,
                outcome=(
                    "decided"
                    if observation_id in decided
                    else "conflict"
                    if observation_id in rows
                    else "not_found"
                ),
                observation=current.get(observation_id),
            )
            for observation_id in ids
        ],
        changed,
        frozenset(same_validator),
    )


_WRITE = (
    """WITH decided AS (
    UPDATE observation o SET
           status = u.status, validation_method = u.method, moderator_comment = u.comment,
           taxon_cd_nom = u.cd_nom, taxon_cd_ref = u.cd_ref, version = u.version,
           sensitivity_level = coalesce(u.level, o.sensitivity_level),
           validated_at = CASE WHEN u.status = 'pending' THEN NULL ELSE now() END,
           updated_at = greatest(now(), o.received_at)
      FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[],
                  $7::int[], $8::smallint[])
           AS u(id, status, method, comment, cd_nom, cd_ref, version, level)
     WHERE o.id = u.id
 RETURNING o.*
), logged AS (
    INSERT INTO observation_event
           (observation_id, actor_kind, actor_id, action, version, before, after, comment)
    SELECT e.id, 'staff', $9, e.action, e.version, e.before, e.after, $11
      FROM unnest($1::uuid[], $7::int[], $12::jsonb[], $13::jsonb[], $10::text[])
           AS e(id, version, before, after, action)
)"""
    + public.source_select("decided", _STAFF_EXTRAS, _STAFF_JOIN)
    + " ORDER BY o.id"
)
"""The decided rows' update, their events, and the rows as they now are (one statement)."""


async def _write(
    conn: Connection,
    updates: list[tuple[UUID, ModerationState, dict[str, Any], dict[str, Any], int | None, str]],
    decision: Decision,
) -> list[Any]:
    """Update every decided row and append its event; the rows, to answer and to project."""
    states = [u[1] for u in updates]
    return list(
        await conn.fetch(
            _WRITE,
            [u[0] for u in updates],
            [s.status for s in states],
            [s.validation_method for s in states],
            [s.moderator_comment for s in states],
            [s.taxon_cd_nom for s in states],
            [s.taxon_cd_ref for s in states],
            [s.version for s in states],
            [u[4] for u in updates],
            str(decision.actor),
            [u[5] for u in updates],
            decision.comment,
            [u[2] for u in updates],
            [u[3] for u in updates],
        )
    )


async def taxon_codes(conn: Executor, cd_nom: int) -> tuple[int, int, str | None] | None:
    """(cd_nom, cd_ref, INPN group) of a known taxon, or None."""
    row = await conn.fetchrow(
        "SELECT cd_nom, cd_ref, group2_inpn FROM taxon WHERE cd_nom = $1", cd_nom
    )
    return None if row is None else (row["cd_nom"], row["cd_ref"], row["group2_inpn"])


def staff_view(row: asyncpg.Record) -> StaffObservation:
    """The staff view of a row of `_staff_select`."""
    base = msgspec.structs.asdict(to_out(row, "staff"))
    taxon = (
        None
        if row["taxon_cd_nom"] is None
        else ModerationTaxon(
            cd_nom=row["taxon_cd_nom"],
            cd_ref=row["taxon_cd_ref"] or row["t_cd_ref"] or row["taxon_cd_nom"],
            scientific_name=row["t_scientific_name"],
            vernacular_fr=row["t_vernacular_fr"],
            group=row["t_group"],
        )
    )
    return StaffObservation(
        **base,
        taxon=taxon,
        sensitivity_level=row["sensitivity_level"],
        moderator_comment=row["moderator_comment"],
        validation_method=row["validation_method"],
        validated_at=row["validated_at"],
        possible_duplicate=row["possible_duplicate"],
        duplicate_of=row["duplicate_of"],
        awaiting_reply=row["awaiting_reply"],
    )


async def validate_automatically(conn: Connection, ids: list[UUID], comment: str) -> None:
    """Mark records `certain` by the system (demo data only), with their events."""
    await conn.execute(
        """WITH decided AS (
               UPDATE observation SET status = 'certain', validation_method = 'automatic',
                      moderator_comment = $2, version = version + 1, validated_at = now(),
                      updated_at = greatest(now(), received_at)
                WHERE id = ANY($1) AND status = 'pending'
            RETURNING id, version, taxon_cd_nom, taxon_cd_ref)
           INSERT INTO observation_event
                  (observation_id, actor_kind, action, version, before, after, comment)
           SELECT id, 'system', 'review', version,
                  jsonb_build_object('status', 'pending', 'validation_method', NULL,
                                     'moderator_comment', NULL, 'taxon_cd_nom', taxon_cd_nom,
                                     'taxon_cd_ref', taxon_cd_ref),
                  jsonb_build_object('status', 'certain', 'validation_method', 'automatic',
                                     'moderator_comment', $2::text, 'taxon_cd_nom', taxon_cd_nom,
                                     'taxon_cd_ref', taxon_cd_ref),
                  $2
             FROM decided""",
        ids,
        comment,
    )


async def flagged(conn: Connection, programme: str) -> int:
    """How many records of a programme the rule flags (for the demo's figure and tests)."""
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM observation o WHERE o.programme = $1"
        f" AND {possible_duplicate('o')} IS NOT NULL",
        programme,
    )
    return count


async def lock_pair(conn: Connection, ids: list[UUID], scope: RecordScope) -> dict[UUID, Any]:
    """The rows of `ids` in the caller's scope, with their taxon group, locked until the
    transaction ends."""
    rows = await conn.fetch(
        f"""SELECT o.id, o.programme, o.status, o.version, o.duplicate_of,
                   t.group2_inpn AS taxon_group
              FROM observation o LEFT JOIN taxon t ON t.cd_nom = o.taxon_cd_nom
             WHERE o.id = ANY($1) AND {in_scope("o", "$2", "$3")} ORDER BY o.id FOR UPDATE OF o""",
        ids,
        scope.programmes,
        scope.groups,
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


async def mark_duplicate(
    conn: Connection, observation_id: UUID, of: UUID | None, before: UUID | None, actor: UUID
) -> Any:
    """Count a (locked) record under `of`, or on its own again; its row, ready to project."""
    return await conn.fetchrow(_MARK, observation_id, of, str(actor), before)
