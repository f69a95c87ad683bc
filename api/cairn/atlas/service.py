"""What a contributor writes about their impact: a shareable link, made on demand, revocable."""

from __future__ import annotations

import secrets
from uuid import UUID

import asyncpg

from cairn.atlas import store as atlas
from cairn.core.db import transaction

SHARE_ID_BYTES = 16
"""128 random bits (22 URL-safe characters): a link nobody can guess from another."""


async def share_impact(pool: asyncpg.Pool, device_id: UUID) -> str:
    """The id of the device's impact link: the one it has, or a new random one."""
    async with transaction(pool) as conn:
        return await atlas.create_impact_share(
            conn, device_id, secrets.token_urlsafe(SHARE_ID_BYTES)
        )


async def stop_sharing_impact(pool: asyncpg.Pool, device_id: UUID) -> bool:
    """Revoke the device's impact link (every copy of it then answers 404); whether it had one."""
    async with transaction(pool) as conn:
        return await atlas.delete_impact_share(conn, device_id)
