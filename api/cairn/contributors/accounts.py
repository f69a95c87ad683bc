"""Contributor accounts: created from a device, signed into from others."""

from __future__ import annotations

import uuid

from cairn.core.db import Connection, Executor


async def create(conn: Connection, device_id: uuid.UUID, email: str, password_hash: str) -> None:
    """A new account for `email`, with the device that made it.

    When the email already has an account nothing changes and nothing says so
    (the caller answers alike): only its password, through sign-in, attaches a device.
    """
    contributor_id = uuid.uuid4()
    created = await conn.fetchval(
        """INSERT INTO contributor (id, email, password_hash) VALUES ($1, $2, $3)
           ON CONFLICT (email) DO NOTHING RETURNING true""",
        contributor_id,
        email,
        password_hash,
    )
    if created:
        await link(conn, device_id, contributor_id)


async def credentials(conn: Executor, email: str) -> tuple[uuid.UUID, str] | None:
    """(account id, password hash) of an email, or None."""
    row = await conn.fetchrow("SELECT id, password_hash FROM contributor WHERE email = $1", email)
    return None if row is None else (row["id"], row["password_hash"])


async def link(conn: Executor, device_id: uuid.UUID, contributor_id: uuid.UUID) -> None:
    """Attach the device to the account (a device belongs to one account at most)."""
    await conn.execute(
        "UPDATE device SET contributor_id = $2 WHERE id = $1", device_id, contributor_id
    )


async def email_of(conn: Executor, device_id: uuid.UUID) -> str | None:
    """The account email of a device, if it has one."""
    email: str | None = await conn.fetchval(
        """SELECT c.email FROM device d JOIN contributor c ON c.id = d.contributor_id
            WHERE d.id = $1""",
        device_id,
    )
    return email
