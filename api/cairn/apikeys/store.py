"""Researchers' API keys: stored hashed, usage counted."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import asyncpg

from cairn.core.db import Connection

KEY_PREFIX = "cak_"


def key_hash(key: str) -> bytes:
    """Keys are 256 random bits: a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(key.encode()).digest()


async def create(conn: Connection | asyncpg.Pool, owner: str, email: str | None) -> str:
    """A new key, returned once in clear."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO api_key (id, key_hash, owner, contact_email) VALUES ($1, $2, $3, $4)",
        uuid.uuid4(),
        key_hash(key),
        owner,
        email,
    )
    return key


async def use(conn: Connection | asyncpg.Pool, key: str) -> uuid.UUID | None:
    """Count one request for a valid, unrevoked key; None for anything else."""
    found: uuid.UUID | None = await conn.fetchval(
        """UPDATE api_key SET requests = requests + 1, last_used_at = now()
           WHERE key_hash = $1 AND revoked_at IS NULL RETURNING id""",
        key_hash(key),
    )
    return found
