"""Open data through the real app: generalised at write time, filtered, paged, every format."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from shapely.geometry import Point

from cairn.core.grid import cell_polygon
from cairn.records.disclosure import Place, generalise
from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
IBEX, VULTURE = 61098, 2852  # both level 2 by the default rule (patrimonial + protected)
NOT_SENSITIVE = 99854  # Gentiana acaulis: level 0


async def submit(client: Client, lon: float, lat: float, cd_nom: int, **extra: Any) -> str:
    payload = observation_payload(
        location={"lon": lon, "lat": lat, "accuracy_m": 8, "altitude_m": 2150},
        data={"cd_nom": cd_nom, "count": 1},
        **extra,
    )
    response = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert response.status_code == 201, response.text
    return str(payload["id"])


async def validate_all(db: asyncpg.Connection) -> None:
    """What a moderator's decision does until moderation lands: status + re-projection."""
    from cairn.records.projection import project_all

    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)


async def test_sensitive_positions_are_published_as_their_10km_cell(
    client: Client, db: asyncpg.Connection
) -> None:
    ident = await submit(
        client, 6.6433, 44.8986, VULTURE, comment="nest on the cliff by the chapel"
    )
    await validate_all(db)
    record = (await client.get(f"/api/v1/observations/{ident}")).json()
    assert record["generalisation"]["method"] == "grid_10km"
    assert record["generalisation"]["code"] == "10kmL93E098N642"
    assert record["grid_10km"] == "10kmL93E098N642"
    assert record["grid_1km"] is None and record["altitude_m"] is None and record["comment"] is None
    assert record["commune"] is None
    assert (record["location"]["lon"], record["location"]["lat"]) != (6.6433, 44.8986)
    assert cell_polygon("10kmL93E098N642").contains(
        Point(record["location"]["lon"], record["location"]["lat"])
    )


async def test_pending_records_are_not_open_data(client: Client) -> None:
    ident = await submit(client, 6.6433, 44.8986, NOT_SENSITIVE)
    assert (await client.get(f"/api/v1/observations/{ident}")).status_code == 404
    assert (await client.get("/api/v1/observations")).json()["items"] == []


