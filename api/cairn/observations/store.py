"""The observation aggregate: idempotent insert and reads."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.contributors.store import same_contributor
from cairn.core.db import Connection
from cairn.core.errors import FieldError, InvalidInputError, NotFoundError
from cairn.observations.disclosure import Caller, flags_for, local_time
from cairn.observations.model import Flag, Location, ObservationOut
from cairn.observations.validation import Validated
from cairn.photos.store import photos_of, to_photo

_COLUMNS = f"""
    id, kind, schema_version, programme, observed_at, observed_offset_s, lon, lat,
    accuracy_m, altitude_m, data, licence, comment, status, flags, version,
    received_at, updated_at, content_hash, taxon_cd_ref, commune_insee, geoprivacy, site_id,
    {photos_of("observation")} AS photos
"""

_INSERT_MANY = f"""
INSERT INTO observation (
    id, kind, schema_version, programme, observed_at, observed_offset_s, lon, lat,
    accuracy_m, altitude_m, data, licence, comment, content_hash, flags,
    taxon_cd_nom, taxon_cd_ref, commune_insee, sensitivity_level, geoprivacy, site_id, device_id
)
SELECT u.id, u.kind, u.schema_version, u.programme, u.observed_at, u.observed_offset_s,
       u.lon, u.lat, u.accuracy_m, u.altitude_m, u.data::jsonb, u.licence, u.comment,
       u.content_hash, u.flags::jsonb, u.taxon_cd_nom, u.taxon_cd_ref, u.commune_insee,
       u.sensitivity_level,
       coalesce(u.geoprivacy, (SELECT default_geoprivacy FROM device WHERE id = $22), 'open'),
       u.site_id, $22::uuid
  FROM unnest(
    $1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::int[],
    $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::text[], $12::text[],
    $13::text[], $14::bytea[], $15::text[], $16::int[], $17::int[], $18::text[],
    $19::smallint[], $20::text[], $21::uuid[])
    AS u(id, kind, schema_version, programme, observed_at, observed_offset_s, lon, lat,
         accuracy_m, altitude_m, data, licence, comment, content_hash, flags, taxon_cd_nom,
         taxon_cd_ref, commune_insee, sensitivity_level, geoprivacy, site_id)
