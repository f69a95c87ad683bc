"""The device aggregate: tokens by hash, pseudonyms."""

from __future__ import annotations

import uuid

import asyncpg

from cairn.contributors.model import DeviceMe, new_token, token_hash
from cairn.core.db import Connection


def same_contributor(column: str, device: str) -> str:
    """SQL: `column` is the device `device` or another device of the same contributor account."""
    return (
        f"{column} IN (SELECT {device}::uuid UNION SELECT d2.id FROM device d1"
        f" JOIN device d2 ON d2.contributor_id = d1.contributor_id WHERE d1.id = {device})"
    )


async def create(conn: Connection | asyncpg.Pool) -> tuple[uuid.UUID, str]:
    """A new device and its token (the only time the token exists in clear)."""
    device_id, token = uuid.uuid4(), new_token()
    await conn.execute(
        "INSERT INTO device (id, token_hash) VALUES ($1, $2)", device_id, token_hash(token)
    )
    return device_id, token


async def by_token(conn: Connection | asyncpg.Pool, token: str) -> uuid.UUID | None:
    """The device a token belongs to, or None; marks it as seen (to the minute).

    Writing the row at every request would serialise a phone's parallel
    requests on its lock and cost a WAL flush each; once a minute says as much.
    """
    result: uuid.UUID | None = await conn.fetchval(
        """WITH found AS (SELECT id, last_seen_at FROM device WHERE token_hash = $1),
                seen AS (UPDATE device d SET last_seen_at = now() FROM found
                          WHERE d.id = found.id
                            AND found.last_seen_at < now() - interval '1 minute')
           SELECT id FROM found""",
        token_hash(token),
    )
    return result


async def read(conn: Connection | asyncpg.Pool, device_id: uuid.UUID) -> DeviceMe:
    """The device's pseudonym, default geoprivacy and number of observations."""
    row = await conn.fetchrow(
        f"""SELECT d.pseudonym, d.default_geoprivacy,
                  (SELECT count(*) FROM observation o WHERE {same_contributor("o.device_id", "$1")})
                  AS n
           FROM device d WHERE d.id = $1""",
        device_id,
    )
    if row is None:
        return DeviceMe(device_id=str(device_id), pseudonym=None, observations=0)
    return DeviceMe(
        device_id=str(device_id),
        pseudonym=row["pseudonym"],
        observations=row["n"],
        geoprivacy=row["default_geoprivacy"],
    )


async def update(
    conn: Connection, device_id: uuid.UUID, pseudonym: str | None, geoprivacy: str | None
) -> list[uuid.UUID]:
    """Change the public name (of every device of the account) and, if given, this device's
    default geoprivacy; return the account's observations (their projection shows the name)."""
    await conn.execute(
        f"UPDATE device SET pseudonym = $2 WHERE {same_contributor('id', '$1')}",
        device_id,
        pseudonym,
    )
    if geoprivacy is not None:
        await conn.execute(
            "UPDATE device SET default_geoprivacy = $2 WHERE id = $1", device_id, geoprivacy
        )
    rows = await conn.fetch(
        f"SELECT id FROM observation WHERE {same_contributor('device_id', '$1')}", device_id
    )
    return [r["id"] for r in rows]


async def profile(conn: Connection | asyncpg.Pool, device_id: uuid.UUID) -> asyncpg.Record | None:
    """Everything the device row holds except the token's hash."""
    return await conn.fetchrow(
        """SELECT id, pseudonym, created_at, last_seen_at,
                  (SELECT s.id FROM impact_share s WHERE s.device_id = device.id) AS impact_share
             FROM device WHERE id = $1""",
        device_id,
    )


async def history(conn: Connection | asyncpg.Pool, device_id: uuid.UUID) -> list[asyncpg.Record]:
    """The events of a device's observations; staff members are named by role, not identity,
    and the record a duplicate was counted under is not named (it may be someone else's)."""
    return list(
        await conn.fetch(
            f"""SELECT e.observation_id, e.occurred_at, e.actor_kind, e.action, e.version,
                      e.before - 'duplicate_of' AS before, e.after - 'duplicate_of' AS after,
                      e.comment
                 FROM observation_event e JOIN observation o ON o.id = e.observation_id
                WHERE {same_contributor("o.device_id", "$1")} ORDER BY e.observation_id, e.id""",
            device_id,
        )
    )


async def _anonymise_history(
    conn: Connection, observation_ids: list[uuid.UUID], devices: list[uuid.UUID]
) -> None:
    """Strip the contributor from the events of kept observations: no device id, none of
    their free text (a withdrawal's reason, the comment in an edit's before and after).

    The log refuses every other update (see migration 0012)."""
    await conn.execute("SELECT set_config('cairn.erasing', 'on', true)")
    await conn.execute(
        """UPDATE observation_event SET
               actor_id = CASE WHEN actor_kind = 'device' THEN NULL ELSE actor_id END,
               comment = CASE WHEN actor_kind = 'device' THEN NULL ELSE comment END,
               before = before #- '{observation,comment}',
               after = after #- '{observation,comment}'
         WHERE observation_id = ANY($1)
           AND (actor_kind = 'device' OR before ? 'observation' OR after ? 'observation'
                OR actor_id = ANY($2::text[]))""",
        observation_ids,
        [str(device) for device in devices],
    )


async def erase(
    conn: Connection, device_id: uuid.UUID, *, keep_observations: bool
) -> list[uuid.UUID]:
    """Forget a person: their devices, their account, and their observations or the link to them.

    Kept observations lose their owner and their free-text comment (which may
    name people), in their history too; the ids of those kept are returned to
    be re-projected.
    """
    devices = [
        row["id"]
        for row in await conn.fetch(
            f"SELECT id FROM device WHERE {same_contributor('id', '$1')}", device_id
        )
    ]
    if keep_observations:
        rows = await conn.fetch(
            """UPDATE observation SET device_id = NULL, comment = NULL,
                      updated_at = greatest(now(), received_at)
                WHERE device_id = ANY($1) RETURNING id""",
            devices,
        )
        kept = [row["id"] for row in rows]
        await _anonymise_history(conn, kept, devices)
    else:
        # Events, photos and public rows go with them (ON DELETE CASCADE).
        await conn.execute("DELETE FROM observation WHERE device_id = ANY($1)", devices)
        kept = []
    await conn.execute(
        """DELETE FROM contributor WHERE id IN (
               SELECT contributor_id FROM device WHERE id = ANY($1))""",
        devices,
    )
    await conn.execute("DELETE FROM device WHERE id = ANY($1)", devices)
    return kept