async def test_filters_pagination_and_formats(client: Client, db: asyncpg.Connection) -> None:
    ids = [await submit(client, 6.60 + i * 0.01, 44.90, NOT_SENSITIVE) for i in range(7)]
    other = await submit(client, 6.65, 44.66, IBEX)  # Guillestre
    await validate_all(db)
    seen: list[str] = []
    url: str | None = "/api/v1/observations?limit=3&taxon=99854"
    while url:
        page = (await client.get(url)).json()
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    assert sorted(seen) == sorted(ids)  # no cap, no duplicate, no loss across pages
    bbox = (
        await client.get("/api/v1/observations", params={"bbox": "6.59,44.89,6.625,44.91"})
    ).json()
    assert len(bbox["items"]) == 3
    square = "POLYGON((6.59 44.89, 6.625 44.89, 6.625 44.91, 6.59 44.91, 6.59 44.89))"
    poly_response = await client.get("/api/v1/observations", params={"polygon": square})
    assert poly_response.status_code == 200, poly_response.text
    poly = poly_response.json()
    assert {i["id"] for i in poly["items"]} == {i["id"] for i in bbox["items"]}
    geo = await client.get("/api/v1/observations", params={"format": "geojson", "commune": "05023"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    collection = geo.json()
    assert collection["type"] == "FeatureCollection"
    assert all(f["geometry"]["type"] == "Point" for f in collection["features"])
    text = (await client.get("/api/v1/observations", headers={"Accept": "text/csv"})).text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["id"] for r in rows} == {*ids, other}
    generalised = next(r for r in rows if r["id"] == other)
    assert generalised["generalisation"] == "grid_10km" and generalised["altitude_m"] == ""
    cached = await client.get("/api/v1/observations", params={"taxon": 99854})
    again = await client.get(
        "/api/v1/observations",
        params={"taxon": 99854},
        headers={"If-None-Match": cached.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"bbox": "6,44,7"}, "/query/bbox"),
        ({"bbox": "7,44,6,45"}, "/query/bbox"),
        ({"polygon": "POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))"}, "/query/polygon"),  # bow tie
        ({"polygon": "POINT(6 44)"}, "/query/polygon"),
        ({"polygon": "POLYGON((-60 -60, 60 -60, 60 60, -60 60, -60 -60))"}, "/query/polygon"),
        ({"polygon": "not wkt"}, "/query/polygon"),
        ({"from": "yesterday"}, "/query/from"),
        ({"status": "pending"}, "/query/status"),
        ({"taxon": "1"}, "/query/taxon"),
        ({"cursor": "!!"}, "/query/cursor"),
    ],
)
async def test_bad_queries_name_the_parameter(
    client: Client, params: dict[str, str], pointer: str
) -> None:
    response = await client.get("/api/v1/observations", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert pointer in {e["pointer"] for e in response.json()["errors"]}


async def test_csv_cells_cannot_become_formulas(client: Client, db: asyncpg.Connection) -> None:
    await submit(client, 6.64, 44.90, NOT_SENSITIVE, comment='=HYPERLINK("http://evil.example")')
    await validate_all(db)
    text = (await client.get("/api/v1/observations", params={"format": "csv"})).text
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["comment"].startswith("'=")


async def test_bbox_queries_use_the_spatial_index(db: asyncpg.Connection) -> None:
    await db.execute("SET enable_seqscan = off")
    plan = "\n".join(
        r[0]
        for r in await db.fetch(
            "EXPLAIN SELECT id FROM public_observation WHERE status = ANY('{certain}') "
            "AND position <@ box(point(6.5, 44.8), point(6.7, 45.0))"
        )
    )
    # Either GiST index holding `position` (the planner picks on an empty table).
    assert 'Index Cond: ("position" <@' in plan


# --- generalisation, whatever the record (the adversary's view: tests/privacy) ------------

inside = st.tuples(st.floats(6.45, 6.95), st.floats(44.62, 45.05))


@given(point=inside, level=st.integers(0, 4))
def test_generalisation_never_publishes_finer_than_its_level(
    point: tuple[float, float], level: int
) -> None:
    lon, lat = point
    public = generalise(Place(lon, lat, 5.0, 1800.0, "05023", (6.63, 44.9), 5000.0), level)
    if level == 4:
        assert public is None
        return
    assert public is not None
    if level == 0:
        assert (public.lon, public.lat) == (round(lon, 6), round(lat, 6))
        return
    assert public.altitude_m is None and public.grid_1km is None and not public.comment_allowed
    if level == 2:
        assert public.commune is None
        assert cell_polygon(public.code or "").buffer(1e-9).contains(Point(public.lon, public.lat))
    if level == 3:
        assert public.lon is None and public.code == "05"


def test_generalisation_is_deterministic() -> None:
    place = Place(6.6433, 44.8986, 5.0, 1800.0, "05023", (6.63, 44.9), 5000.0)
    assert generalise(place, 2) == generalise(place, 2)  # no random offset to average away


async def test_open_data_is_readable_from_any_origin(client: Client) -> None:
    response = await client.get("/api/v1/observations", headers={"Origin": "https://lab.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    preflight = await client.options(
        "/api/v1/observations",
        headers={"Origin": "https://lab.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code in {200, 204}
    assert preflight.headers["access-control-allow-origin"] == "*"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    comment=st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
    ),
    offset_minutes=st.sampled_from([-570, -60, 0, 60, 120, 345]),
    count=st.integers(1, 500),
)
async def test_the_csv_export_says_what_the_json_says(
    client: Client, db: asyncpg.Connection, comment: str, offset_minutes: int, count: int
) -> None:
    """PostgreSQL writes the CSV; every cell must match the JSON record (formulas made inert)."""
    await db.execute("DELETE FROM observation")
    sign = "-" if offset_minutes < 0 else "+"
    offset = f"{sign}{abs(offset_minutes) // 60:02d}:{abs(offset_minutes) % 60:02d}"
    payload = observation_payload(
        location={"lon": 6.64, "lat": 44.9, "accuracy_m": 8, "altitude_m": 2150.5},
        data={"cd_nom": NOT_SENSITIVE, "count": count, "life_stage": "adult"},
        comment=comment or None,
        observed_at=f"2025-07-14T09:32:00{offset}",
    )
    assert (
        await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    ).status_code == 201
    await validate_all(db)
    [item] = (await client.get("/api/v1/observations")).json()["items"]
    text = (await client.get("/api/v1/observations", params={"format": "csv"})).text
    assert text.startswith("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["id"] == item["id"] and row["observed_at"] == item["observed_at"]
    assert float(row["lon"]) == item["location"]["lon"] and float(row["altitude_m"]) == 2150.5
    assert (row["count"], row["attributes"]) == (str(count), "life_stage=adult")
    expected = item["comment"] or ""
    plain_number = re.fullmatch(r"[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?", expected)
    formula = expected[:1] in {"=", "+", "-", "@", "\t", "\r"} and not plain_number
    assert row["comment"] == ("'" + expected if formula else expected)
    assert row["updated_at"] == item["updated_at"]
