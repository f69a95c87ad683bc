"""Sites through the API: create, edit, archive, who may, and what bad input gets."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sites.helpers import BRIANCON, GUILLESTRE, make_site, point, site_admin, square, texts
from tests.world import Client, add_programme, add_staff, sign_in

SITES = "/api/v1/programmes/default/sites"


@pytest.fixture
async def admin(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    return await site_admin(client, db)


async def test_an_admin_creates_edits_and_archives_a_site(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    site = await make_site(client, admin, geometry=square(GUILLESTRE), name="Lavoir")
    assert site["programme"] == "default"
    assert site["geometry"] == square(GUILLESTRE)
    assert (site["sensitive"], site["archived"]) == (0, False)

    public = (await client.get(f"/api/v1/sites/{site['id']}")).json()
    assert public["geometry"] == square(GUILLESTRE)
    assert public["name"] == texts("Lavoir")
    assert public["generalisation"] is None

    renamed = await client.patch(
        f"{SITES}/{site['id']}", json={"name": texts("Lavoir du haut")}, headers=admin
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == texts("Lavoir du haut")
    assert renamed.json()["geometry"] == square(GUILLESTRE)  # untouched fields stay

    archived = await client.patch(f"{SITES}/{site['id']}", json={"archived": True}, headers=admin)
    assert archived.json()["archived"] is True
    assert (await client.get(SITES)).json() == []
    assert (await client.get(f"/api/v1/sites/{site['id']}")).json()["archived"] is True

    actions = [
        row["action"]
        for row in await db.fetch(
            "SELECT action FROM staff_audit WHERE subject = $1 ORDER BY id",
            f"default/{site['id']}",
        )
    ]
    assert actions == ["site_create", "site_edit", "site_edit"]


async def test_only_the_programmes_admins_write_sites(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    site = await make_site(client, admin)
    body: dict[str, Any] = {"name": texts("Nichoir"), "geometry": point(BRIANCON)}
    await add_staff(db, "mod@petr.fr", "moderator", programme="default")
    moderator = await sign_in(client, "mod@petr.fr")
    await add_programme(db, "queyras")
    await add_staff(db, "other@petr.fr", "admin", programme="queyras")
    other = await sign_in(client, "other@petr.fr")

    assert (await client.post(SITES, json=body)).status_code == 401
    assert (await client.post(SITES, json=body, headers=moderator)).status_code == 403
    assert (await client.post(SITES, json=body, headers=other)).status_code == 404
    patch = {"archived": True}
    assert (
        await client.patch(f"{SITES}/{site['id']}", json=patch, headers=moderator)
    ).status_code == 403
    assert (
        await client.patch(f"{SITES}/{site['id']}", json=patch, headers=other)
    ).status_code == 404
    # A site is edited under its own programme only.
    moved = await client.patch(
        f"/api/v1/programmes/queyras/sites/{site['id']}", json=patch, headers=other
    )
    assert moved.status_code == 404
    assert (await client.get(f"/api/v1/sites/{site['id']}")).json()["archived"] is False


BOWTIE = {"type": "Polygon", "coordinates": [[
    [6.64, 44.89], [6.65, 44.90], [6.65, 44.89], [6.64, 44.90], [6.64, 44.89]
]]}  # fmt: skip


@pytest.mark.parametrize(
    ("geometry", "pointer", "code"),
    [
        (BOWTIE, "/geometry", "invalid"),
        (
            {"type": "LineString", "coordinates": [[6.64, 44.89], [6.65, 44.9]]},
            "/geometry/type",
            "not_allowed",
        ),
        ({"type": "Point", "coordinates": [2.35, 48.85]}, "/geometry", "outside_territory"),
        ({"type": "Point", "coordinates": [6.64]}, "/geometry/coordinates", "invalid"),
        ({"type": "Point", "coordinates": [600, 44.9]}, "/geometry/coordinates", "out_of_range"),
        ({"type": "Point", "coordinates": ["6.6", 44.9]}, "/geometry/coordinates", "invalid"),
        (square(BRIANCON, half=0.1), "/geometry", "too_large"),
        ({"type": "Polygon", "coordinates": []}, "/geometry", "invalid"),
    ],
)
async def test_a_bad_geometry_is_refused_with_its_pointer(
    client: Client, admin: dict[str, str], geometry: dict[str, Any], pointer: str, code: str
) -> None:
    response = await client.post(
        SITES, json={"name": texts("Mare"), "geometry": geometry}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [(pointer, code)]
    assert (await client.get(SITES)).json() == []


async def test_every_bad_field_at_once(client: Client, admin: dict[str, str]) -> None:
    response = await client.post(
        SITES,
        json={"name": {"fr": "Mare"}, "geometry": BOWTIE, "sensitive": 7},
        headers=admin,
    )
    assert response.status_code == 422, response.text
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert {"/name/en", "/name/it", "/geometry", "/sensitive"} <= pointers


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers()
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=20,
)
hostile_geometries = st.fixed_dictionaries(
    {"type": st.sampled_from(["Point", "Polygon", "MultiPolygon", "x"]), "coordinates": json_values}
) | st.dictionaries(st.text(max_size=8), json_values, max_size=3)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(geometry=hostile_geometries)
async def test_hostile_geometries_never_break_the_server(
    client: Client, admin: dict[str, str], geometry: dict[str, Any]
) -> None:
    response = await client.post(
        SITES, json={"name": texts("Mare"), "geometry": geometry}, headers=admin
    )
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert all(e["pointer"].startswith("/geometry") for e in response.json()["errors"])
