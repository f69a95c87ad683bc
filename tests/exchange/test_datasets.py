"""Each programme is a dataset: a UUID for life, metadata its admins keep, every change audited."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tests.programmes.test_programmes import programme
from tests.world import Client, add_staff, sign_in


async def test_every_programme_has_its_own_dataset_from_the_migration(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    seen = {}
    for slug in ("default", "demo"):
        answer = await client.get(f"/api/v1/programmes/{slug}/dataset", headers=admin)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen[slug] = body["id"]
        name = await db.fetchval("SELECT name ->> 'fr' FROM programme WHERE slug = $1", slug)
        assert body["title"] == name
        assert body["gbif_licence"] in {"CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0"}
        assert body["sinp_jdd_uuid"] is None
        assert str(uuid.UUID(body["id"])) == body["id"]
    assert seen["default"] != seen["demo"]


async def test_a_new_programme_gets_a_fresh_dataset_that_keeps_its_uuid(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    created = await client.post(
        "/api/v1/programmes",
        json=programme(slug="lakes", default_licence="etalab-2.0"),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    first = (await client.get("/api/v1/programmes/lakes/dataset", headers=admin)).json()
    assert first["gbif_licence"] == "CC-BY-4.0"  # etalab-2.0 is not a GBIF licence
    assert first["producer"] == await db.fetchval("SELECT name FROM organisation WHERE slug='petr'")
    jdd, framework = str(uuid.uuid4()), str(uuid.uuid4())
    changed = await client.patch(
        "/api/v1/programmes/lakes/dataset",
        json={
            "expected_version": 1,
            "title": "Amphibiens des lacs d'altitude",
            "contact_name": "Service scientifique",
            "contact_email": "science@petr.example",
            "sinp_jdd_uuid": jdd,
            "sinp_ca_uuid": framework,
            "ds_publique": "Pu",
            "gbif_licence": "CC-BY-NC-4.0",
        },
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["id"] == first["id"]
    assert (after["sinp_jdd_uuid"], after["sinp_ca_uuid"]) == (jdd, framework)
    assert (after["version"], after["gbif_licence"], after["ds_publique"]) == (
        2,
        "CC-BY-NC-4.0",
        "Pu",
    )
    audit = await db.fetchrow(
        "SELECT * FROM staff_audit WHERE action = 'dataset_update' ORDER BY id DESC LIMIT 1"
    )
    assert audit["subject"] == "lakes"
    assert audit["before"]["gbif_licence"] == "CC-BY-4.0"
    assert audit["after"]["gbif_licence"] == "CC-BY-NC-4.0"
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute("UPDATE dataset SET id = gen_random_uuid() WHERE programme = 'lakes'")


async def test_dataset_edits_are_checked_and_guarded(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    url = "/api/v1/programmes/default/dataset"
    bad = await client.patch(
        url,
        json={
            "expected_version": 1,
            "gbif_licence": "etalab-2.0",
            "sinp_jdd_uuid": "not-a-uuid",
            "title": "",
        },
        headers=admin,
    )
    assert bad.status_code in {400, 422}, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    pointers = {e["pointer"] for e in bad.json()["errors"]}
    assert {"/gbif_licence", "/sinp_jdd_uuid", "/title"} <= pointers
    stale = await client.patch(url, json={"expected_version": 7, "title": "x"}, headers=admin)
    assert stale.status_code == 409
    jdd = str(uuid.uuid4())
    first = await client.patch(
        url, json={"expected_version": 1, "sinp_jdd_uuid": jdd}, headers=admin
    )
    assert first.status_code == 200
    taken = await client.patch(
        "/api/v1/programmes/demo/dataset",
        json={"expected_version": 1, "sinp_jdd_uuid": jdd},
        headers=admin,
    )
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["pointer"] == "/sinp_jdd_uuid"
    assert await db.fetchval("SELECT version FROM dataset WHERE programme = 'demo'") == 1


async def test_only_the_programmes_admins_edit_and_outsiders_learn_nothing(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "viewer@petr.fr", "viewer", programme="default")
    await add_staff(db, "other@petr.fr", "admin", programme="demo")
    viewer = await sign_in(client, "viewer@petr.fr")
    other = await sign_in(client, "other@petr.fr")
    url = "/api/v1/programmes/default/dataset"
    assert (await client.get(url, headers=viewer)).status_code == 200
    refused = await client.patch(url, json={"expected_version": 1, "title": "x"}, headers=viewer)
    assert refused.status_code == 403
    assert (await client.get(url, headers=other)).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert await db.fetchval("SELECT version FROM dataset WHERE programme = 'default'") == 1
