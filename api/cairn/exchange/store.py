"""Datasets, the precise records a SINP export reads, and where imported records came from."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, Final
from uuid import UUID

import asyncpg
import msgspec

from cairn.core.db import Connection, Executor
from cairn.exchange.model import Dataset, DatasetPatch, Deletion, SinpSource
from cairn.records.disclosure import disclosed_level
from cairn.records.photos import photo_path
from cairn.records.vocabulary import TRACKED

_DATASET: Final = """
    programme, id, title, description, producer, contact_name, contact_email, sinp_jdd_uuid,
    sinp_ca_uuid, ds_publique, gbif_licence, version, updated_at
"""


class TakenError(ValueError):
    """Another dataset holds this SINP JDD UUID already."""


async def get_dataset(conn: Executor, programme: str, *, lock: bool = False) -> Dataset | None:
    """A programme's dataset, or None when there is no such programme."""
    row = await conn.fetchrow(
        f"SELECT {_DATASET} FROM dataset WHERE programme = $1{' FOR UPDATE' if lock else ''}",
        programme,
    )
    return None if row is None else Dataset(**dict(row))


async def update_dataset(conn: Connection, programme: str, patch: DatasetPatch) -> Dataset:
    """Apply the given fields of a checked patch (the caller locked and compared versions)."""
    changes = {
        name: value
        for name in patch.__struct_fields__
        if name != "expected_version" and (value := getattr(patch, name)) is not msgspec.UNSET
    }
    assignments = [f"{name} = ${i}" for i, name in enumerate(changes, start=2)]
    assignments += ["version = version + 1", "updated_at = now()"]
    try:
        row = await conn.fetchrow(
            f"""UPDATE dataset SET {", ".join(assignments)}
                 WHERE programme = $1 RETURNING {_DATASET}""",
            programme,
            *changes.values(),
        )
    except asyncpg.UniqueViolationError:
        raise TakenError(str(patch.sinp_jdd_uuid)) from None
    assert row is not None  # noqa: S101 (the caller holds the row lock)
    return Dataset(**dict(row))


_LOCAL = "({instant} AT TIME ZONE 'UTC' + o.observed_offset_s * interval '1 second')"

SINP_SOURCE: Final = f"""
SELECT o.id, o.programme, coalesce(d.sinp_jdd_uuid, d.id) AS dataset_id,
       {_LOCAL.format(instant="o.observed_at")} AS local_start,
       o.taxon_cd_nom AS cd_nom,
       coalesce(t.scientific_name, t.vernacular_fr, o.taxon_cd_nom::text) AS name,
       coalesce(dev.pseudonym, imp.observers) AS observer,
       o.lon, o.lat, o.accuracy_m, o.altitude_m, o.kind, o.schema_version, o.data, o.comment,
       o.status, coalesce(decision.name, imp.validator) AS validator,
       {_LOCAL.format(instant="o.validated_at")} AS validated_local,
       o.moderator_comment AS validation_comment, o.sensitivity_level, o.geoprivacy,
       ARRAY(SELECT p.sha256 FROM photo p WHERE p.observation_id = o.id
              ORDER BY p.created_at, p.id) AS photo_keys
  FROM observation o
  JOIN dataset d ON d.programme = o.programme
  LEFT JOIN taxon t ON t.cd_nom = o.taxon_cd_nom
  LEFT JOIN device dev ON dev.id = o.device_id
  LEFT JOIN observation_import imp ON imp.observation_id = o.id
  LEFT JOIN LATERAL (
        SELECT u.display_name AS name FROM observation_event e
          JOIN staff_user u ON u.id::text = e.actor_id
         WHERE e.observation_id = o.id AND e.actor_kind = 'staff'
           AND e.action IN ('review', 'reidentify')
         ORDER BY e.id DESC LIMIT 1) decision ON o.validation_method IS NOT NULL
 WHERE o.taxon_cd_nom IS NOT NULL AND o.status <> 'withdrawn'
"""
"""The precise facts of the SINP rows: every taxon record that is not withdrawn (heritage
records are not taxa), with its last staff decision's author as validator."""


def sinp_source(row: Any, base_url: str) -> SinpSource:
    """A `SINP_SOURCE` row as the model reads it (photo URLs absolute, the level the open data
    applies decided by the disclosure policy)."""
    return SinpSource(
        id=row["id"],
        dataset_id=row["dataset_id"],
        local_start=row["local_start"],
        cd_nom=row["cd_nom"],
        name=row["name"],
        observer=row["observer"],
        lon=row["lon"],
        lat=row["lat"],
        accuracy_m=row["accuracy_m"],
        altitude_m=row["altitude_m"],
        kind=row["kind"],
        schema_version=row["schema_version"],
        data=row["data"],
        comment=row["comment"],
        status=row["status"],
        validator=row["validator"],
        validated_local=row["validated_local"],
        validation_comment=row["validation_comment"],
        sensitivity_level=row["sensitivity_level"],
        disclosed_level=disclosed_level(row["sensitivity_level"], row["geoprivacy"]),
        photo_urls=[base_url + photo_path(key, "large") for key in row["photo_keys"]],
    )


def _since(updated_since: datetime | None) -> tuple[str, list[Any]]:
    if updated_since is None:
        return "", []
    return " AND o.updated_at > $2", [updated_since]


