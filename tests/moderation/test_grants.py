"""Admins manage accounts and roles within their reach; removals take effect at once."""

from __future__ import annotations

import asyncpg

from tests.moderation.world import PASSWORD, Client, add_programme, add_staff, sign_in, submit


async def test_a_programme_admin_brings_in_a_moderator_and_removes_them(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "queyras")
    await add_staff(db, "admin@pne.fr", "admin", programme="default")
    admin = await sign_in(client, "admin@pne.fr")
    account = {"email": "New@PNE.fr", "display_name": "New", "password": PASSWORD}
    created = await client.post("/api/v1/staff/accounts", json=account, headers=admin)
    assert created.status_code == 201, created.text
    assert (
        await client.post("/api/v1/staff/accounts", json=account, headers=admin)
    ).status_code == 409

    grant = {"email": "new@pne.fr", "role": "moderator", "programme": "default"}
    granted = await client.post("/api/v1/grants", json=grant, headers=admin)
    assert granted.status_code == 201, granted.text
    newcomer = await sign_in(client, "new@pne.fr")
    obs = await submit(client)
    review = {"status": "certain", "expected_version": 1}
    assert (
        await client.post(f"/api/v1/observations/{obs}/reviews", json=review, headers=newcomer)
    ).status_code == 200

    staff = (await client.get("/api/v1/programmes/default/staff", headers=admin)).json()
    assert {(m["email"], m["role"]) for m in staff} == {
        ("admin@pne.fr", "admin"),
        ("new@pne.fr", "moderator"),
    }
    beyond = [
        {"email": "new@pne.fr", "role": "moderator", "programme": "queyras"},
        {"email": "new@pne.fr", "role": "admin", "organisation": "petr"},
        {"email": "new@pne.fr", "role": "admin"},
    ]
    for body in beyond:
        assert (await client.post("/api/v1/grants", json=body, headers=admin)).status_code == 403

    removed = await client.delete(f"/api/v1/grants/{granted.json()['id']}", headers=admin)
    assert removed.status_code == 204
    again = await client.post(
        f"/api/v1/observations/{obs}/reviews",
        json={"status": "doubtful", "expected_version": 2},
        headers=newcomer,
    )
    assert again.status_code == 404  # the same token, but no role any more


async def test_bad_grants_are_422_and_non_admins_are_403(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "root@petr.fr", "admin")
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    root, mod = await sign_in(client, "root@petr.fr"), await sign_in(client, "mod@pne.fr")
    cases = [
        ({"email": "ghost@pne.fr", "role": "viewer", "programme": "default"}, "/email"),
        ({"email": "mod@pne.fr", "role": "viewer", "programme": "nowhere"}, "/programme"),
        (
            {
                "email": "mod@pne.fr",
                "role": "viewer",
                "programme": "default",
                "organisation": "petr",
            },
            "/organisation",
        ),
        ({"email": "mod@pne.fr", "role": "owner", "programme": "default"}, "/role"),
    ]
    for body, pointer in cases:
        response = await client.post("/api/v1/grants", json=body, headers=root)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["pointer"] == pointer
    account = {"email": "x@pne.fr", "display_name": "X", "password": PASSWORD}
    assert (
        await client.post("/api/v1/staff/accounts", json=account, headers=mod)
    ).status_code == 403
    assert (await client.get("/api/v1/programmes/default/staff", headers=mod)).status_code == 403
    assert await db.fetchval("SELECT count(*) FROM staff_grant") == 2
