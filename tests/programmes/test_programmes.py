"""Organisations and programmes: seeded ones, creation, territory validation, edits."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import shape

from cairn.core.geometry import area_errors
from cairn.reference.files import reference_file
from tests.factories import observation_payload, signed
from tests.world import Client, add_staff, sign_in

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[6.5, 44.8], [6.7, 44.8], [6.7, 44.9], [6.5, 44.9], [6.5, 44.8]]],
}
BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[6.5, 44.8], [6.7, 44.9], [6.7, 44.8], [6.5, 44.9], [6.5, 44.8]]],
}
FLAT = {"type": "Polygon", "coordinates": [[[6.5, 44.8], [6.6, 44.8], [6.7, 44.8], [6.5, 44.8]]]}


def programme(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": "lakes",
        "organisation": "petr",
        "name": {"fr": "Lacs d'altitude", "en": "Mountain lakes", "it": "Laghi alpini"},
        "description": {
            "fr": "Amphibiens des lacs",
            "en": "Amphibians of lakes",
            "it": "Anfibi dei laghi",
        },
        "territory": SQUARE,
        "kinds": {"species": [1]},
        "target_taxa": [92],
        "default_licence": "CC0-1.0",
        "starts_on": "2026-05-01",
        "ends_on": "2026-09-30",
    }
    body.update(overrides)
    return body


@pytest.fixture
async def org_admin(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    await add_staff(db, "admin@petr.fr", "admin", organisation="petr")
    return await sign_in(client, "admin@petr.fr")


async def test_the_seeded_programmes(client: Client) -> None:
    programmes = {p["slug"]: p for p in (await client.get("/api/v1/programmes")).json()}
    assert set(programmes) >= {"default", "demo"}
    outline = json.loads(reference_file("petr_territory.geojson").read_text("utf-8"))
    expected = shape(outline["features"][0]["geometry"])
    for slug in ("default", "demo"):
        assert shape(programmes[slug]["territory"]).equals(expected)
    assert programmes["demo"]["is_demo"] is True
    assert programmes["demo"]["name"]["en"] == "Demo data — not real observations"
    assert programmes["default"]["is_demo"] is False


async def test_an_organisation_admin_creates_and_edits_a_programme(
    client: Client, org_admin: dict[str, str], db: asyncpg.Connection
) -> None:
    created = await client.post("/api/v1/programmes", json=programme(), headers=org_admin)
    assert created.status_code == 201, created.text
    assert created.json()["bbox"] == [6.5, 44.8, 6.7, 44.9]
    assert (await client.get("/api/v1/programmes/lakes")).json()["target_taxa"] == [92]
    again = await client.post("/api/v1/programmes", json=programme(), headers=org_admin)
    assert again.status_code == 409

    changed = await client.patch(
        "/api/v1/programmes/lakes",
        json={"expected_version": 1, "name": {"fr": "Lacs", "en": "Lakes", "it": "Laghi"}},
        headers=org_admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    assert changed.json()["target_taxa"] == [92]  # untouched fields stay
    stale = await client.patch(
        "/api/v1/programmes/lakes",
        json={"expected_version": 1, "target_taxa": None},
        headers=org_admin,
    )
    assert stale.status_code == 409
    assert stale.json()["extra"]["current"]["version"] == 2

    # observations now reference it: intake accepts the new programme
    payload = observation_payload(programme="lakes")
    assert (
        await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    ).status_code == 201


@pytest.mark.parametrize(
    ("territory", "pointer", "needle"),
    [
        (BOWTIE, "/territory", "Self-intersection"),
        (FLAT, "/territory", "Self-intersection"),
        ({"type": "Polygon", "coordinates": []}, "/territory", "empty"),
        ({"type": "Point", "coordinates": [6.5, 44.8]}, "/territory/type", "Polygon"),
        ({"type": "Polygon", "coordinates": [[[1, 2], [3]]]}, "/territory/coordinates", "Polygon"),
        (
            {"type": "Polygon", "coordinates": [[[600, 44], [601, 44], [601, 45], [600, 44]]]},
            "/territory/coordinates",
            "WGS84",
        ),
    ],
)
async def test_an_unusable_territory_is_a_422_and_nothing_is_stored(
    client: Client,
    org_admin: dict[str, str],
    db: asyncpg.Connection,
    territory: dict[str, Any],
    pointer: str,
    needle: str,
) -> None:
    response = await client.post(
        "/api/v1/programmes", json=programme(territory=territory), headers=org_admin
    )
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["pointer"] == pointer
    assert needle in error["detail"]
    assert await db.fetchval("SELECT count(*) FROM programme WHERE slug = 'lakes'") == 0


async def test_a_self_intersecting_edit_is_refused(
    client: Client, org_admin: dict[str, str]
) -> None:
    assert (
        await client.post("/api/v1/programmes", json=programme(), headers=org_admin)
    ).status_code == 201
    response = await client.patch(
        "/api/v1/programmes/lakes",
        json={"expected_version": 1, "territory": BOWTIE},
        headers=org_admin,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/territory"
    assert (await client.get("/api/v1/programmes/lakes")).json()["territory"] == SQUARE


async def test_dates_in_order_and_a_known_organisation(
    client: Client, org_admin: dict[str, str]
) -> None:
    response = await client.post(
        "/api/v1/programmes", json=programme(starts_on="2026-10-01"), headers=org_admin
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/ends_on"
    other_org = await client.post(
        "/api/v1/programmes", json=programme(organisation="nowhere"), headers=org_admin
    )
    assert other_org.status_code == 403  # not an admin of an organisation that does not exist


async def test_an_unknown_programme_at_intake_is_a_422_not_a_500(client: Client) -> None:
    response = await client.post(
        "/api/v1/observations",
        json=observation_payload(programme="nowhere"),
        headers=await signed(client),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/programme"


async def test_organisations_are_created_by_platform_admins(
    client: Client, db: asyncpg.Connection, org_admin: dict[str, str]
) -> None:
    body = {"slug": "pnr-queyras", "name": "Parc naturel régional du Queyras"}
    assert (
        await client.post("/api/v1/organisations", json=body, headers=org_admin)
    ).status_code == 403
    await add_staff(db, "root@petr.fr", "admin")
    root = await sign_in(client, "root@petr.fr")
    assert (await client.post("/api/v1/organisations", json=body, headers=root)).status_code == 201
    assert (await client.post("/api/v1/organisations", json=body, headers=root)).status_code == 409
    slugs = [o["slug"] for o in (await client.get("/api/v1/organisations")).json()]
    assert "pnr-queyras" in slugs


coordinate = st.tuples(st.floats(6.0, 7.0), st.floats(44.0, 45.0))


@given(ring=st.lists(coordinate, min_size=3, max_size=8))
def test_area_check_agrees_with_shapely(ring: list[tuple[float, float]]) -> None:
    """Whatever ring is drawn: accepted exactly when shapely finds a valid, non-empty polygon."""
    closed = [list(p) for p in [*ring, ring[0]]]
    geojson = {"type": "Polygon", "coordinates": [closed]}
    errors = area_errors(geojson, ("territory",))
    polygon = shape(geojson)
    usable = polygon.is_valid and not polygon.is_empty and polygon.area > 0
    assert (errors == []) == usable
    assert all(e.pointer.startswith("/territory") for e in errors)
