"""An admin reopens a decision later, with a reason: pending again, out of the open data at once."""

from __future__ import annotations

import asyncpg

from tests.world import Client, add_programme, add_staff, sign_in, submit


async def test_an_admin_reopens_a_decision_with_a_reason(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "queyras")
    await add_staff(db, "admin@pne.fr", "admin", programme="default")
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    await add_staff(db, "admin@queyras.fr", "admin", programme="queyras")
    admin, moderator = await sign_in(client, "admin@pne.fr"), await sign_in(client, "mod@pne.fr")
    elsewhere = await sign_in(client, "admin@queyras.fr")
    record = await submit(client)
    url = f"/api/v1/observations/{record}/reopen"
    version = await db.fetchval("SELECT version FROM observation WHERE id = $1", record)
    early = await client.post(url, json={"expected_version": version, "reason": "?"}, headers=admin)
    assert early.status_code == 409  # nothing decided yet
    decided = await client.post(
        f"/api/v1/observations/{record}/reviews",
        json={"status": "certain", "expected_version": version, "comment": "Merci !"},
        headers=moderator,
    )
    assert decided.status_code == 200
    assert (await client.get(f"/api/v1/observations/{record}")).status_code == 200
    body = {"expected_version": version + 1, "reason": "the photo shows a chamois"}
    refused = {
        "moderator": (await client.post(url, json=body, headers=moderator)).status_code,
        "elsewhere": (await client.post(url, json=body, headers=elsewhere)).status_code,
        "stale": (
            await client.post(url, json={**body, "expected_version": version}, headers=admin)
        ).status_code,
        "no reason": (
            await client.post(url, json={"expected_version": version + 1}, headers=admin)
        ).status_code,
    }
    assert refused == {"moderator": 403, "elsewhere": 404, "stale": 409, "no reason": 422}
    reopened = await client.post(url, json=body, headers=admin)
    assert reopened.status_code == 200, reopened.text
    assert (reopened.json()["status"], reopened.json()["moderator_comment"]) == ("pending", None)
    assert (await client.get(f"/api/v1/observations/{record}")).status_code == 404
    assert (
        await db.fetchval("SELECT status FROM public_observation WHERE id = $1", record)
        == "pending"
    )
    history = (await client.get(f"/api/v1/observations/{record}/history", headers=admin)).json()
    admin_id = str(await db.fetchval("SELECT id FROM staff_user WHERE email = 'admin@pne.fr'"))
    assert [(e["action"], e["after"]["status"], e["comment"]) for e in history] == [
        ("review", "certain", "Merci !"),
        ("reopen", "pending", "the photo shows a chamois"),
    ]
    assert history[-1]["actor_id"] == admin_id
