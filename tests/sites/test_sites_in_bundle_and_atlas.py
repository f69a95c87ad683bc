"""Sites travel in the offline bundle; a site's history comes from the open data only."""

from __future__ import annotations

import uuid

import asyncpg

from tests.factories import new_device, observation_payload
from tests.privacy.helpers import GENTIAN, VULTURE, publish, send
from tests.sites.helpers import BRIANCON, GUILLESTRE, make_site, site_admin, square
from tests.world import Client


async def test_the_bundle_carries_the_sites_in_use(client: Client, db: asyncpg.Connection) -> None:
    before = await client.get("/api/v1/reference/bundle")
    assert before.json()["sites"] == []
    admin = await site_admin(client, db)
    pond = await make_site(client, admin, BRIANCON, name="Mare")
    wash_house = await make_site(client, admin, geometry=square(GUILLESTRE), name="Lavoir")
    old = await make_site(client, admin, GUILLESTRE, name="Ancien nichoir")
    await client.patch(
        f"/api/v1/programmes/default/sites/{old['id']}", json={"archived": True}, headers=admin
    )
    after = await client.get("/api/v1/reference/bundle")
    assert after.headers["etag"] != before.headers["etag"]
    offline = {s["id"]: s for s in after.json()["sites"]}
    assert set(offline) == {pond["id"], wash_house["id"]}
    assert offline[wash_house["id"]]["geometry"] == square(GUILLESTRE)
    assert offline[pond["id"]]["name"]["it"] == "Mare (it)"
    # Two sites with three-language names and descriptions: well under a kilobyte each.
    assert len(after.content) - len(before.content) < 2 * 1_000


async def test_a_sites_history_counts_only_public_records(
    client: Client, db: asyncpg.Connection
) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON)
    _, headers = await new_device(client)

    async def at(day: str, count: int, taxon: int = GENTIAN) -> str:
        payload = observation_payload(
            observed_at=f"{day}T09:00:00+02:00",
            location={"lon": BRIANCON[0], "lat": BRIANCON[1], "accuracy_m": 5},
            data={"cd_nom": taxon, "count": count},
            site_id=site["id"],
        )
        sent = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert sent.status_code == 201, sent.text
        return str(payload["id"])

    first = [await at("2026-06-01", 3), await at("2026-06-01", 4)]
    second = await at("2026-06-20", 7)
    pending = await at("2026-06-20", 100)  # never validated: not public
    sensitive = await at("2026-06-20", 50, VULTURE)  # level 2 at a precise site: not linked
    await publish(db, *first, second, sensitive)
    assert pending

    history = (await client.get(f"/api/v1/atlas/sites/{site['id']}/history")).json()
    assert history["site"]["id"] == site["id"]
    assert history["visits"] == [
        {"date": "2026-06-01", "records": 2, "count": 7, "condition": None},
        {"date": "2026-06-20", "records": 1, "count": 7, "condition": None},
    ]
    ogc = await client.get("/ogc/collections/observations/items", params={"site_id": site["id"]})
    assert {f["id"] for f in ogc.json()["features"]} == {*first, second}
    queryables = (await client.get("/ogc/collections/observations/queryables")).json()
    assert "site_id" in queryables["properties"]
    missing = await client.get(f"/api/v1/atlas/sites/{uuid.uuid4()}/history")
    assert missing.status_code == 404


async def test_a_hidden_site_has_no_history(client: Client, db: asyncpg.Connection) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON, sensitive=4)
    _, headers = await new_device(client)
    record = await send(client, headers, GENTIAN, BRIANCON, site_id=site["id"])
    await publish(db, record["id"])
    assert (await client.get(f"/api/v1/atlas/sites/{site['id']}/history")).status_code == 404
