"""The owner corrects a pending observation or withdraws it; both are recorded, never lost."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.moderation.model import Event, replay
from cairn.records.projection import project
from tests.factories import new_device, observation_payload, signed
from tests.world import add_programme

Client = AsyncTestClient[Litestar]


async def submitted(client: Client, **overrides: Any) -> tuple[dict[str, Any], dict[str, str]]:
    _, headers = await new_device(client)
    payload = observation_payload(**overrides)
    answer = await client.post("/api/v1/observations", json=payload, headers=headers)
    assert answer.status_code == 201, answer.text
    return payload, headers


def corrected(payload: dict[str, Any], version: int, **changes: Any) -> dict[str, Any]:
    return {**payload, **changes, "expected_version": version}


async def test_a_correction_is_validated_versioned_and_recorded(
    client: Client, db: asyncpg.Connection
) -> None:
    payload, headers = await submitted(client)
    url = f"/api/v1/observations/{payload['id']}"
    fix = corrected(payload, 1, data={"cd_nom": 61098, "count": 5}, comment="five, not three")
    answer = await client.put(url, json=fix, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["version"], body["data"]["count"], body["comment"]) == (2, 5, "five, not three")
    again = await client.put(url, json=fix, headers=headers)  # the answer was lost: resend
    assert again.status_code == 200 and again.json()["version"] == 2
    stale = await client.put(url, json=corrected(payload, 1, comment="older"), headers=headers)
    assert stale.status_code == 409
    assert stale.json()["extra"]["current"]["version"] == 2
    events = await db.fetch(
        "SELECT actor_kind, action, version, before, after FROM observation_event "
        "WHERE observation_id = $1",
        uuid.UUID(payload["id"]),
    )
    assert [(e["actor_kind"], e["action"], e["version"]) for e in events] == [("device", "edit", 2)]
    assert events[0]["before"]["observation"]["data"]["count"] == 3
    assert events[0]["after"]["observation"]["data"]["count"] == 5


async def test_a_correction_that_breaks_a_rule_changes_nothing(
    client: Client, db: asyncpg.Connection
) -> None:
    payload, headers = await submitted(client)
    url = f"/api/v1/observations/{payload['id']}"
    bad = corrected(payload, 1, location={"lon": 2.35, "lat": 48.85})  # Paris: outside
    answer = await client.put(url, json=bad, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert any(e["pointer"].startswith("/location") for e in answer.json()["errors"])
    other_id = corrected(payload, 1, id=str(uuid.uuid4()))
    assert (await client.put(url, json=other_id, headers=headers)).json()["errors"][0][
        "pointer"
    ] == "/id"
    row = await db.fetchrow(
        "SELECT version, lon FROM observation WHERE id = $1", uuid.UUID(payload["id"])
    )
    assert (row["version"], row["lon"]) == (1, payload["location"]["lon"])
    assert await db.fetchval("SELECT count(*) FROM observation_event") == 0


async def test_only_the_owner_and_only_before_a_decision(
    client: Client, db: asyncpg.Connection
) -> None:
    payload, headers = await submitted(client)
    url = f"/api/v1/observations/{payload['id']}"
    _, stranger = await new_device(client)
    fix = corrected(payload, 1, comment="mine now")
    assert (await client.put(url, json=fix, headers=stranger)).status_code == 404
    assert (await client.put(url, json=fix)).status_code == 401
    await db.execute(
        "UPDATE observation SET status = 'certain', version = 2 WHERE id = $1",
        uuid.UUID(payload["id"]),
    )
    decided = await client.put(url, json=corrected(payload, 2, comment="too late"), headers=headers)
    assert decided.status_code == 409


async def test_withdrawal_leaves_the_open_data_and_is_idempotent(
    client: Client, db: asyncpg.Connection
) -> None:
    payload, headers = await submitted(client)
    observation_id = uuid.UUID(payload["id"])
    await db.execute("UPDATE observation SET status = 'certain' WHERE id = $1", observation_id)
    await project(db, [observation_id])
    assert (await client.get(f"/api/v1/observations/{observation_id}")).status_code == 200
    url = f"/api/v1/observations/{observation_id}/withdraw"
    answers = await asyncio.gather(
        *(
            client.post(url, json={"expected_version": 1, "reason": "wrong place"}, headers=headers)
            for _ in range(4)
        )
    )
    assert {a.status_code for a in answers} == {200}
    assert {a.json()["status"] for a in answers} == {"withdrawn"}
    assert (await client.get(f"/api/v1/observations/{observation_id}")).status_code == 404
    assert (
        await db.fetchval("SELECT count(*) FROM observation_event WHERE action = 'withdraw'") == 1
    )
    again = await client.put(
        f"/api/v1/observations/{observation_id}",
        json=corrected(payload, 2, comment="x"),
        headers=headers,
    )
    assert again.status_code == 409


async def test_the_event_log_replays_to_the_withdrawn_state(
    client: Client, db: asyncpg.Connection
) -> None:
    payload, headers = await submitted(client)
    observation_id = uuid.UUID(payload["id"])
    withdrawn = await client.post(
        f"/api/v1/observations/{observation_id}/withdraw",
        json={"expected_version": 1},
        headers=headers,
    )
    assert withdrawn.json()["version"] == 2
    rows = await db.fetch(
        "SELECT id, occurred_at, actor_kind, actor_id, action, version, before, after, comment "
        "FROM observation_event WHERE observation_id = $1 ORDER BY id",
        observation_id,
    )
    state = replay([Event(**dict(r)) for r in rows])
    assert state is not None and (state.status, state.version) == ("withdrawn", 2)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(counts=st.lists(st.integers(1, 40), min_size=1, max_size=5))
async def test_any_sequence_of_edits_replays_to_the_stored_state(
    client: Client, counts: list[int]
) -> None:
    payload, headers = await submitted(client)
    url = f"/api/v1/observations/{payload['id']}"
    version = 1
    for count in counts:
        answer = await client.put(
            url,
            json=corrected(payload, version, data={"cd_nom": 61098, "count": count}),
            headers=headers,
        )
        assert answer.status_code == 200
        version = answer.json()["version"]
    history = (await client.get("/api/v1/me/observations", headers=headers)).json()["items"][0]
    assert history["observation"]["data"]["count"] == counts[-1]
    assert history["observation"]["version"] == version


async def test_a_programme_takes_only_the_kinds_it_accepts(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "faune-seulement")  # accepts species v1 only
    heritage = observation_payload(
        programme="faune-seulement", kind="heritage", data={"category": "sundial"}
    )
    refused = await client.post("/api/v1/observations", json=heritage, headers=await signed(client))
    assert refused.status_code == 422
    assert [(e["pointer"], e["code"]) for e in refused.json()["errors"]] == [
        ("/kind", "not_allowed")
    ]
    assert "species v1" in refused.json()["errors"][0]["detail"]
    species = observation_payload(programme="faune-seulement")
    assert (
        await client.post("/api/v1/observations", json=species, headers=await signed(client))
    ).status_code == 201
    assert await db.fetchval("SELECT count(*) FROM observation") == 1
