"""Intake projects a record in its insert's statement, from the references it read: the
public rows it writes are exactly those the projection computes from the stored records."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.opendata.store import project
from tests.factories import new_device, observation_payload

Client = AsyncTestClient[Litestar]
VULTURE, IBEX, GENTIAN = 2852, 61098, 99854
BRIANCON = {"lon": 6.6433, "lat": 44.8986, "accuracy_m": 8, "altitude_m": 1400}
GUILLESTRE = {"lon": 6.6486, "lat": 44.6597, "accuracy_m": 250}


async def public_rows(db: asyncpg.Connection) -> list[dict[str, Any]]:
    rows = await db.fetch("SELECT * FROM public_observation ORDER BY id")
    return [{**dict(row), "position": str(row["position"])} for row in rows]


async def test_the_rows_intake_projects_are_those_the_projection_recomputes(
    client: Client, db: asyncpg.Connection
) -> None:
    await db.execute(
        "INSERT INTO sensitivity_rule (cd_ref, level, period_start, period_end) "
        "VALUES ($1, 1, '05-01', '08-31')",
        GENTIAN,
    )
    _, aline = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Aline"}, headers=aline)
    _, hidden = await new_device(client)
    await client.put("/api/v1/me", json={"geoprivacy": "obscured"}, headers=hidden)
    batch = [
        observation_payload(location=BRIANCON, data={"cd_nom": GENTIAN, "count": 1}),
        observation_payload(
            observed_at="2026-10-02T23:30:00+02:00",
            location=BRIANCON,
            data={"cd_nom": GENTIAN, "count": 2},
        ),
        observation_payload(location=GUILLESTRE, data={"cd_nom": VULTURE, "count": 1}),
        observation_payload(location=BRIANCON, comment=None, geoprivacy="obscured"),
    ]
    sent = await client.post(
        "/api/v1/observations/batch", json={"observations": batch}, headers=aline
    )
    assert sent.status_code == 200, sent.text
    for payload in (observation_payload(), observation_payload(data={"cd_nom": IBEX})):
        response = await client.post("/api/v1/observations", json=payload, headers=hidden)
        assert response.status_code == 201, response.text

    at_intake = await public_rows(db)
    assert len(at_intake) == 6
    assert {row["sensitivity_level"] for row in at_intake} >= {0, 1, 2}
    assert {row["observer"] for row in at_intake} >= {"Aline", None}
    async with db.transaction():
        await project(db, [uuid.UUID(str(row["id"])) for row in at_intake])
    assert await public_rows(db) == at_intake
