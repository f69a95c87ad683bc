"""What a contributor changes about themselves: their pseudonym, geoprivacy and account.

A change of name or geoprivacy re-projects the open data of their observations in the same
transaction (a pseudonym shows on every public record at once).
"""

from __future__ import annotations

import asyncio
from uuid import UUID

import asyncpg

from cairn.contributors import accounts as contributors
from cairn.contributors import store as devices
from cairn.contributors.model import DeviceMe, MeIn
from cairn.core.db import transaction
from cairn.records import projection as public
from cairn.staff.model import hash_password


async def create_account(pool: asyncpg.Pool, device_id: UUID, email: str, password: str) -> str:
    """An account for this device's observations; the same answer whether the email has one.

    The password is stored as an argon2id hash (hashed off the event loop), the
    email in lower case; an existing account is only ever joined by signing in.
    """
    address = email.strip().lower()
    password_hash = await asyncio.to_thread(hash_password, password)
    async with transaction(pool) as conn:
        await contributors.create(conn, device_id, address, password_hash)
    return address


async def update_me(pool: asyncpg.Pool, device_id: UUID, change: MeIn) -> DeviceMe:
    """Rename (or unname) the contributor and set the device's default geoprivacy.

    Every observation of the account is re-projected in the same transaction,
    so the open data shows the new name at once, on the records the policy
    lets carry one.
    """
    async with transaction(pool) as conn:
        ids = await devices.update(conn, device_id, change.pseudonym, change.geoprivacy)
        await public.project(conn, ids)
    return await devices.read(pool, device_id)
