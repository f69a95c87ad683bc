"""OGC next links survive time-zoned datetimes; absurdly nested polygons are a 400, not a 500."""

from __future__ import annotations

import asyncpg
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from cairn.records.projection import project_all
from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
ITEMS = "/ogc/collections/observations/items"


@pytest.mark.parametrize(
    "window",
    [
        "2025-01-01T00:00:00+01:00/..",
        "../2025-12-31T23:59:59-03:30",
        "2025-03-01T00:00:00+05:45/2025-11-30T00:00:00-08:00",
    ],
)
async def test_ogc_pages_with_zoned_datetimes_reach_the_last_page_once_each(
    client: Client, db: asyncpg.Connection, window: str
) -> None:
    headers = await signed(client)
    sent = set()
    for month in range(4, 11):  # inside every window above
        payload = observation_payload(observed_at=f"2025-{month:02d}-14T09:30:00+02:00")
        answer = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert answer.status_code == 201, answer.text
        sent.add(payload["id"])
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    seen: list[str] = []
    url: str | None = f"{ITEMS}?limit=2&datetime={window.replace('+', '%2B')}"
    pages = 0
    while url is not None:
        page = await client.get(url)
        assert page.status_code == 200, (url, page.text)
        body = page.json()
        seen += [feature["id"] for feature in body["features"]]
        url = next((link["href"] for link in body["links"] if link["rel"] == "next"), None)
        pages += 1
        assert pages <= 10, "the next links loop"
    assert sorted(seen) == sorted(sent)  # every item, exactly once
    assert pages == 4  # 2 + 2 + 2 + 1


def nested_polygon(depth: int) -> str:
    """A GeoJSON Polygon whose coordinates nest `depth` arrays deep."""
    return '{"type":"Polygon","coordinates":' + "[" * depth + "6.6,44.9" + "]" * depth + "}"


DEEP_ROUTES = [
    "/api/v1/observations",
    "/api/v1/stats/counts?by=commune",
    "/api/v1/stats/checklist",
    "/api/v1/exports/dwca",
]


@pytest.mark.parametrize("route", DEEP_ROUTES)
async def test_a_polygon_nested_about_two_thousand_deep_is_a_400_naming_the_parameter(
    client: Client, route: str
) -> None:
    joiner = "&" if "?" in route else "?"
    deep = nested_polygon(1975)  # as deep as the 4 000 characters of `polygon` allow
    assert len(deep) <= 4000
    answer = await client.get(f"{route}{joiner}polygon={deep}")
    assert answer.status_code == 400, answer.text
    problem = answer.json()
    assert problem["code"] == "bad_request"
    assert [e["pointer"] for e in problem["errors"]] == ["/query/polygon"]
    assert "deeper than" in problem["errors"][0]["detail"]


def test_any_nesting_depth_is_a_4xx_never_a_5xx(app: Litestar) -> None:
    with TestClient(app) as client:

        @hypothesis_settings(
            max_examples=40, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(depth=st.integers(1, 5000), route=st.sampled_from(DEEP_ROUTES))
        def query(depth: int, route: str) -> None:
            joiner = "&" if "?" in route else "?"
            answer = client.get(f"{route}{joiner}polygon={nested_polygon(depth)}")
            assert answer.status_code == 400, (depth, answer.text)
            assert any(e["pointer"].endswith("/polygon") for e in answer.json()["errors"])

        query()
