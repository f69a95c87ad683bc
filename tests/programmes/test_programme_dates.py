"""Programme dates are enforced by when the observation was made, in its own local date."""

from __future__ import annotations

from datetime import date

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import new_device, observation_payload
from tests.world import add_programme

Client = AsyncTestClient[Litestar]


async def summer_programme(db: asyncpg.Connection) -> None:
    """A programme that runs from the 1st of June to the 31st of August 2025."""
    await add_programme(db, "ete-2025")
    await db.execute(
        "UPDATE programme SET starts_on = $1, ends_on = $2 WHERE slug = 'ete-2025'",
        date(2025, 6, 1),
        date(2025, 8, 31),
    )


async def test_single_submissions_are_judged_by_their_local_observation_date(
    client: Client, db: asyncpg.Connection
) -> None:
    await summer_programme(db)
    _, headers = await new_device(client)
    cases = {
        # 23:30 on the last evening in the Alps is still the 31st there (UTC: 1 September).
        "2025-08-31T23:30:00+02:00": 201,
        "2025-06-01T00:10:00+02:00": 201,  # the first morning; UTC: still 31 May
        "2025-09-01T00:10:00+02:00": 422,  # the day after; UTC: still 31 August
        "2025-05-31T23:50:00+02:00": 422,
        "2024-07-14T10:00:00+02:00": 422,
    }
    for observed_at, status in cases.items():
        payload = observation_payload(programme="ete-2025", observed_at=observed_at)
        answer = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert answer.status_code == status, (observed_at, answer.text)
        if status == 422:
            [error] = answer.json()["errors"]
            assert (error["pointer"], error["code"]) == ("/observed_at", "outside_programme_dates")
            assert "2025-" in error["detail"]
    assert await db.fetchval("SELECT count(*) FROM observation") == 2


async def test_a_batch_refuses_only_the_items_made_outside_the_dates(
    client: Client, db: asyncpg.Connection
) -> None:
    await summer_programme(db)
    _, headers = await new_device(client)
    items = [
        observation_payload(programme="ete-2025", observed_at="2025-07-14T09:00:00+02:00"),
        observation_payload(programme="ete-2025", observed_at="2025-10-02T09:00:00+02:00"),
        observation_payload(observed_at="2025-10-02T09:00:00+02:00"),  # default: no dates
    ]
    answer = await client.post(
        "/api/v1/observations/batch", json={"observations": items}, headers=headers
    )
    results = answer.json()["results"]
    assert [r["outcome"] for r in results] == ["created", "invalid", "created"]
    assert results[1]["problem"]["errors"] == [
        {
            "pointer": "/observations/1/observed_at",
            "code": "outside_programme_dates",
            "detail": "the programme ended on 2025-08-31; this was on 2025-10-02",
        }
    ]
    assert await db.fetchval("SELECT count(*) FROM observation") == 2
