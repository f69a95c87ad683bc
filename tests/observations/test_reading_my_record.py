"""GET /api/v1/observations/{id}: the owner and the programme's staff read the full record in
any status; everyone else the public projection, or 404 while it is not public."""

from __future__ import annotations

import uuid

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.records.projection import project
from tests.factories import new_device, observation_payload
from tests.world import add_programme, add_staff, sign_in

Client = AsyncTestClient[Litestar]
PRECISE = {"lon": 6.6433, "lat": 44.8986}


async def test_the_owner_reads_a_pending_record_and_others_do_not(
    client: Client, db: asyncpg.Connection
) -> None:
    _, owner = await new_device(client)
    _, stranger = await new_device(client)
    payload = observation_payload(data={"cd_nom": 61098, "count": 2})  # ibex: sensitive
    assert (
        await client.post("/api/v1/observations", json=payload, headers=owner)
    ).status_code == 201
    url = f"/api/v1/observations/{payload['id']}"

    mine = await client.get(url, headers=owner)
    assert mine.status_code == 200, mine.text
    same_as_my_list = (await client.get("/api/v1/me/observations", headers=owner)).json()
    assert mine.json() == same_as_my_list["items"][0]
    assert mine.json()["observation"]["status"] == "pending"
    assert mine.json()["observation"]["location"]["lon"] == PRECISE["lon"]

    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.get(url)).status_code == 404
    unknown = {"Authorization": "Bearer cdt_" + "x" * 43}
    assert (await client.get(url, headers=unknown)).status_code == 401

    await db.execute("UPDATE observation SET status = 'certain', moderator_comment = 'bravo'")
    await project(db, [uuid.UUID(payload["id"])])
    public = (await client.get(url)).json()
    assert "observation" not in public and public["id"] == payload["id"]
    assert public["location"] != {**PRECISE, "accuracy_m": 12, "altitude_m": 1326}
    assert (await client.get(url, headers=stranger)).json() == public
    assert (await client.get(url, headers=owner)).json()["moderator_comment"] == "bravo"


async def test_staff_of_the_programme_read_it_pending_and_staff_of_another_do_not(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "flore")
    await add_staff(db, "default@example.org", "viewer", programme="default")
    await add_staff(db, "flore@example.org", "moderator", programme="flore")
    _, owner = await new_device(client)
    payload = observation_payload()
    await client.post("/api/v1/observations", json=payload, headers=owner)
    url = f"/api/v1/observations/{payload['id']}"

    ours = await client.get(url, headers=await sign_in(client, "default@example.org"))
    assert ours.status_code == 200, ours.text
    staff_view = await client.get(
        f"/api/v1/moderation/observations/{payload['id']}",
        headers=await sign_in(client, "default@example.org"),
    )
    assert ours.json() == staff_view.json()
    assert ours.json()["status"] == "pending"

    theirs = await client.get(url, headers=await sign_in(client, "flore@example.org"))
    assert theirs.status_code == 404
