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

from cairn.core.clock import now
from cairn.core.db import Connection, transaction
from cairn.core.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from cairn.moderation.model import TRACKED
from cairn.observations import events
from cairn.observations import store as observations
from cairn.observations.kinds_store import resolve
from cairn.observations.model import (
    Flag,
    ObservationEdit,
    ObservationIn,
    ObservationOut,
    ProgrammeRules,
    Withdrawal,
    content_hash,
    programme_date_errors,
    with_defaults,
)
from cairn.observations.validation import Context, Validated, submitted_cd_nom, validate
from cairn.opendata import store as public
from cairn.photos.model import PHOTO_FLAGS
from cairn.reference import places_store as places
from cairn.reference import taxa_store as taxa
from cairn.reference.territory import Territory
from cairn.sensitivity import store as sensitivity
from cairn.settings import Settings
from cairn.sites import store as sites


async def validate_observations(
    conn: Connection, territory: Territory, settings: Settings, batch: list[ObservationIn]
) -> list[Validated | InvalidInputError]:
    """Validate many observations with one query per kind of reference, not per item.

    Gathers the taxa with their profiles, the heritage items, the programmes,
    the first records per commune and the sensitivity levels in bulk, then runs
    the pure pipeline on each; an item's errors never touch the others.
    """
    kinds = await resolve(conn, [(o.kind, o.schema_version) for o in batch])
    locations = [territory.locate(o.location.lon, o.location.lat) for o in batch]
    cd_noms = [submitted_cd_nom(o) for o in batch]
    found = await taxa.references(conn, [c for c in cd_noms if c is not None])
    firsts = await places.firsts_in_commune(
        conn,
        [
            (found[cd_nom][0].cd_ref, where.commune)
            for cd_nom, where in zip(cd_noms, locations, strict=True)
            if cd_nom in found and where.commune is not None
        ],
        settings.public_statuses,
    )
    items = await places.existing_heritage_items(
        conn, [item for o in batch if isinstance(item := _heritage_item(o), str)]
    )
    programmes = await places.programme_rules(conn, [o.programme or "" for o in batch])
    site_ids = await sites.programmes_of(conn, [o.site_id for o in batch if o.site_id])
    instant = now()
    results: list[Validated | InvalidInputError] = []
    for obs, cd_nom, where in zip(batch, cd_noms, locations, strict=True):
        taxon, profile = found.get(cd_nom, (None, None)) if cd_nom is not None else (None, None)
        item = _heritage_item(obs)
        context = Context(
            kind_validator=(
                kind.validator if (kind := kinds.get((obs.kind, obs.schema_version))) else None
            ),
            taxon=taxon,
            heritage_item_known=not isinstance(item, str) or item in items,
            location=where,
            profile=profile,
            first_in_commune=taxon is not None and (taxon.cd_ref, where.commune) in firsts,
            now=instant,
            clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        )
        unknown = [*_programme_errors(obs, programmes), *_site_errors(obs, site_ids)]
        try:
            validated = validate(obs, context)
        except InvalidInputError as exc:
            errors = sorted({*exc.errors, *unknown}, key=lambda e: (e.pointer, e.code))
            results.append(InvalidInputError(errors, exc.title))
            continue
        results.append(InvalidInputError(unknown, "Invalid observation") if unknown else validated)
    return await _with_sensitivity(conn, results)


def _programme_errors(
    obs: ObservationIn, programmes: dict[str, ProgrammeRules]
) -> list[FieldError]:
    """The programme must exist, accept this kind at this schema version, and run that day."""
    rules = programmes.get(obs.programme or "")
    if rules is None:
        return [FieldError("/programme", "not_allowed", f"no programme {obs.programme}")]
    errors = programme_date_errors(obs.observed_at, rules)
    if obs.schema_version not in rules.kinds.get(obs.kind, []):
        accepted = ", ".join(
            f"{kind} v{v}" for kind, versions in rules.kinds.items() for v in versions
        )
        detail = f"programme {obs.programme} accepts {accepted}"
        errors.append(FieldError("/kind", "not_allowed", detail))
    return errors


def _site_errors(obs: ObservationIn, known: dict[UUID, tuple[str, bool]]) -> list[FieldError]:
    """A named site must exist, be in use, and belong to the observation's programme."""
    if obs.site_id is None:
        return []
    if obs.site_id not in known:
        return [FieldError("/site_id", "unknown_site", f"no site {obs.site_id}")]
    programme, archived = known[obs.site_id]
    if programme != obs.programme:
        detail = f"the site belongs to programme {programme}, not {obs.programme}"
        return [FieldError("/site_id", "other_programme", detail)]
    if archived:
        return [FieldError("/site_id", "archived", "the site is archived: no new records")]
    return []


def _heritage_item(obs: ObservationIn) -> object:
    return obs.data.get("item_id") if obs.kind == "heritage" else None


async def _with_sensitivity(
    conn: Connection, results: list[Validated | InvalidInputError]
) -> list[Validated | InvalidInputError]:
    """Set each validated taxon observation's SINP sensitivity level (one query for all)."""
    records = [
        (r.observation.id, r.taxon_cd_ref, r.observation.location.lon,
         r.observation.location.lat, r.observation.observed_at)
        for r in results
        if isinstance(r, Validated) and r.taxon_cd_ref is not None
    ]  # fmt: skip
    levels = await sensitivity.levels(conn, records) if records else {}
    return [
        msgspec.structs.replace(r, sensitivity_level=levels[r.observation.id])
        if isinstance(r, Validated) and r.observation.id in levels
        else r
        for r in results
    ]


