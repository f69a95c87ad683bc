"""One observation through validation: gather what it refers to, then run the pure pipeline.

The single and the batch submit both call `validate_observation`, so every
way in applies the same rules.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal
from uuid import UUID

import asyncpg
import msgspec

from cairn.db import Connection
from cairn.domain.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from cairn.domain.moderation import TRACKED
from cairn.domain.observation import (
    Flag,
    ObservationEdit,
    ObservationIn,
    ObservationOut,
    Withdrawal,
    content_hash,
    with_defaults,
)
from cairn.domain.photos import PHOTO_FLAGS
from cairn.domain.territory import Territory
from cairn.domain.validation import Context, Validated, submitted_cd_nom, validate
from cairn.kinds import registry
from cairn.settings import Settings
from cairn.store import events, observations, places, public, sensitivity, taxa


async def validate_observation(
    conn: Connection, territory: Territory, settings: Settings, obs: ObservationIn
) -> Validated:
    """Gather the taxon, item, commune and profile; return the validated observation or raise."""
    kind = registry().get((obs.kind, obs.schema_version))
    location = territory.locate(obs.location.lon, obs.location.lat)
    cd_nom = submitted_cd_nom(obs)
    found = await taxa.reference(conn, cd_nom) if cd_nom is not None else None
    taxon, profile = found if found is not None else (None, None)
    first = (
        await places.first_in_commune(
            conn, taxon.cd_ref, location.commune, settings.public_statuses
        )
        if taxon is not None and location.commune is not None
        else False
    )
    item_id = obs.data.get("item_id") if obs.kind == "heritage" else None
    item_known = (
        await places.heritage_item_exists(conn, item_id) if isinstance(item_id, str) else True
    )
    context = Context(
        kind_validator=kind.validator if kind else None,
        taxon=taxon,
        heritage_item_known=item_known,
        location=location,
        profile=profile,
        first_in_commune=first,
        now=observations.now(),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    validated = validate(obs, context)
    if validated.taxon_cd_ref is None:
        return validated
    record = (obs.id, validated.taxon_cd_ref, obs.location.lon, obs.location.lat, obs.observed_at)
    level = (await sensitivity.levels(conn, [record]))[obs.id]
    return msgspec.structs.replace(validated, sensitivity_level=level)


class Accepted(msgspec.Struct, frozen=True):
    """What became of one submission: the stored record and how it compares."""

    stored: observations.Stored
    outcome: Literal["created", "unchanged", "conflict"]
    submitted_sha256: str


async def accept(
    conn: Connection,
    territory: Territory,
    settings: Settings,
    obs: ObservationIn,
    device_id: UUID | None,
) -> Accepted:
    """Store one submission once: a known id is compared, a new one validated and inserted.

    Single and batch submit both come here, so retries behave the same way
    whichever route a phone used; the public projection follows in the same
    transaction.
    """
    sha = content_hash(obs)
    stored = await observations.get_with_hash(conn, obs.id)
    if stored is None:
        validated = await validate_observation(conn, territory, settings, obs)
        stored = await observations.insert(conn, validated, sha, device_id)
        if stored.created:
            await public.project(conn, [obs.id])
    if stored.created:
        outcome: Literal["created", "unchanged", "conflict"] = "created"
    else:
        outcome = "unchanged" if stored.content_hash == sha else "conflict"
    return Accepted(stored, outcome, sha.hex())


def _tracked(row: asyncpg.Record) -> dict[str, Any]:
    """The moderation fields of a locked row, as events record them (see domain.moderation)."""
    return {name: row[name] for name in TRACKED}


def _submitted(observation: ObservationOut) -> dict[str, Any]:
    """What the contributor sent, as an event's before/after shows it."""
    fields = set(ObservationIn.__struct_fields__)
    return {k: v for k, v in msgspec.to_builtins(observation).items() if k in fields}


async def _own(conn: Connection, device_id: UUID, observation_id: UUID) -> asyncpg.Record:
    """The device's observation, locked until the transaction ends."""
    row = await observations.lock_own(conn, observation_id, device_id)
    if row is None:
        raise NotFoundError(f"no observation {observation_id} of this device")
    return row


def _conflict(row: asyncpg.Record, detail: str) -> ConflictError:
    return ConflictError(detail, {"current": msgspec.to_builtins(observations.to_out(row))})


def _expect(row: asyncpg.Record, expected_version: int) -> None:
    if row["version"] != expected_version:
        raise _conflict(
            row, "The observation changed since you read it (a moderator or another edit)."
        )


async def edit(
    conn: Connection,
    territory: Territory,
    settings: Settings,
    device_id: UUID,
    observation_id: UUID,
    correction: ObservationEdit,
) -> ObservationOut:
    """Correct a pending observation: validated like a submission, recorded as an event.

    Sending the same correction again answers the stored record (the client
    may not have seen the first answer); photo flags survive the edit.
    """
    if correction.id != observation_id:
        mismatch = FieldError("/id", "invalid", "the id in the body must be the one in the path")
        raise InvalidInputError([mismatch], "Invalid correction")
    row = await _own(conn, device_id, observation_id)
    submission = with_defaults(correction.submission(), row["programme"], row["licence"])
    sha = content_hash(submission)
    if bytes(row["content_hash"]) == sha:
        return observations.to_out(row)
    _expect(row, correction.expected_version)
    if row["status"] != "pending":
        raise _conflict(row, "Only observations still waiting for moderation can be corrected.")
    validated = await validate_observation(conn, territory, settings, submission)
    kept = [flag for flag in msgspec.convert(row["flags"], list[Flag]) if flag.code in PHOTO_FLAGS]
    validated = msgspec.structs.replace(validated, flags=[*validated.flags, *kept])
    before = observations.to_out(row)
    after = await observations.replace(conn, validated, sha)
    await events.append(
        conn,
        observation_id,
        actor=("device", str(device_id)),
        action="edit",
        version=after.version,
        before={**_tracked(row), "observation": _submitted(before)},
        after={
            **_tracked(row),
            "taxon_cd_nom": validated.taxon_cd_nom,
            "taxon_cd_ref": validated.taxon_cd_ref,
            "observation": _submitted(after),
        },
    )
    await public.project(conn, [observation_id])
    return after


async def withdraw(
    conn: Connection, device_id: UUID, observation_id: UUID, withdrawal: Withdrawal
) -> ObservationOut:
    """Take an observation back: it leaves the open data; the record and its history stay."""
    row = await _own(conn, device_id, observation_id)
    if row["status"] == "withdrawn":
        return observations.to_out(row)
    _expect(row, withdrawal.expected_version)
    after = await observations.withdraw(conn, observation_id)
    await events.append(
        conn,
        observation_id,
        actor=("device", str(device_id)),
        action="withdraw",
        version=after.version,
        before=_tracked(row),
        after={**_tracked(row), "status": "withdrawn"},
        comment=withdrawal.reason,
    )
    await public.project(conn, [observation_id])
    return after
