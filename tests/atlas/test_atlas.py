"""Atlas pages, contributor impact and the staff dashboard, from real records via the app."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.atlas.model import altitude_bands, months
from cairn.records.projection import project
from tests.factories import new_device, observation_payload, signed
from tests.world import add_programme, add_staff, plain_taxon, sensitive_taxon, sign_in

Client = AsyncTestClient[Litestar]


async def validated(
    client: Client, db: asyncpg.Connection, headers: dict[str, str] | None = None, **overrides: Any
) -> uuid.UUID:
    """Submit through intake, then validate (as a moderator would) and re-project."""
    payload = observation_payload(**overrides)
    answer = await client.post(
        "/api/v1/observations", json=payload, headers=headers or await signed(client)
    )
    assert answer.status_code == 201, answer.text
    observation_id = uuid.UUID(payload["id"])
    await db.execute("UPDATE observation SET status = 'certain' WHERE id = $1", observation_id)
    await project(db, [observation_id])
    return observation_id


def at(lon: float, lat: float, altitude: float | None = 1500) -> dict[str, Any]:
    return {
        "lon": lon,
        "lat": lat,
        "accuracy_m": 10,
        **({"altitude_m": altitude} if altitude else {}),
    }


async def test_a_taxon_page_counts_months_bands_and_cells(
    client: Client, db: asyncpg.Connection
) -> None:
    taxon = plain_taxon()
    for month, altitude in [("06", 1450), ("07", 1720), ("07", 1990)]:
        await validated(
            client,
            db,
            data={"cd_nom": taxon},
            location=at(6.6433, 44.8986, altitude),
            observed_at=f"2025-{month}-14T10:00:00+02:00",
        )
    await client.post(
        "/api/v1/observations",
        json=observation_payload(data={"cd_nom": taxon}),
        headers=await signed(client),
    )  # pending: not counted
    page = (await client.get(f"/api/v1/atlas/taxa/{taxon}")).json()
    assert page["count"] == 3
    assert page["months"][5:7] == [1, 2] and sum(page["months"]) == 3
    assert [(b["low"], b["count"]) for b in page["altitude_bands"]] == [
        (1400, 1),
        (1600, 1),
        (1800, 1),
    ]
    assert [c["count"] for c in page["cells"]] == [3]
    assert page["cells"][0]["geometry"]["type"] == "Polygon"
    assert page["taxon"]["cd_ref"] == taxon


async def test_a_sensitive_taxon_page_shows_no_more_than_the_open_data(
    client: Client, db: asyncpg.Connection
) -> None:
    taxon = sensitive_taxon()
    precise = (6.512345, 44.912345)
    await validated(client, db, data={"cd_nom": taxon}, location=at(*precise, altitude=2345))
    page = await client.get(f"/api/v1/atlas/taxa/{taxon}")
    text = page.text
    opendata = (await client.get(f"/api/v1/observations?taxon={taxon}")).json()["items"]
    assert {c["code"] for c in page.json()["cells"]} == {o["grid_10km"] for o in opendata}
    assert page.json()["altitude_bands"] is None  # withheld altitudes make no chart
    assert page.json()["generalised"] == 1
    assert "6.512345" not in text and "44.912345" not in text and "2345" not in text
    assert page.headers["etag"] and "max-age" in page.headers["cache-control"]
    again = await client.get(
        f"/api/v1/atlas/taxa/{taxon}", headers={"If-None-Match": page.headers["etag"]}
    )
    assert again.status_code == 304


async def test_commune_and_heritage_pages(client: Client, db: asyncpg.Connection) -> None:
    await validated(client, db, data={"cd_nom": plain_taxon()})
    await validated(client, db)  # the ibex is sensitive: its commune is withheld, so not listed
    await validated(
        client,
        db,
        kind="heritage",
        data={"category": "sundial", "condition": "degraded"},
        observed_at="2025-08-01T11:00:00+02:00",
    )
    commune = (await client.get("/api/v1/atlas/communes/05023")).json()
    assert commune["name"] == "Briançon"
    assert {c["key"]: c["count"] for c in commune["by_kind"]} == {"species": 1, "heritage": 1}
    assert [h["key"] for h in commune["heritage"]] == ["sundial"]
    assert len(commune["latest"]) == 2 and commune["outline"]["type"] in {"Polygon", "MultiPolygon"}
    heritage = (await client.get("/api/v1/atlas/heritage/sundial")).json()
    assert heritage["count"] == 1
    assert heritage["conditions_by_year"] == [
        {"year": 2025, "conditions": [{"key": "degraded", "count": 1}]}
    ]
    assert (await client.get("/api/v1/atlas/communes/99999")).status_code == 404
    assert (await client.get("/api/v1/atlas/communes/x")).status_code == 400
    assert (await client.get("/api/v1/atlas/taxa/999999")).status_code == 404


async def test_a_programme_page_names_only_those_who_chose_a_pseudonym(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "sentinelles")
    await db.execute(
        "UPDATE programme SET target_taxa = $1 WHERE slug = 'sentinelles'", [61098, plain_taxon()]
    )
    _, named = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Chamois05"}, headers=named)
    common = {"cd_nom": plain_taxon(), "count": 1}
    await validated(client, db, headers=named, programme="sentinelles", data=common)
    await validated(client, db, headers=named, programme="sentinelles", data=common)
    await validated(client, db, headers=named, programme="sentinelles")  # ibex: generalised
    _, anonymous = await new_device(client)
    await validated(client, db, headers=anonymous, programme="sentinelles", data=common)
    page = (await client.get("/api/v1/atlas/programmes/sentinelles")).json()
    assert page["count"] == 4
    assert page["top_contributors"] == [{"pseudonym": "Chamois05", "count": 2}]
    assert page["anonymous_records"] == 2  # a generalised record names nobody
    assert page["targets_seen"] == sorted([61098, plain_taxon()])
    assert (await client.get("/api/v1/atlas/programmes/nothing-here")).status_code == 404


async def test_my_impact_uses_generalised_cells(client: Client, db: asyncpg.Connection) -> None:
    _, headers = await new_device(client)
    await validated(
        client,
        db,
        headers=headers,
        data={"cd_nom": sensitive_taxon()},
        location=at(6.512345, 44.912345),
    )
    await validated(client, db, headers=headers, data={"cd_nom": plain_taxon()})
    await client.post("/api/v1/observations", json=observation_payload(), headers=headers)
    impact = await client.get("/api/v1/me/impact", headers=headers)
    body = impact.json()
    assert (body["sent"], body["validated"]) == (3, 2)
    assert {c["key"]: c["count"] for c in body["by_status"]} == {"certain": 2, "pending": 1}
    public_cells = {
        r["grid_10km"] for r in await db.fetch("SELECT grid_10km FROM public_observation")
    }
    assert set(body["cells"]) <= public_cells
    assert "6.512345" not in impact.text
    assert (await client.get("/api/v1/me/impact")).status_code == 401


async def test_the_dashboard_is_scoped_to_the_callers_programmes(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "flore")
    await add_programme(db, "faune")
    await add_staff(db, "flore@example.org", "viewer", programme="flore")
    for _ in range(3):
        await client.post(
            "/api/v1/observations",
            json=observation_payload(programme="flore"),
            headers=await signed(client),
        )
    await client.post(
        "/api/v1/observations",
        json=observation_payload(programme="faune"),
        headers=await signed(client),
    )
    headers = await sign_in(client, "flore@example.org")
    board = (await client.get("/api/v1/dashboard", headers=headers)).json()
    assert board["programmes"] == ["flore"]
    assert board["pending"] == 3 and board["contributors"] == 1  # one phone sent all three
    denied = (await client.get("/api/v1/dashboard?programme=faune", headers=headers)).json()
    assert denied["programmes"] == [] and denied["pending"] == 0
    as_csv = await client.get("/api/v1/dashboard?format=csv", headers=headers)
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert ["pending", "", "3"] in rows
    assert (await client.get("/api/v1/dashboard")).status_code == 401


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(0, 1000)), max_size=40))
def test_months_keep_every_count(rows: list[tuple[int, int]]) -> None:
    counts = months(rows)
    assert len(counts) == 12 and sum(counts) == sum(n for _, n in rows)


@given(
    st.lists(st.tuples(st.integers(-2, 45).map(lambda k: k * 200), st.integers(0, 50)), max_size=30)
)
def test_altitude_bands_are_contiguous_and_keep_every_count(rows: list[tuple[int, int]]) -> None:
    bands = altitude_bands(rows)
    if not rows:
        assert bands is None
        return
    assert bands is not None
    assert sum(b.count for b in bands) == sum(n for _, n in rows)
    assert all(a.high == b.low for a, b in itertools.pairwise(bands))
    assert (
        bands[0].low == min(f for f, _ in rows) and bands[-1].high == max(f for f, _ in rows) + 200
    )


def test_bad_bins_are_refused() -> None:
    with pytest.raises(ValueError):
        months([(13, 1)])
    with pytest.raises(ValueError):
        altitude_bands([(150, 1)])
