"""Schemas, taxon search and the offline bundle, over HTTP on the real reference data."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


async def test_schemas_are_listed_and_served_with_three_languages(client: Client) -> None:
    listing = (await client.get("/api/v1/schemas")).json()["items"]
    kinds = {(s["kind"], s["version"]) for s in listing}
    assert {("species", 1), ("heritage", 1)} <= kinds
    for entry in listing:
        assert set(entry["title"]) == {"fr", "en", "it"}
        document = await client.get(entry["url"])
        assert document.status_code == 200
        schema = document.json()
        assert schema["$schema"].endswith("2020-12/schema")
        for name, prop in schema["properties"].items():
            assert set(prop["x-i18n"]) == {"fr", "en", "it"}, name
            for value in prop.get("enum", []):
                assert set(prop["x-enum-i18n"][value]) == {"fr", "en", "it"}, (name, value)
    assert (await client.get("/api/v1/schemas/species/999")).status_code == 404


@pytest.mark.parametrize(
    ("query", "lang", "expected"),
    [
        ("bouquetin", "fr", 61098),
        ("Bouquetin des Alpes", "fr", 61098),
        ("BOUQUETIN", "fr", 61098),
        ("Capra ibex", "fr", 61098),
        ("capra", "fr", 61098),
        ("gypaete", "fr", 2852),
        ("Gypaète barbu", "fr", 2852),
        ("bouquetn", "fr", 61098),
    ],
)
async def test_search_is_accent_case_and_typo_tolerant(
    client: Client, query: str, lang: str, expected: int
) -> None:
    response = await client.get("/api/v1/taxa", params={"q": query, "lang": lang})
    assert response.status_code == 200
    codes = [item["cd_nom"] for item in response.json()["items"]]
    assert expected in codes[:5], (query, codes[:5])


async def test_gentianne_finds_gentians(client: Client) -> None:
    items = (await client.get("/api/v1/taxa", params={"q": "gentianne"})).json()["items"]
    names = [f"{i['scientific_name']} {i['vernacular_name'] or ''}".lower() for i in items[:10]]
    assert names, "no result for a misspelt gentian"
    assert all("gentian" in n for n in names[:5]), names[:5]


async def test_search_refuses_a_too_short_query(client: Client) -> None:
    response = await client.get("/api/v1/taxa", params={"q": "g"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_synonym_names_its_valid_taxon(client: Client) -> None:
    synonym = (await client.get("/api/v1/taxa/99989")).json()
    assert synonym["is_valid_name"] is False
    assert synonym["cd_ref"] == 92220
    assert synonym["valid_name"]["cd_nom"] == 92220
    assert (await client.get("/api/v1/taxa/1")).status_code == 404


async def test_bundle_has_the_territory_and_answers_304_to_its_etag(client: Client) -> None:
    first = await client.get("/api/v1/reference/bundle")
    assert first.status_code == 200
    bundle = first.json()
    assert len(bundle["communes"]) == 36
    assert {c["slug"] for c in bundle["heritage_categories"]} >= {"chapel", "sundial", "bread_oven"}
    ibex = next(t for t in bundle["taxa"] if t["cd_nom"] == 61098)
    assert ibex["vernacular_fr"] == "Bouquetin des Alpes"
    assert all(t["cd_nom"] == t["cd_ref"] for t in bundle["taxa"])
    etag = first.headers["etag"]
    again = await client.get("/api/v1/reference/bundle", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


async def test_the_bundle_travels_compressed_to_clients_that_accept_it(client: Client) -> None:
    plain = await client.get("/api/v1/reference/bundle", headers={"Accept-Encoding": "identity"})
    packed = await client.get("/api/v1/reference/bundle", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    assert packed.json() == plain.json()  # httpx decompresses
