"""Photo rows: which observation holds which picture, and what the camera said."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.contributors.store import same_contributor
from cairn.core.db import Connection, Executor
from cairn.photos.model import ExifFacts, PhotoFacts
from cairn.records.photos import photo_path
from cairn.staff.scope import RecordScope, in_scope


class StoredPhoto(msgspec.Struct, frozen=True):
    """A photo row as the intake needs it to answer a retry."""

    id: UUID
    observation_id: UUID
    upload_sha256: bytes
    facts: PhotoFacts


_COLUMNS = "id, observation_id, sha256, upload_sha256, width, height, source_format, exif"


def _stored(row: asyncpg.Record) -> StoredPhoto:
    return StoredPhoto(
        id=row["id"],
        observation_id=row["observation_id"],
        upload_sha256=bytes(row["upload_sha256"]),
        facts=PhotoFacts(
            sha256=row["sha256"],
            width=row["width"],
            height=row["height"],
            source_format=row["source_format"],
            exif=None if row["exif"] is None else msgspec.convert(row["exif"], ExifFacts),
        ),
    )


async def get(conn: Executor, photo_id: UUID) -> StoredPhoto | None:
    """The row of a photo id, whichever observation holds it."""
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM photo WHERE id = $1", photo_id)
    return None if row is None else _stored(row)


async def by_upload(conn: Executor, upload_sha256: bytes) -> StoredPhoto | None:
    """Any photo made from exactly these uploaded bytes (its files are already stored)."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM photo WHERE upload_sha256 = $1 LIMIT 1", upload_sha256
    )
    return None if row is None else _stored(row)


async def insert(
    conn: Connection,
    photo_id: UUID,
    observation_id: UUID,
    upload_sha256: bytes,
    facts: PhotoFacts,
) -> StoredPhoto | None:
    """Insert the row; None when a concurrent upload of the same photo id won the race."""
    row = await conn.fetchrow(
        f"""INSERT INTO photo (id, observation_id, sha256, upload_sha256, width, height,
                               source_format, exif)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (id) DO NOTHING
            RETURNING {_COLUMNS}""",
        photo_id,
        observation_id,
        facts.sha256,
        upload_sha256,
        facts.width,
        facts.height,
        facts.source_format,
        None if facts.exif is None else msgspec.to_builtins(facts.exif),
    )
    return None if row is None else _stored(row)


async def delete(conn: Connection, photo_id: UUID, observation_id: UUID) -> str | None:
    """Delete one photo row; its content hash, or None if there was no such photo."""
    sha: str | None = await conn.fetchval(
        "DELETE FROM photo WHERE id = $1 AND observation_id = $2 RETURNING sha256",
        photo_id,
        observation_id,
    )
    return sha


async def unused(conn: Connection, hashes: list[str]) -> list[str]:
    """Those of `hashes` that no photo row uses any more (their files can go)."""
    rows = await conn.fetch(
        """SELECT h FROM unnest($1::text[]) AS h
            WHERE NOT EXISTS (SELECT 1 FROM photo WHERE sha256 = h)""",
        hashes,
    )
    return [row["h"] for row in rows]


async def delete_of_device(conn: Connection, device_id: UUID) -> list[str]:
    """Delete every photo of a device's observations; the content hashes they had."""
    rows = await conn.fetch(
        f"""DELETE FROM photo p USING observation o
            WHERE o.id = p.observation_id AND {same_contributor("o.device_id", "$1")}
        RETURNING p.sha256""",
        device_id,
    )
    return sorted({row["sha256"] for row in rows})


async def of_device(conn: Executor, device_id: UUID) -> list[asyncpg.Record]:
    """Every photo of a device's observations (for the contributor's export)."""
    return list(
        await conn.fetch(
            f"""SELECT p.id, p.observation_id, p.sha256, p.width, p.height, p.exif, p.created_at
                 FROM photo p JOIN observation o ON o.id = p.observation_id
                WHERE {same_contributor("o.device_id", "$1")} ORDER BY p.created_at, p.id""",
            device_id,
        )
    )


async def add_flags(conn: Connection, observation_id: UUID, flags: list[Any]) -> None:
    """Append flags to the observation unless an equal flag is already there."""
    if not flags:
        return
    await conn.execute(
        """UPDATE observation SET flags = flags || (
               SELECT coalesce(jsonb_agg(f), '[]'::jsonb)
                 FROM jsonb_array_elements($2::jsonb) AS f
                WHERE NOT flags @> jsonb_build_array(f))
            WHERE id = $1""",
        observation_id,
        msgspec.to_builtins(flags),
    )


class PhotoAudience(msgspec.Struct, frozen=True):
    """Who may see a stored picture, through the records that use it."""

    public: bool
    """A record using it is in the open data with a public status, the photo with it."""
    owned: bool
    """A record using it belongs to the asking device's contributor."""
    staffed: bool
    """A record using it is in the asking staff member's scope (programmes, taxon groups)."""


async def audience(
    conn: Executor,
    sha256: str,
    statuses: tuple[str, ...],
    device_id: UUID | None,
    scope: RecordScope,
) -> PhotoAudience:
    """What the records using the picture `sha256` allow (see `disclosure.photo_cache_control`)."""
    row = await conn.fetchrow(
        f"""SELECT
              EXISTS (SELECT 1 FROM photo p JOIN public_observation po ON po.id = p.observation_id
                       WHERE p.sha256 = $1 AND po.status = ANY($2) AND po.photos ? $6) AS public,
              $3::uuid IS NOT NULL AND EXISTS (
                  SELECT 1 FROM photo p JOIN observation o ON o.id = p.observation_id
                   WHERE p.sha256 = $1 AND {same_contributor("o.device_id", "$3")}) AS owned,
              EXISTS (SELECT 1 FROM photo p JOIN observation o ON o.id = p.observation_id
                       WHERE p.sha256 = $1 AND {in_scope("o", "$4", "$5")}) AS staffed""",
        sha256,
        list(statuses),
        device_id,
        scope.programmes,
        scope.groups,
        photo_path(sha256, "large"),
    )
    assert row is not None  # noqa: S101 (a SELECT without FROM returns one row)
    return PhotoAudience(public=row["public"], owned=row["owned"], staffed=row["staffed"])
