"""The observation event log refuses updates (append-only)."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import observation_payload, signed


async def test_events_cannot_be_rewritten(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    payload = observation_payload()
    assert (
        await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    ).status_code == 201
    await db.execute(
        """INSERT INTO observation_event (observation_id, actor_kind, action, version, comment)
           VALUES ($1, 'system', 'note', 1, 'first')""",
        payload["id"],
    )
    with pytest.raises(asyncpg.exceptions.RestrictViolationError):
        await db.execute("UPDATE observation_event SET comment = 'rewritten'")
    assert await db.fetchval("SELECT comment FROM observation_event") == "first"