async def count_sinp(conn: Connection, programme: str, updated_since: datetime | None) -> int:
    """How many rows `stream_sinp` will give in this snapshot."""
    since, args = _since(updated_since)
    count: int = await conn.fetchval(
        f"SELECT count(*) FROM ({SINP_SOURCE} AND o.programme = $1{since}) rows", programme, *args
    )
    return count


async def stream_sinp(
    conn: Connection, programme: str, updated_since: datetime | None, prefetch: int = 2000
) -> AsyncIterator[Any]:
    """The SINP source rows of a programme in id order, through a server-side cursor (the
    caller holds the transaction)."""
    since, args = _since(updated_since)
    query = f"{SINP_SOURCE} AND o.programme = $1{since} ORDER BY o.id"
    async for row in conn.cursor(query, programme, *args, prefetch=prefetch):
        yield row


async def sinp_sources_of(conn: Connection, ids: Sequence[UUID]) -> dict[UUID, Any]:
    """The SINP source rows of these records, by id (those that are exported)."""
    rows = await conn.fetch(f"{SINP_SOURCE} AND o.id = ANY($1)", list(ids))
    return {row["id"]: row for row in rows}


async def deletions(
    conn: Connection, programme: str, updated_since: datetime | None
) -> list[Deletion]:
    """Records a receiver must delete since `updated_since` (all time when None): withdrawn
    by their contributor, or erased with their contributor's data."""
    rows = await conn.fetch(
        """SELECT id, updated_at AS at, 'withdrawn' AS reason FROM observation
            WHERE programme = $1 AND status = 'withdrawn' AND taxon_cd_nom IS NOT NULL
              AND ($2::timestamptz IS NULL OR updated_at > $2)
           UNION ALL
           SELECT observation_id, deleted_at, 'erased' FROM observation_deletion
            WHERE programme = $1 AND ($2::timestamptz IS NULL OR deleted_at > $2)
           ORDER BY 2, 1""",
        programme,
        updated_since,
    )
    return [Deletion(row["id"], row["at"], row["reason"]) for row in rows]


async def programmes_of(conn: Connection, ids: Sequence[UUID]) -> dict[UUID, str]:
    """The programme of each stored record among `ids`."""
    rows = await conn.fetch("SELECT id, programme FROM observation WHERE id = ANY($1)", list(ids))
    return {row["id"]: row["programme"] for row in rows}


class Provenance(msgspec.Struct, frozen=True, kw_only=True):
    """Where one imported record came from, and the source's facts Cairn has no column for."""

    observation_id: UUID
    source_format: str
    source_id: str
    observers: str | None
    validator: str | None


async def record_provenance(
    conn: Connection,
    rows: Sequence[Provenance],
    file_name: str,
    file_sha256: str,
    staff_id: UUID | None,
) -> None:
    """Keep (or update, for a correction) where each imported record came from."""
    await conn.executemany(
        """INSERT INTO observation_import (observation_id, source_format, source_id, file_name,
               file_sha256, observers, validator, imported_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (observation_id) DO UPDATE SET
               source_format = EXCLUDED.source_format, source_id = EXCLUDED.source_id,
               file_name = EXCLUDED.file_name, file_sha256 = EXCLUDED.file_sha256,
               observers = EXCLUDED.observers, validator = EXCLUDED.validator,
               imported_by = EXCLUDED.imported_by, imported_at = now()""",
        [
            (
                row.observation_id,
                row.source_format,
                row.source_id,
                file_name,
                file_sha256,
                row.observers,
                row.validator,
                staff_id,
            )
            for row in rows
        ],
    )


class Judgement(msgspec.Struct, frozen=True, kw_only=True):
    """The source's decision on one imported record, written over intake's `pending`."""

    observation_id: UUID
    status: str
    validated_at: datetime | None
    validation_comment: str | None
    sensitivity_level: int


async def apply_judgements(conn: Connection, rows: Sequence[Judgement]) -> dict[UUID, int]:
    """Set each record's status, validation and (never lower) sensitivity level as its source
    says; the new version of each (the caller re-projects them)."""
    changed = await conn.fetch(
        """UPDATE observation o SET status = u.status,
                  validation_method = CASE WHEN u.status = 'pending' THEN NULL ELSE 'manual' END,
                  validated_at = CASE WHEN u.status = 'pending' THEN NULL ELSE u.validated_at END,
                  moderator_comment = u.comment,
                  sensitivity_level = greatest(o.sensitivity_level, u.level),
                  version = o.version + 1, updated_at = greatest(now(), o.received_at)
             FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::smallint[])
                  AS u(id, status, validated_at, comment, level)
            WHERE o.id = u.id
        RETURNING o.id, o.version""",
        [row.observation_id for row in rows],
        [row.status for row in rows],
        [row.validated_at for row in rows],
        [row.validation_comment for row in rows],
        [row.sensitivity_level for row in rows],
    )
    return {row["id"]: row["version"] for row in changed}


async def default_licence(conn: Executor, programme: str) -> str | None:
    """The licence a programme's records get when they name none; None: no such programme."""
    licence: str | None = await conn.fetchval(
        "SELECT default_licence FROM programme WHERE slug = $1", programme
    )
    return licence


async def tracked(conn: Connection, ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """The moderation fields of these records, as their history records them (moderation's
    TRACKED fields)."""
    rows = await conn.fetch(
        f"SELECT id, {', '.join(TRACKED)} FROM observation WHERE id = ANY($1)", list(ids)
    )
    return {row["id"]: {name: row[name] for name in TRACKED} for row in rows}
