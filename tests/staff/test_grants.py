"""Admins manage accounts and roles within their reach; removals take effect at once."""

from __future__ import annotations

import asyncpg
import pytest

from tests.world import PASSWORD, Client, add_programme, add_staff, sign_in, submit


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


async def test_staff_changes_leave_an_append_only_trail(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "root@petr.fr", "admin")
    await add_staff(db, "admin@pne.fr", "admin", programme="default")
    root, admin = await sign_in(client, "root@petr.fr"), await sign_in(client, "admin@pne.fr")
    account = {"email": "new@pne.fr", "display_name": "New", "password": PASSWORD}
    assert (
        await client.post("/api/v1/staff/accounts", json=account, headers=admin)
    ).status_code == 201
    grant = {"email": "new@pne.fr", "role": "viewer", "programme": "default"}
    granted = (await client.post("/api/v1/grants", json=grant, headers=admin)).json()
    await client.delete(f"/api/v1/grants/{granted['id']}", headers=admin)
    patch = {"expected_version": 1, "default_licence": "CC0-1.0"}
    assert (
        await client.patch("/api/v1/programmes/default", json=patch, headers=admin)
    ).status_code == 200
    rule = (
        await client.post(
            "/api/v1/sensitivity/rules", json={"cd_ref": 92, "level": 3}, headers=root
        )
    ).json()

    assert (await client.get("/api/v1/staff/audit", headers=admin)).status_code == 403
    trail = (await client.get("/api/v1/staff/audit", headers=root)).json()
    assert [(e["action"], e["actor_email"]) for e in trail] == [
        ("rule_create", "root@petr.fr"),
        ("programme_update", "admin@pne.fr"),
        ("grant_remove", "admin@pne.fr"),
        ("grant", "admin@pne.fr"),
        ("account_create", "admin@pne.fr"),
    ]
    assert trail[0]["after"]["id"] == rule["rule"]["id"]
    assert (trail[1]["before"]["default_licence"], trail[1]["after"]["default_licence"]) == (
        "CC-BY-4.0",
        "CC0-1.0",
    )
    assert "password" not in str(trail[4]["after"])
    older = await client.get(
        "/api/v1/staff/audit", params={"before_id": trail[1]["id"]}, headers=root
    )
    assert [e["action"] for e in older.json()] == ["grant_remove", "grant", "account_create"]
    with pytest.raises(asyncpg.exceptions.RestrictViolationError):
        await db.execute("UPDATE staff_audit SET subject = 'rewritten'")
