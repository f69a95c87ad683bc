"""Widget pages over HTTP: headers, configuration, parameter checks and weight."""

from __future__ import annotations

import gzip
import html
import json
import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.settings import Settings
from cairn.widgets.model import SIZES, WORDS
from cairn.widgets.static import assets

Client = AsyncTestClient[Litestar]
PAGES = {
    "recent": "near=6.6433,44.8986&radius_km=3",
    "species-of-the-month": "commune=05023",
    "programme": "programme=demo",
}


def config_of(page: str) -> dict[str, object]:
    match = re.search(r'data-config="([^"]*)"', page)
    assert match, "the page carries its configuration"
    parsed: dict[str, object] = json.loads(html.unescape(match.group(1)))
    return parsed


@pytest.mark.parametrize("widget", list(PAGES))
async def test_page_headers(client: Client, widget: str) -> None:
    response = await client.get(f"/widgets/{widget}?{PAGES[widget]}&lang=it&theme=dark")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert "x-frame-options" not in response.headers
    page = response.text
    assert '<html lang="it" class="theme-dark size-medium">' in page
    assert f'<h1 id="cairn-title">{WORDS["it"].titles[widget]}</h1>' in page
    assert 'role="status" aria-live="polite"' in page
    assert f"<noscript><p>{WORDS['it'].noscript}</p></noscript>" in page
    revalidated = await client.get(
        f"/widgets/{widget}?{PAGES[widget]}&lang=it&theme=dark",
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert revalidated.status_code == 304


async def test_recent_asks_the_open_data_for_the_box_around_the_point(client: Client) -> None:
    response = await client.get("/widgets/recent?near=6.6433,44.8986&radius_km=3&days=7")
    config = config_of(response.text)
    assert config["api"] == "../api/v1/observations"
    assert config["near"] == [6.6433, 44.8986]
    assert config["radius_km"] == 3
    assert config["days"] == 7
    query = config["query"]
    assert isinstance(query, dict)
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in query["bbox"].split(","))
    # 3 km is 0.027° of latitude and, at 44.9°N, about 0.038° of longitude
    assert min_lat == pytest.approx(44.8986 - 0.02698, abs=1e-4)
    assert max_lat == pytest.approx(44.8986 + 0.02698, abs=1e-4)
    assert max_lon - 6.6433 == pytest.approx(0.0381, abs=5e-4)
    assert 6.6433 - min_lon == pytest.approx(0.0381, abs=5e-4)


async def test_species_of_the_month_names_the_commune(client: Client) -> None:
    response = await client.get("/widgets/species-of-the-month?commune=05093&lang=en&size=small")
    config = config_of(response.text)
    assert config["query"] == {
        "commune": "05093",
        "kind": "species",
        "occurrence_status": "present",
    }
    assert config["items"] == SIZES["small"].items
    assert '<p class="sub">Névache</p>' in response.text
    assert "<title>Species of the month · Névache</title>" in response.text


async def test_programme_widget_links_to_the_field_app_on_that_programme(client: Client) -> None:
    response = await client.get("/widgets/programme?programme=demo&lang=fr")
    config = config_of(response.text)
    assert config["query"] == {"programme": "demo", "occurrence_status": "present"}
    assert config["contribute"] == "http://127.0.0.1:8000/?programme=demo&lang=fr"
    assert (
        '<a class="cta" href="http://127.0.0.1:8000/?programme=demo&amp;lang=fr" '
        'target="_blank" rel="noopener">Participer</a>'
    ) in response.text


async def test_a_programme_filters_any_widget(client: Client) -> None:
    response = await client.get("/widgets/species-of-the-month?commune=05023&programme=flore")
    assert config_of(response.text)["query"] == {
        "occurrence_status": "present",
        "programme": "flore",
        "commune": "05023",
        "kind": "species",
    }


