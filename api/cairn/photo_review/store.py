"""Mark a photo as showing no place (or not), with the record's event, in one statement."""

from __future__ import annotations

from uuid import UUID

from cairn.core.db import Connection

_MARK = """
WITH marked AS (
    UPDATE photo SET shows_no_place = $3
     WHERE observation_id = $1 AND id = $2 AND shows_no_place <> $3
 RETURNING id
), bumped AS (
    UPDATE observation SET version = version + 1, updated_at = greatest(now(), received_at)
     WHERE id = $1 AND EXISTS (SELECT 1 FROM marked)
 RETURNING id, version
)
INSERT INTO observation_event (observation_id, actor_kind, actor_id, action, version, before, after)
SELECT id, 'staff', $4, 'photo_place', version,
       jsonb_build_object('photo_id', $2::uuid, 'shows_no_place', NOT $3),
       jsonb_build_object('photo_id', $2::uuid, 'shows_no_place', $3)
  FROM bumped
RETURNING version
"""


async def has_photo(conn: Connection, observation_id: UUID, photo_id: UUID) -> bool:
    """Whether the record has this photo."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM photo WHERE observation_id = $1 AND id = $2)",
            observation_id,
            photo_id,
        )
    )


async def mark(
    conn: Connection, observation_id: UUID, photo_id: UUID, shows_no_place: bool, actor: UUID
) -> bool:
    """Set the mark; False when it already had that value (no event then)."""
    version = await conn.fetchval(_MARK, observation_id, photo_id, shows_no_place, str(actor))
    return version is not None
