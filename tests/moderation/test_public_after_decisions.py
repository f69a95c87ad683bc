"""Decisions reach the open data at once; a re-identified record is generalised again."""

from __future__ import annotations

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.world import add_staff, sign_in, submit

Client = AsyncTestClient[Litestar]
GENTIAN, VULTURE = 99854, 2852  # level 0, and level 2 by the default rules


async def test_validation_then_reidentification_to_a_sensitive_taxon(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    headers = await sign_in(client, "mod@pne.fr")
    ident = await submit(client, data={"cd_nom": GENTIAN, "count": 2})
    assert (await client.get(f"/api/v1/observations/{ident}")).status_code == 404  # pending

    accepted = await client.post(
        f"/api/v1/observations/{ident}/reviews",
        json={"status": "certain", "expected_version": 1},
        headers=headers,
    )
    assert accepted.status_code == 200, accepted.text
    public = (await client.get(f"/api/v1/observations/{ident}")).json()
    assert public["generalisation"] is None
    assert (public["location"]["lon"], public["location"]["lat"]) == (6.6433, 44.8986)

    reidentified = await client.post(
        f"/api/v1/observations/{ident}/reviews",
        json={
            "status": "certain",
            "expected_version": accepted.json()["version"],
            "cd_nom": VULTURE,
        },
        headers=headers,
    )
    assert reidentified.status_code == 200, reidentified.text
    public = (await client.get(f"/api/v1/observations/{ident}")).json()
    assert public["taxon"]["cd_ref"] == VULTURE
    assert public["generalisation"]["method"] == "grid_10km"
    assert (public["location"]["lon"], public["location"]["lat"]) != (6.6433, 44.8986)
    listed = (await client.get("/api/v1/observations", params={"format": "csv"})).text
    assert "6.6433" not in listed and "44.8986" not in listed
