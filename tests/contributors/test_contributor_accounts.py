"""Optional contributor accounts: one person, several devices, the same observations."""

from __future__ import annotations

import uuid

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import new_device, observation_payload

Client = AsyncTestClient[Litestar]
ACCOUNT = {"email": "Marie.Alpage@example.org", "password": "a long enough secret"}


async def test_a_second_device_signs_in_and_shares_the_observations(
    client: Client, db: asyncpg.Connection
) -> None:
    _, phone = await new_device(client)
    payload = observation_payload()
    assert (
        await client.post("/api/v1/observations", json=payload, headers=phone)
    ).status_code == 201
    created = await client.post("/api/v1/me/account", json=ACCOUNT, headers=phone)
    assert created.status_code == 201 and created.json() == {"email": "marie.alpage@example.org"}
    stored = await db.fetchval("SELECT password_hash FROM contributor")
    assert stored.startswith("$argon2id$") and ACCOUNT["password"] not in stored

    _, tablet = await new_device(client)
    assert (await client.get("/api/v1/me/observations", headers=tablet)).json()["items"] == []
    signed = await client.post("/api/v1/me/account/sign-in", json=ACCOUNT, headers=tablet)
    assert signed.status_code == 200
    [mine] = (await client.get("/api/v1/me/observations", headers=tablet)).json()["items"]
    assert mine["observation"]["id"] == payload["id"]
    withdrawn = await client.post(
        f"/api/v1/observations/{payload['id']}/withdraw",
        json={"expected_version": 1},
        headers=tablet,
    )
    assert withdrawn.status_code == 200
    await client.put("/api/v1/me", json={"pseudonym": "Marmotte"}, headers=tablet)
    assert (await client.get("/api/v1/me", headers=phone)).json()["pseudonym"] == "Marmotte"


async def test_wrong_credentials_and_taken_emails(client: Client) -> None:
    _, phone = await new_device(client)
    assert (await client.post("/api/v1/me/account", json=ACCOUNT, headers=phone)).status_code == 201
    _, other = await new_device(client)
    taken = await client.post("/api/v1/me/account", json=ACCOUNT, headers=other)
    assert taken.status_code == 201  # the same answer as a new account: emails cannot be tested
    assert (await client.get("/api/v1/me", headers=other)).json()["observations"] == 0
    wrong = await client.post(
        "/api/v1/me/account/sign-in",
        json={**ACCOUNT, "password": "not the one at all"},
        headers=other,
    )
    unknown = await client.post(
        "/api/v1/me/account/sign-in", json={**ACCOUNT, "email": "nobody@example.org"}, headers=other
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    short = await client.post(
        "/api/v1/me/account", json={"email": "a@b.c", "password": "short"}, headers=other
    )
    assert short.status_code == 422 and short.json()["errors"][0]["pointer"] == "/password"
    assert (await client.post("/api/v1/me/account", json=ACCOUNT)).status_code == 401


async def test_erasing_from_one_device_erases_the_person(
    client: Client, db: asyncpg.Connection
) -> None:
    _, phone = await new_device(client)
    await client.post("/api/v1/observations", json=observation_payload(), headers=phone)
    await client.post("/api/v1/me/account", json=ACCOUNT, headers=phone)
    _, tablet = await new_device(client)
    await client.post("/api/v1/me/account/sign-in", json=ACCOUNT, headers=tablet)
    _, stranger = await new_device(client)
    theirs = observation_payload(id=str(uuid.uuid4()))
    await client.post("/api/v1/observations", json=theirs, headers=stranger)
    assert (
        await client.delete("/api/v1/me?observations=delete", headers=tablet)
    ).status_code == 204
    assert await db.fetchval("SELECT count(*) FROM contributor") == 0
    assert (await client.get("/api/v1/me", headers=phone)).status_code == 401
    assert [r["id"] for r in await db.fetch("SELECT id::text FROM observation")] == [theirs["id"]]
    assert (await client.get("/api/v1/me", headers=stranger)).status_code == 200