ON CONFLICT (id) DO NOTHING
RETURNING {_COLUMNS}
"""


class Stored(msgspec.Struct, frozen=True):
    """What an insert attempt found: the row, and whether this call created it."""

    observation: ObservationOut
    content_hash: bytes
    created: bool


async def insert_many(
    conn: Connection, rows: list[tuple[Validated, bytes]], device_id: UUID | None
) -> dict[UUID, Stored]:
    """Insert every row whose id is not stored yet, in one statement; return those inserted.

    `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same id to
    commit, so N parallel identical requests end with one row; the ids left
    out are the caller's to read back and compare.
    """
    if not rows:
        return {}
    # jsonb travels as text here: asyncpg would read a JSON list as a nested SQL array.
    values = [(v.observation.id, *_content(v, sha)) for v, sha in rows]
    as_text = [
        (*row[:10], _json(row[10]), *row[11:14], _json(row[14]), *row[15:]) for row in values
    ]
    columns = list(zip(*as_text, strict=True))
    inserted = await conn.fetch(_INSERT_MANY, *columns, device_id)
    return {
        row["id"]: Stored(to_out(row, "owner"), bytes(row["content_hash"]), created=True)
        for row in inserted
    }


async def get_many_with_hash(conn: Connection, observation_ids: list[UUID]) -> dict[UUID, Stored]:
    """The stored rows of these ids, with their content hashes (to answer resubmissions)."""
    if not observation_ids:
        return {}
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM observation WHERE id = ANY($1)", list(set(observation_ids))
    )
    return {
        row["id"]: Stored(to_out(row, "owner"), bytes(row["content_hash"]), created=False)
        for row in rows
    }


def _content(validated: Validated, sha: bytes) -> tuple[Any, ...]:
    """The columns a submission sets, in the order of `_INSERT_MANY` and `_REPLACE` ($2 to $21)."""
    obs = validated.observation
    offset = obs.observed_at.utcoffset() or timedelta(0)
    return (
        obs.kind, obs.schema_version, obs.programme, obs.observed_at,
        int(offset.total_seconds()), obs.location.lon, obs.location.lat,
        obs.location.accuracy_m, obs.location.altitude_m, obs.data, obs.licence, obs.comment,
        sha, msgspec.to_builtins(validated.flags), validated.taxon_cd_nom,
        validated.taxon_cd_ref, validated.commune_insee, validated.sensitivity_level,
        obs.geoprivacy, obs.site_id,
    )  # fmt: skip


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _unknown_programme(programme: str | None) -> InvalidInputError:
    missing = FieldError("/programme", "not_allowed", f"no programme {programme}")
    return InvalidInputError([missing], "Invalid observation")


_REPLACE = f"""
UPDATE observation SET
    kind = $2, schema_version = $3, programme = $4, observed_at = $5, observed_offset_s = $6,
    lon = $7, lat = $8, accuracy_m = $9, altitude_m = $10, data = $11, licence = $12,
    comment = $13, content_hash = $14, flags = $15, taxon_cd_nom = $16, taxon_cd_ref = $17,
    commune_insee = $18, sensitivity_level = $19,
    geoprivacy = coalesce(
        $20, (SELECT default_geoprivacy FROM device WHERE id = observation.device_id), 'open'),
    site_id = $21, version = version + 1, updated_at = greatest(now(), received_at)
WHERE id = $1
RETURNING {_COLUMNS}
"""


async def lock_own(
    conn: Connection, observation_id: UUID, device_id: UUID
) -> asyncpg.Record | None:
    """A device's observation, locked until the transaction ends; None if not theirs."""
    return await conn.fetchrow(
        f"""SELECT {_COLUMNS}, validation_method, moderator_comment, taxon_cd_nom
              FROM observation WHERE id = $1 AND {same_contributor("device_id", "$2")}
               FOR UPDATE""",
        observation_id,
        device_id,
    )


async def replace(conn: Connection, validated: Validated, sha: bytes) -> ObservationOut:
    """Overwrite a (locked) observation's content with a validated correction; next version."""
    obs = validated.observation
    try:
        row = await conn.fetchrow(_REPLACE, obs.id, *_content(validated, sha))
    except asyncpg.ForeignKeyViolationError:
        raise _unknown_programme(obs.programme) from None
    if row is None:  # the caller holds the lock, so only a deleted row gets here
        raise NotFoundError(f"no observation {obs.id}")
    return to_out(row, "owner")


async def withdraw(conn: Connection, observation_id: UUID) -> ObservationOut:
    """Mark a (locked) observation withdrawn; next version."""
    row = await conn.fetchrow(
        f"""UPDATE observation SET status = 'withdrawn', version = version + 1,
                   updated_at = greatest(now(), received_at)
             WHERE id = $1 RETURNING {_COLUMNS}""",
        observation_id,
    )
    if row is None:
        raise NotFoundError(f"no observation {observation_id}")
    return to_out(row, "owner")


def to_out(row: asyncpg.Record, caller: Caller) -> ObservationOut:
    """The precise record as its owner or its staff see it (the flags as the policy allows)."""
    return ObservationOut(
        id=row["id"],
        kind=row["kind"],
        schema_version=row["schema_version"],
        programme=row["programme"],
        observed_at=local_time(row["observed_at"], row["observed_offset_s"]),
        location=Location(
            lon=row["lon"],
            lat=row["lat"],
            accuracy_m=row["accuracy_m"],
            altitude_m=row["altitude_m"],
        ),
        data=row["data"],
        licence=row["licence"],
        comment=row["comment"],
        status=row["status"],
        flags=flags_for(caller, msgspec.convert(row["flags"], list[Flag])),
        version=row["version"],
        received_at=row["received_at"].astimezone(UTC),
        updated_at=row["updated_at"].astimezone(UTC),
        photos=[to_photo(entry) for entry in row["photos"]],
        taxon_cd_ref=row["taxon_cd_ref"],
        commune=row["commune_insee"],
        geoprivacy=row["geoprivacy"],
        site_id=row["site_id"],
    )


async def by_device(
    conn: Connection | asyncpg.Pool, device_id: UUID, limit: int | None, before: UUID | None
) -> list[asyncpg.Record]:
    """A device's observations, newest first, after the `before` cursor (`limit` None: all)."""
    return list(
        await conn.fetch(
            f"""SELECT {_COLUMNS}, moderator_comment FROM observation
                WHERE {same_contributor("device_id", "$1")}
                  AND ($2::uuid IS NULL OR (received_at, id) < (
                        SELECT received_at, id FROM observation
                         WHERE id = $2 AND {same_contributor("device_id", "$1")}))
                ORDER BY received_at DESC, id DESC LIMIT $3""",
            device_id,
            before,
            limit,
        )
    )


async def own_record(
    conn: Connection | asyncpg.Pool, observation_id: UUID, device_id: UUID
) -> asyncpg.Record | None:
    """One observation of this device (or of its account), in any status; None if not theirs."""
    return await conn.fetchrow(
        f"""SELECT {_COLUMNS}, moderator_comment FROM observation
             WHERE id = $1 AND {same_contributor("device_id", "$2")}""",
        observation_id,
        device_id,
    )


async def owned_by(conn: Connection | asyncpg.Pool, observation_id: UUID, device_id: UUID) -> bool:
    """True when the observation was sent by this device."""
    return bool(
        await conn.fetchval(
            f"""SELECT EXISTS (SELECT 1 FROM observation
                WHERE id = $1 AND {same_contributor("device_id", "$2")})""",
            observation_id,
            device_id,
        )
    )


async def owned(
    conn: Connection | asyncpg.Pool, observation_id: UUID, device_id: UUID
) -> asyncpg.Record | None:
    """Where, when and in which state a device's observation is; None if not theirs."""
    return await conn.fetchrow(
        f"""SELECT lon, lat, accuracy_m, observed_at, observed_offset_s, status, version
             FROM observation WHERE id = $1 AND {same_contributor("device_id", "$2")}""",
        observation_id,
        device_id,
    )
