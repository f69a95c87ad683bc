"""Intake in two statements: one read of all a batch refers to, one insert that projects
the records and checks the sensitivity rules it levelled them with are still in force."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import msgspec
from asyncpg import connect
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.core.db import init_connection
from cairn.observations import store as observations
from cairn.observations.model import ObservationIn, content_hash
from cairn.observations.service import Accepted, accept_many
from cairn.observations.validation import Validated
from cairn.records.projection import project
from cairn.reference.places_store import load_territory
from cairn.settings import Settings
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


async def test_a_rule_committed_between_reading_and_writing_makes_intake_judge_again(
    dsn: str, settings: Settings, db: asyncpg.Connection
) -> None:
    """Intake reads the rules without their lock; its insert checks, under the lock, that
    they are still the ones it read: a rule committed in between writes nothing, and the
    next attempt levels the record under the new rule."""
    intake = await connect(dsn)
    try:
        await init_connection(intake)
        observation = msgspec.convert(
            observation_payload(data={"cd_nom": GENTIAN, "count": 1}), ObservationIn
        )
        found = await observations.references(
            intake, ids=[observation.id], cd_noms=[GENTIAN], places=[], items=[],
            programmes=["default"], statuses=settings.public_statuses, device_id=None,
            lock=False,
        )  # fmt: skip
        assert found.rules.get(GENTIAN) is None
        await db.execute(
            "INSERT INTO sensitivity_rule (cd_ref, level) VALUES ($1, 3)", GENTIAN
        )  # committed between the read and the write
        stale = Validated(observation, GENTIAN, GENTIAN, "05023", [])
        written = await observations.insert_many(
            intake, [(stale, content_hash(observation))], None, [], found
        )
        assert written is None
        assert await db.fetchval("SELECT count(*) FROM observation") == 0

        territory = await load_territory(intake)
        [accepted] = await accept_many(intake, territory, settings, [observation], None)
        assert isinstance(accepted, Accepted) and accepted.outcome == "created"
        levels = await db.fetchrow(
            """SELECT o.sensitivity_level AS stored, p.sensitivity_level AS public
                 FROM observation o JOIN public_observation p USING (id) WHERE o.id = $1""",
            observation.id,
        )
        assert dict(levels) == {"stored": 3, "public": 3}
    finally:
        await intake.close()