async def validate_observation(
    conn: Connection, territory: Territory, settings: Settings, obs: ObservationIn
) -> Validated:
    """Validate one observation; raise InvalidInputError with every error it has."""
    [result] = await validate_observations(conn, territory, settings, [obs])
    if isinstance(result, InvalidInputError):
        raise result
    return result


class Accepted(msgspec.Struct, frozen=True):
    """What became of one submission: the stored record and how it compares."""

    stored: observations.Stored
    outcome: Literal["created", "unchanged", "conflict"]
    submitted_sha256: str


async def accept_many(
    conn: Connection,
    territory: Territory,
    settings: Settings,
    batch: list[ObservationIn],
    device_id: UUID | None,
) -> list[Accepted | InvalidInputError]:
    """Store each submission once: known ids are compared, new ones validated and inserted.

    Single and batch submit both come here, so retries behave the same way
    whichever route a phone used. An id twice in one batch is stored once and
    the second is compared with the first; the public projection follows in
    the same transaction.
    """
    hashes = [content_hash(obs) for obs in batch]
    stored = await observations.get_many_with_hash(conn, [obs.id for obs in batch])
    first_of: dict[UUID, int] = {}
    for index, obs in enumerate(batch):
        first_of.setdefault(obs.id, index)
    fresh = [i for i, obs in enumerate(batch) if obs.id not in stored and first_of[obs.id] == i]
    checked = await validate_observations(conn, territory, settings, [batch[i] for i in fresh])
    outcome_of: dict[int, Validated | InvalidInputError] = dict(zip(fresh, checked, strict=True))
    valid = [(v, hashes[i]) for i, v in outcome_of.items() if isinstance(v, Validated)]
    created = await observations.insert_many(conn, valid, device_id)
    await public.project(conn, list(created))
    raced = [obs.id for obs in batch if obs.id not in stored and obs.id not in created]
    stored |= created | await observations.get_many_with_hash(conn, raced)
    results: list[Accepted | InvalidInputError] = []
    for index, obs in enumerate(batch):
        result = outcome_of.get(first_of[obs.id])
        if isinstance(result, InvalidInputError):
            results.append(result)
            continue
        row = stored[obs.id]
        if row.created and first_of[obs.id] == index:
            outcome: Literal["created", "unchanged", "conflict"] = "created"
        else:
            outcome = "unchanged" if row.content_hash == hashes[index] else "conflict"
        results.append(Accepted(row, outcome, hashes[index].hex()))
    return results


async def accept(
    conn: Connection,
    territory: Territory,
    settings: Settings,
    obs: ObservationIn,
    device_id: UUID | None,
) -> Accepted:
    """Store one submission once (see `accept_many`); raise when it is invalid."""
    [result] = await accept_many(conn, territory, settings, [obs], device_id)
    if isinstance(result, InvalidInputError):
        raise result
    return result


def _tracked(row: asyncpg.Record) -> dict[str, Any]:
    """The moderation fields of a locked row, as events record them (see moderation.model)."""
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
    return ConflictError(
        detail, {"current": msgspec.to_builtins(observations.to_out(row, "owner"))}
    )


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
        return observations.to_out(row, "owner")
    _expect(row, correction.expected_version)
    if row["status"] != "pending":
        raise _conflict(row, "Only observations still waiting for moderation can be corrected.")
    validated = await validate_observation(conn, territory, settings, submission)
    kept = [flag for flag in msgspec.convert(row["flags"], list[Flag]) if flag.code in PHOTO_FLAGS]
    validated = msgspec.structs.replace(validated, flags=[*validated.flags, *kept])
    before = observations.to_out(row, "owner")
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
        return observations.to_out(row, "owner")
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


async def submit(
    pool: asyncpg.Pool,
    territory: Territory,
    settings: Settings,
    obs: ObservationIn,
    device_id: UUID,
) -> Accepted:
    """One submission from a phone, in its own transaction (see `accept`)."""
    async with transaction(pool) as conn:
        return await accept(conn, territory, settings, obs, device_id)


async def submit_many(
    pool: asyncpg.Pool,
    territory: Territory,
    settings: Settings,
    batch: list[ObservationIn],
    device_id: UUID,
) -> list[Accepted | InvalidInputError]:
    """A phone's batch, in one transaction: each item judged alone (see `accept_many`)."""
    async with transaction(pool) as conn:
        return await accept_many(conn, territory, settings, batch, device_id)


async def correct(
    pool: asyncpg.Pool,
    territory: Territory,
    settings: Settings,
    device_id: UUID,
    observation_id: UUID,
    correction: ObservationEdit,
) -> ObservationOut:
    """The owner's correction in one transaction: lock, compare, validate, replace, re-project."""
    async with transaction(pool) as conn:
        return await edit(conn, territory, settings, device_id, observation_id, correction)


async def take_back(
    pool: asyncpg.Pool, device_id: UUID, observation_id: UUID, withdrawal: Withdrawal
) -> ObservationOut:
    """The owner's withdrawal in one transaction (see `withdraw`)."""
    async with transaction(pool) as conn:
        return await withdraw(conn, device_id, observation_id, withdrawal)
