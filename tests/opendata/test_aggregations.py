"""Aggregations: counts per unit and checklists, never finer than the open data."""

from __future__ import annotations

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.core.grid import cell_code
from cairn.records.projection import project_all
from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
GENTIAN, VULTURE = 99854, 2852


async def seed(client: Client, db: asyncpg.Connection) -> None:
    for lon, cd_nom in ((6.6433, GENTIAN), (6.6440, GENTIAN), (6.6433, VULTURE)):
        payload = observation_payload(
            location={"lon": lon, "lat": 44.8986, "accuracy_m": 5},
            data={"cd_nom": cd_nom, "count": 1},
        )
        assert (
            await client.post("/api/v1/observations", json=payload, headers=await signed(client))
        ).status_code == 201
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)


async def test_counts_respect_each_records_public_precision(
    client: Client, db: asyncpg.Connection
) -> None:
    await seed(client, db)
    ten = (await client.get("/api/v1/stats/counts", params={"by": "grid_10km"})).json()["items"]
    assert ten == [{"unit": "10kmL93E098N642", "observations": 3, "taxa": 2}]
    one = (await client.get("/api/v1/stats/counts", params={"by": "grid_1km"})).json()["items"]
    assert sum(i["observations"] for i in one) == 2  # the vulture has no public 1 km cell
    assert cell_code(6.6433, 44.8986, "1km") in {i["unit"] for i in one}
    communes = (await client.get("/api/v1/stats/counts", params={"by": "commune"})).json()["items"]
    assert communes == [{"unit": "05023", "observations": 2, "taxa": 1}]
    months = (await client.get("/api/v1/stats/counts", params={"by": "month"})).json()["items"]
    assert sum(i["observations"] for i in months) == 3
    assert (await client.get("/api/v1/stats/counts", params={"by": "street"})).status_code == 400


async def test_checklist_for_a_commune(client: Client, db: asyncpg.Connection) -> None:
    await seed(client, db)
    items = (await client.get("/api/v1/stats/checklist", params={"commune": "05023"})).json()[
        "items"
    ]
    assert [(i["cd_ref"], i["observations"]) for i in items] == [(GENTIAN, 2)]
    everywhere = (await client.get("/api/v1/stats/checklist")).json()["items"]
    assert {i["cd_ref"] for i in everywhere} == {GENTIAN, VULTURE}
