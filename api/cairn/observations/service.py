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
from cairn.observations import events
from cairn.observations import store as observations
from cairn.observations.model import (
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
from cairn.protocols.kinds import Kind
from cairn.protocols.kinds_store import resolve
from cairn.records import projection as public
from cairn.records.photos import PHOTO_FLAGS
from cairn.records.vocabulary import TRACKED, Flag
from cairn.reference.territory import Location, Territory
from cairn.sensitivity.model import level_for
from cairn.settings import Settings


async def validate_observations(
    conn: Connection, territory: Territory, settings: Settings, batch: list[ObservationIn]
) -> list[Validated | InvalidInputError]:
    """Validate many observations with one read of all they refer to (see `_judge`)."""
    places = [territory.locate(o.location.lon, o.location.lat) for o in batch]
    found = await _references(conn, settings, batch, places, None, lock=True)
    kinds = await resolve(conn, [(o.kind, o.schema_version) for o in batch])
    return _judge(settings, batch, places, found, kinds)


async def _references(
    conn: Connection,
    settings: Settings,
    batch: list[ObservationIn],
    places: list[Location],
    device_id: UUID | None,
    *,
    lock: bool,
) -> observations.References:
    """What `batch` refers to, and which of its ids are stored already, in one round trip
    (with `lock`, the rules are read under their lock: see `observations.references`)."""
    cd_noms = [submitted_cd_nom(o) for o in batch]
    return await observations.references(
        conn,
        ids=[o.id for o in batch],
        cd_noms=[c for c in cd_noms if c is not None],
        places=[
            (cd_nom, where.commune)
            for cd_nom, where in zip(cd_noms, places, strict=True)
            if cd_nom is not None and where.commune is not None
        ],
        items=[item for o in batch if isinstance(item := _heritage_item(o), str)],
        programmes=[o.programme or "" for o in batch],
        statuses=settings.public_statuses,
        device_id=device_id,
        lock=lock,
        sites=[o.site_id for o in batch if o.site_id is not None],
    )


def _judge(
    settings: Settings,
    batch: list[ObservationIn],
    places: list[Location],
    found: observations.References,
    kinds: dict[tuple[str, int], Kind],
) -> list[Validated | InvalidInputError]:
    """Run the pure pipeline on each observation with what `found` holds; an item's errors
    never touch the others. Each valid taxon observation gets its SINP sensitivity level."""
    results: list[Validated | InvalidInputError] = []
    for obs, where in zip(batch, places, strict=True):
        cd_nom = submitted_cd_nom(obs)
        facts = found.taxa.get(cd_nom) if cd_nom is not None else None
        taxon = facts.ref if facts else None
        item = _heritage_item(obs)
        kind = kinds.get((obs.kind, obs.schema_version))
        context = Context(
            kind_validator=kind.validator if kind else None,
            kind_accepts=kind.accepts if kind else None,
            taxon=taxon,
            heritage_item_known=not isinstance(item, str) or item in found.items,
            location=where,
            profile=facts.profile if facts else None,
            first_in_commune=taxon is not None and (taxon.cd_ref, where.commune) in found.firsts,
            now=now(),
            clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        )
        unknown = [*_programme_errors(obs, found.programmes), *_site_errors(obs, found.sites)]
        try:
            validated = validate(obs, context)
        except InvalidInputError as exc:
            errors = sorted({*exc.errors, *unknown}, key=lambda e: (e.pointer, e.code))
            results.append(InvalidInputError(errors, exc.title))
            continue
        if unknown:
            results.append(InvalidInputError(unknown, "Invalid observation"))
        elif validated.taxon_cd_ref is not None:
            rules = found.rules.get(validated.taxon_cd_ref, [])
            level = level_for(rules, obs.location.lon, obs.location.lat, obs.observed_at)
            results.append(msgspec.structs.replace(validated, sensitivity_level=level))
        else:
            results.append(validated)
    return results


def _public_source(
    validated: Validated, found: observations.References, kind_schema: dict[str, Any] | None
) -> dict[str, Any]:
    """The row `records.projection.public_row` reads for a record about to be inserted: what the
    insert stores (status pending, `updated_at` the transaction's instant, no photos yet)."""
    obs = validated.observation
    offset = obs.observed_at.utcoffset() or timedelta(0)
    facts = found.taxa.get(validated.taxon_cd_nom) if validated.taxon_cd_nom else None
    commune = found.communes.get(validated.commune_insee or "")
    taxon = facts.public if facts else dict.fromkeys(_TAXON_COLUMNS)
    return {
        "id": obs.id, "kind": obs.kind, "schema_version": obs.schema_version,
        "kind_schema": kind_schema, "programme": obs.programme, "status": "pending",
        "observed_at": obs.observed_at, "observed_offset_s": int(offset.total_seconds()),
        "lon": obs.location.lon, "lat": obs.location.lat,
        "accuracy_m": obs.location.accuracy_m, "altitude_m": obs.location.altitude_m,
        "data": obs.data, "licence": obs.licence, "comment": obs.comment,
        "updated_at": found.now, "taxon_cd_ref": validated.taxon_cd_ref,
        "commune_insee": validated.commune_insee, **taxon,
        "sensitivity_level": validated.sensitivity_level,
        "geoprivacy": obs.geoprivacy or found.default_geoprivacy,
        **(commune or dict.fromkeys(_COMMUNE_COLUMNS)),
        "observer": found.observer, "photo_keys": [], "cleared_photo_keys": [],
        "site_id": obs.site_id,
        **(_site_columns(found.sites[obs.site_id]) if obs.site_id is not None else _NO_SITE),
    }  # fmt: skip


def _projected(
    valid: list[Validated], found: observations.References, kinds: dict[tuple[str, int], Kind]
) -> list[dict[str, Any]]:
    """The public rows of records about to be inserted, as the disclosure policy decides them."""
    rows = []
    for validated in valid:
        kind = kinds[(validated.observation.kind, validated.observation.schema_version)]
        schema = kind.schema if kind.programme is not None else None
        if (row := public.public_row(_public_source(validated, found, schema))) is not None:
            rows.append(public.as_json(row))
    return rows


_TAXON_COLUMNS = ("taxon_path", "scientific_name", "vernacular_fr", "kingdom", "taxon_group")
_NO_SITE: dict[str, Any] = dict.fromkeys(
    ("site_name", "site_level", "site_lon", "site_lat", "site_commune", "site_centroid_lon",
     "site_centroid_lat", "site_min_lon", "site_min_lat", "site_max_lon", "site_max_lat"),
)  # fmt: skip


def _site_columns(site: dict[str, Any]) -> dict[str, Any]:
    return {column: site[column] for column in _NO_SITE}


_COMMUNE_COLUMNS = ("centroid_lon", "centroid_lat", "min_lon", "min_lat", "max_lon", "max_lat")


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


def _site_errors(obs: ObservationIn, known: dict[UUID, dict[str, Any]]) -> list[FieldError]:
    """A named site must exist, be in use, and belong to the observation's programme."""
    if obs.site_id is None:
        return []
    if obs.site_id not in known:
        return [FieldError("/site_id", "unknown_site", f"no site {obs.site_id}")]
    programme, archived = known[obs.site_id]["programme"], known[obs.site_id]["archived"]
    if programme != obs.programme:
        detail = f"the site belongs to programme {programme}, not {obs.programme}"
        return [FieldError("/site_id", "other_programme", detail)]
    if archived:
        return [FieldError("/site_id", "archived", "the site is archived: no new records")]
    return []


def _heritage_item(obs: ObservationIn) -> object:
    return obs.data.get("item_id") if obs.kind == "heritage" else None


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
    the second is compared with the first. The public projection is written
    by the insert's own statement, which also checks that the sensitivity rules
    did not change since they were read (else all is judged again): no
    transaction is needed around it.
    """
    hashes = [content_hash(obs) for obs in batch]
    places = [territory.locate(o.location.lon, o.location.lat) for o in batch]
    first_of: dict[UUID, int] = {}
    for index, obs in enumerate(batch):
        first_of.setdefault(obs.id, index)
    created: dict[UUID, observations.Stored] | None = None
    while created is None:  # again when a rule changed between reading and writing
        found = await _references(conn, settings, batch, places, device_id, lock=False)
        stored = await observations.get_many_with_hash(conn, sorted(found.stored))
        fresh = [i for i, obs in enumerate(batch) if obs.id not in stored and first_of[obs.id] == i]
        kinds = await resolve(conn, [(batch[i].kind, batch[i].schema_version) for i in fresh])
        checked = _judge(
            settings, [batch[i] for i in fresh], [places[i] for i in fresh], found, kinds
        )
        outcome_of: dict[int, Validated | InvalidInputError] = dict(
            zip(fresh, checked, strict=True)
        )
        valid = [(v, hashes[i]) for i, v in outcome_of.items() if isinstance(v, Validated)]
        projected = _projected([v for v, _ in valid], found, kinds)
        created = await observations.insert_many(conn, valid, device_id, projected, found)
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
    """One submission from a phone (see `accept`): its write is one statement, so it needs
    no transaction of its own (no BEGIN, no COMMIT round trip)."""
    async with pool.acquire() as conn:
        return await accept(conn, territory, settings, obs, device_id)


async def submit_many(
    pool: asyncpg.Pool,
    territory: Territory,
    settings: Settings,
    batch: list[ObservationIn],
    device_id: UUID,
) -> list[Accepted | InvalidInputError]:
    """A phone's batch, written by one statement: each item judged alone (see `accept_many`)."""
    async with pool.acquire() as conn:
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
