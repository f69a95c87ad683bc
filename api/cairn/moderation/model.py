"""Moderation decisions, their event log, and the queue's order.

A decision changes the moderation state of one observation (status, how it
was decided, the comment the contributor sees, the taxon) and appends one
event holding that state before and after. `replay` rebuilds the state from
the events alone, which is how the log is proved complete.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from cairn.core.text import text
from cairn.observations.model import ObservationOut
from cairn.records.vocabulary import TRACKED

Decision = Literal[
    "pending", "certain", "probable", "doubtful", "invalid", "not_assessable", "unknown"
]
"""The SINP validation statuses a moderator may set (`pending` reopens a record)."""
MAX_BULK: Final = 500
Comment = Annotated[str, text(4000)]


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A moderator's decision on one observation."""

    status: Decision
    expected_version: Annotated[int, Meta(ge=1, description="The version the moderator saw")]
    comment: Comment | None = None
    cd_nom: (
        Annotated[int, Meta(gt=0, description="Re-identification: the TAXREF CD_NOM it really is")]
        | None
    ) = None


class ReopenIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """An admin takes a decision back, with the reason kept in the record's history."""

    expected_version: Annotated[int, Meta(ge=1, description="The version the admin saw")]
    reason: Annotated[str, text(4000, min_length=1)]


class BulkReviewIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """One decision for many observations; each is checked against the version seen."""

    ids: Annotated[list[UUID], Meta(min_length=1, max_length=MAX_BULK)]
    status: Decision
    expected_versions: Annotated[
        dict[UUID, Annotated[int, Meta(ge=1)]],
        Meta(description="Version seen per id; an id without one is decided whatever its version"),
    ] = {}
    comment: Comment | None = None


class ModerationState(msgspec.Struct, frozen=True, kw_only=True):
    """What moderation decides about an observation, and the version it is at."""

    status: str
    validation_method: str | None
    moderator_comment: str | None
    taxon_cd_nom: int | None
    taxon_cd_ref: int | None
    version: int


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of an observation's history."""

    id: int
    occurred_at: datetime
    actor_kind: str
    actor_id: str | None
    action: str
    version: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    comment: str | None


class ModerationTaxon(msgspec.Struct, frozen=True, kw_only=True):
    """The taxon an observation is attached to, as a moderator needs it."""

    cd_nom: int
    cd_ref: int
    scientific_name: str | None
    vernacular_fr: str | None
    group: str | None


class StaffObservation(ObservationOut, frozen=True, kw_only=True):
    """The full record for staff of its programme: precise place, flags, moderation state."""

    taxon: ModerationTaxon | None
    sensitivity_level: int
    moderator_comment: str | None
    validation_method: str | None
    validated_at: datetime | None
    possible_duplicate: UUID | None = None
    """Another record of the programme this one may repeat (same taxon within 100 m, both
    uncertainties counted, and 30 min; or the same heritage item the same day). Staff only:
    it depends on other people's records."""
    duplicate_of: UUID | None = None
    """The record a moderator counted this one under: it is out of the open data."""
    awaiting_reply: Annotated[
        bool, Meta(description="Its contributor wrote last in its thread: an answer is owed")
    ] = False


class QueuePage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of the queue, the cursor of the next, and counts per status."""

    items: list[StaffObservation]
    next: str | None
    counts: dict[str, int]


class BulkResult(msgspec.Struct, frozen=True, kw_only=True):
    """What happened to one id of a bulk decision."""

    id: UUID
    outcome: Literal["decided", "conflict", "not_found"]
    observation: StaffObservation | None


class BulkOut(msgspec.Struct, frozen=True):
    """Results in the order of the ids sent."""

    results: list[BulkResult]


class BrokenLogError(ValueError):
    """The events do not chain: one's `before` is not the state the previous left."""


def decide(
    state: ModerationState,
    status: str,
    comment: str | None,
    taxon: tuple[int, int] | None,
) -> tuple[ModerationState, dict[str, Any], dict[str, Any]]:
    """The state after a manual decision, with the event's `before` and `after`."""
    cd_nom, cd_ref = taxon if taxon is not None else (state.taxon_cd_nom, state.taxon_cd_ref)
    after = msgspec.structs.replace(
        state,
        status=status,
        validation_method=None if status == "pending" else "manual",
        moderator_comment=comment,
        taxon_cd_nom=cd_nom,
        taxon_cd_ref=cd_ref,
        version=state.version + 1,
    )
    return after, tracked(state), tracked(after)


def tracked(state: ModerationState) -> dict[str, Any]:
    """The recorded fields of a state (what an event's before/after hold)."""
    return {name: getattr(state, name) for name in TRACKED}


def replay(events: list[Event]) -> ModerationState | None:
    """The moderation state the events lead to; None when there are none.

    The first event's `before` is the state as submitted; each later event
    must start where the previous one ended (or the log is broken), and its
    `after` gives the new values of the fields it changed.
    """
    if not events:
        return None
    first = events[0]
    current = {name: (first.before or {}).get(name) for name in TRACKED}
    version = first.version - 1
    for event in events:
        before = event.before or {}
        drift = {k: v for k, v in before.items() if k in current and current[k] != v}
        if drift or event.version != version + 1:
            raise BrokenLogError(f"event {event.id} does not follow its predecessor: {drift}")
        current.update({k: v for k, v in (event.after or {}).items() if k in current})
        version = event.version
    return msgspec.convert({**current, "version": version}, ModerationState)


def encode_cursor(rank: int, received_at: datetime, observation_id: UUID) -> str:
    """An opaque keyset cursor: the sort key of the last item of a page."""
    raw = msgspec.json.encode([rank, received_at, observation_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, datetime, UUID] | None:
    """The sort key in a cursor, or None when it is not one this server made."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        rank, received_at, observation_id = msgspec.json.decode(
            raw, type=tuple[int, datetime, UUID]
        )
    except (ValueError, msgspec.DecodeError):
        return None
    if received_at.tzinfo is None:
        return None
    return rank, received_at, observation_id


# Near-duplicates. The near-duplicate rule's bounds, and a moderator's mark, as the API takes it.
#
# Two records of one programme may be the same sighting when they name the same
# taxon, were made within `WINDOW` of each other, and their positions can be
# `RADIUS_M` apart or less once both uncertainties are counted (the gap between
# their circles); two heritage records when they name the same item on the same
# (local) day. The rule depends on other people's records: staff see it, never a
# contributor (see PRIVACY.md).

RADIUS_M: Final = 100.0
"""Largest gap between the two positions' uncertainty circles, in metres."""
WINDOW: Final = timedelta(minutes=30)
"""Largest time between two sightings of one taxon."""
EARTH_RADIUS_M: Final = 6_371_008.8
"""The mean Earth radius (IUGG) of the haversine distance."""


class DuplicateIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A moderator's mark: the record is counted under `of` (null: counted on its own again)."""

    of: UUID | None
    expected_version: Annotated[int, Meta(ge=1, description="The version the moderator saw")]