@pytest.mark.parametrize(
    ("url", "pointer", "code"),
    [
        ("/widgets/recent", "/query/near", "missing"),
        ("/widgets/recent?near=6.6", "/query/near", "invalid_format"),
        ("/widgets/recent?near=6.6,44.9,1", "/query/near", "invalid_format"),
        ("/widgets/recent?near=a,b", "/query/near", "invalid_format"),
        ("/widgets/recent?near=200,44.9", "/query/near", "out_of_range"),
        ("/widgets/recent?near=6.6,nan", "/query/near", "out_of_range"),
        ("/widgets/recent?near=6.6,44.9&radius_km=0.1", "/query/radius_km", "out_of_range"),
        ("/widgets/recent?near=6.6,44.9&radius_km=51", "/query/radius_km", "out_of_range"),
        ("/widgets/recent?near=6.6,44.9&days=0", "/query/days", "out_of_range"),
        ("/widgets/recent?near=6.6,44.9&days=1.5", "/query/days", "invalid_format"),
        ("/widgets/species-of-the-month", "/query/commune", "missing"),
        ("/widgets/species-of-the-month?commune=75056", "/query/commune", "unknown_commune"),
        ("/widgets/species-of-the-month?commune=5023", "/query/commune", "unknown_commune"),
        ("/widgets/programme", "/query/programme", "missing"),
        ("/widgets/programme?programme=Bad!", "/query/programme", "invalid_format"),
        ("/widgets/programme?programme=demo&lang=de", "/query/lang", "not_allowed"),
        ("/widgets/programme?programme=demo&size=huge", "/query/size", "not_allowed"),
        ("/widgets/programme?programme=demo&theme=pink", "/query/theme", "not_allowed"),
    ],
)
async def test_bad_parameters_are_named(client: Client, url: str, pointer: str, code: str) -> None:
    response = await client.get(url)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [(pointer, code)]


async def test_every_bad_widget_parameter_is_reported_at_once(client: Client) -> None:
    response = await client.get("/widgets/recent?near=x&radius_km=99&lang=de&size=xl&theme=0")
    assert {e["pointer"] for e in response.json()["errors"]} == {
        "/query/near",
        "/query/radius_km",
        "/query/lang",
        "/query/size",
        "/query/theme",
    }


async def test_allowed_origins_restrict_framing_and_cors(dsn: str, settings: Settings) -> None:
    restricted = Settings.from_env(
        {
            "CAIRN_DATA_DIR": str(settings.data_dir),
            "CAIRN_WIDGET_ORIGINS": "https://hotel.example,https://*.resort.example",
        }
    )
    async with AsyncTestClient(app=create_app(restricted, dsn)) as client:
        page = await client.get("/widgets/programme?programme=demo")
        assert page.headers["content-security-policy"].endswith(
            "frame-ancestors 'self' https://hotel.example https://*.resort.example"
        )
        allowed = await client.get(
            "/widgets/embed.js", headers={"Origin": "https://www.resort.example"}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://www.resort.example"
        assert allowed.headers["vary"] == "Origin"
        refused = await client.get("/widgets/embed.js", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in refused.headers


async def test_assets_are_versioned_and_cached(client: Client) -> None:
    page = await client.get("/widgets/programme?programme=demo")
    for name in ("widget.js", "widget.css"):
        version = assets()[name].version
        assert f"assets/{name}?v={version}" in page.text
        current = await client.get(f"/widgets/assets/{name}?v={version}")
        assert current.status_code == 200
        assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
        old = await client.get(f"/widgets/assets/{name}?v=0000")
        assert old.headers["cache-control"] == "public, max-age=3600"
    script = await client.get(f"/widgets/assets/widget.js?v={assets()['widget.js'].version}")
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    missing = await client.get("/widgets/assets/nope.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_embed_script_carries_titles_and_sizes(client: Client) -> None:
    response = await client.get("/widgets/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["access-control-allow-origin"] == "*"
    assert "__TITLES__" not in response.text
    assert WORDS["it"].titles["species-of-the-month"] in response.text
    assert '"large":[480,600]' in response.text


WEIGHT_BUDGET = {"widget.js": 3_000, "widget.css": 1_000, "embed.js": 1_200}
"""Gzipped bytes: "a few KB" for everything a host page pulls in."""


@pytest.mark.parametrize("name", list(WEIGHT_BUDGET))
def test_assets_stay_light(name: str) -> None:
    assert len(gzip.compress(assets()[name].body, 9)) <= WEIGHT_BUDGET[name]


async def test_pages_stay_light(client: Client) -> None:
    for widget, query in PAGES.items():
        response = await client.get(f"/widgets/{widget}?{query}")
        assert len(gzip.compress(response.content, 9)) <= 2_000, widget
