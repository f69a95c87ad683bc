"""Devices, batches and "my observations" through the real app."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.records.projection import project_all
from tests.factories import new_device, observation_payload, signed

Client = AsyncTestClient[Litestar]


async def test_device_tokens_are_stored_hashed_and_checked(
    client: Client, db: asyncpg.Connection
) -> None:
    device_id, headers = await new_device(client)
    token = headers["Authorization"].split()[1]
    stored = await db.fetchval("SELECT token_hash FROM device WHERE id = $1", uuid.UUID(device_id))
    assert stored == hashlib.sha256(token.encode()).digest()
    assert token.encode() not in stored
    assert (await client.get("/api/v1/me", headers=headers)).json()["device_id"] == device_id
    assert (await client.get("/api/v1/me")).status_code == 401
    bad = {"Authorization": "Bearer cdt_" + "x" * 43}
    assert (await client.get("/api/v1/me", headers=bad)).status_code == 401
    assert (
        await client.post("/api/v1/observations", json=observation_payload(), headers=bad)
    ).status_code == 401
    assert await db.fetchval("SELECT count(*) FROM observation") == 0


async def test_every_contributor_write_without_a_token_says_how_to_get_one(
    client: Client, db: asyncpg.Connection
) -> None:
    _, headers = await new_device(client)
    mine = observation_payload()
    await client.post("/api/v1/observations", json=mine, headers=headers)
    path = f"/api/v1/observations/{mine['id']}"
    writes = [
        ("POST", "/api/v1/observations", {"json": observation_payload()}),
        ("POST", "/api/v1/observations/batch", {"json": {"observations": [observation_payload()]}}),
        (
            "PUT",
            f"{path}/photos/{uuid.uuid4()}",
            {"content": b"\xff\xd8\xff", "headers": {"Content-Type": "image/jpeg"}},
        ),
        ("PUT", path, {"json": {**mine, "comment": "two", "expected_version": 1}}),
        ("POST", f"{path}/withdraw", {"json": {"expected_version": 1}}),
    ]
    for method, url, body in writes:
        answer = await client.request(method, url, **body)  # type: ignore[arg-type]
        assert answer.status_code == 401, (method, url, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["code"] == "device_token_required", (method, url)
        assert "POST /api/v1/devices" in problem["detail"]
        assert answer.headers["www-authenticate"] == "Bearer"
    assert await db.fetchval("SELECT count(*) FROM observation") == 1
    assert await db.fetchval("SELECT version FROM observation") == 1
    assert await db.fetchval("SELECT count(*) FROM photo") == 0


async def test_a_batch_judges_each_item_and_writes_only_the_good_ones(
    client: Client, db: asyncpg.Connection
) -> None:
    _, headers = await new_device(client)
    known = observation_payload()
    assert (
        await client.post("/api/v1/observations", json=known, headers=headers)
    ).status_code == 201
    fresh = observation_payload()
    items = [
        fresh,
        known,
        {**known, "comment": "changed"},
        observation_payload(location={"lon": 2.35, "lat": 48.85, "accuracy_m": 5}),
        {"id": "not-a-uuid"},
    ]
    response = await client.post(
        "/api/v1/observations/batch", json={"observations": items}, headers=headers
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == [
        "created",
        "unchanged",
        "conflict",
        "invalid",
        "invalid",
    ]
    assert results[3]["problem"]["errors"][0]["pointer"].startswith("/observations/3/")
    assert {e["pointer"] for e in results[4]["problem"]["errors"]} >= {"/observations/4/id"}
    assert await db.fetchval("SELECT count(*) FROM observation") == 2
    again = await client.post(
        "/api/v1/observations/batch", json={"observations": items}, headers=headers
    )
    assert [r["outcome"] for r in again.json()["results"]] == [
        "unchanged",
        "unchanged",
        "conflict",
        "invalid",
        "invalid",
    ]
    assert await db.fetchval("SELECT count(*) FROM observation") == 2


async def test_parallel_identical_batches_store_each_item_once(
    client: Client, db: asyncpg.Connection
) -> None:
    batch = {"observations": [observation_payload() for _ in range(20)]}
    headers = await signed(client)
    answers = await asyncio.gather(
        *(client.post("/api/v1/observations/batch", json=batch, headers=headers) for _ in range(6))
    )
    assert all(a.status_code == 200 for a in answers)
    created = sum(r["outcome"] == "created" for a in answers for r in a.json()["results"])
    assert created == 20
    assert await db.fetchval("SELECT count(*) FROM observation") == 20


async def test_batch_limits_are_clear(client: Client) -> None:
    too_many = {"observations": [observation_payload() for _ in range(501)]}
    response = await client.post(
        "/api/v1/observations/batch", json=too_many, headers=await signed(client)
    )
    assert response.status_code in {413, 422}
    empty = await client.post(
        "/api/v1/observations/batch", json={"observations": []}, headers=await signed(client)
    )
    assert empty.status_code == 422
    assert "/observations" in {e["pointer"] for e in empty.json()["errors"]}


async def test_my_observations_and_my_pseudonym_in_the_open_data(
    client: Client, db: asyncpg.Connection
) -> None:
    _, mine = await new_device(client)
    _, theirs = await new_device(client)
    sent = [observation_payload(data={"cd_nom": 99854, "count": 1}) for _ in range(3)]
    for payload in sent:
        assert (
            await client.post("/api/v1/observations", json=payload, headers=mine)
        ).status_code == 201
    await client.post("/api/v1/observations", json=observation_payload(), headers=theirs)
    page = (await client.get("/api/v1/me/observations", params={"limit": 2}, headers=mine)).json()
    rest = (await client.get(page["next"], headers=mine)).json()
    ids = [i["observation"]["id"] for i in page["items"] + rest["items"]]
    assert sorted(ids) == sorted(str(p["id"]) for p in sent)
    assert page["items"][0]["observation"]["location"]["lon"] == 6.6433  # my own, precise

    named = await client.put("/api/v1/me", json={"pseudonym": "Marmotte du Lautaret"}, headers=mine)
    assert named.status_code == 200 and named.json()["observations"] == 3
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    listed = (await client.get("/api/v1/observations")).json()["items"]
    observers = {i["id"]: i["observer"] for i in listed}
    assert all(observers[str(p["id"])] == "Marmotte du Lautaret" for p in sent)
    assert await client.put("/api/v1/me", json={"pseudonym": "<script>"}, headers=mine) is not None
    refused = await client.put("/api/v1/me", json={"pseudonym": "<script>"}, headers=mine)
    assert refused.status_code == 422
