"""French and Italian widgets, and the builder in those languages, explain mistakes in them."""

from __future__ import annotations

import html

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.core.languages import LANGS
from cairn.widgets.messages import TEXTS, TITLES

Client = AsyncTestClient[Litestar]

BAD = [
    ("recent?", "near", "missing"),
    ("recent?near=6.6", "near", "invalid_format"),
    ("recent?near=200,44.9", "near", "out_of_range"),
    ("recent?near=6.6,44.9&radius_km=x", "radius_km", "invalid_format"),
    ("recent?near=6.6,44.9&radius_km=51", "radius_km", "out_of_range"),
    ("recent?near=6.6,44.9&days=1.5", "days", "invalid_format"),
    ("recent?near=6.6,44.9&days=0", "days", "out_of_range"),
    ("species-of-the-month?", "commune", "missing"),
    ("species-of-the-month?commune=75056", "commune", "unknown_commune"),
    ("programme?", "programme", "missing"),
    ("programme?programme=" + "a" * 64, "programme", "too_long"),
    ("programme?programme=Bad!", "programme", "invalid_format"),
    ("programme?programme=demo&size=huge", "size", "not_allowed"),
    ("programme?programme=demo&theme=pink", "theme", "not_allowed"),
    ("programme?programme=demo&programme=demo", "programme", "invalid"),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("query", "name", "code"), BAD)
async def test_a_widgets_errors_are_in_its_language(
    client: Client, lang: str, query: str, name: str, code: str
) -> None:
    response = await client.get(f"/widgets/{query}&lang={lang}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["content-language"] == lang
    problem = response.json()
    assert problem["title"] == TITLES[lang]
    assert problem["code"] == "validation_failed"
    [error] = problem["errors"]
    assert (error["pointer"], error["code"]) == (f"/query/{name}", code)
    assert error["detail"] == TEXTS[lang].get(f"{name}.{code}", TEXTS[lang].get(code))


async def test_without_a_usable_lang_the_browsers_language_speaks(client: Client) -> None:
    response = await client.get(
        "/widgets/recent?lang=de", headers={"Accept-Language": "it-CH, fr;q=0.5"}
    )
    assert response.headers["content-language"] == "it"
    details = {e["pointer"]: e["detail"] for e in response.json()["errors"]}
    assert details == {
        "/query/lang": TEXTS["it"]["lang.not_allowed"],
        "/query/near": TEXTS["it"]["near.missing"],
    }
    french = await client.get("/widgets/recent")
    assert french.json()["errors"][0]["detail"] == TEXTS["fr"]["near.missing"]


async def test_the_builder_shows_mistakes_in_its_own_language(client: Client) -> None:
    italian = await client.get("/widgets/?ui=it&widget=species-of-the-month&commune=99999&lang=en")
    assert html.escape(TEXTS["it"]["commune.unknown_commune"], quote=False) in italian.text
    french = await client.get("/widgets/?ui=fr&widget=weather")
    assert html.escape(TEXTS["fr"]["widget.not_allowed"], quote=False) in french.text
    english = await client.get("/widgets/?ui=en&widget=recent&near=x&days=0")
    for key in ("near.invalid_format", "days.out_of_range"):
        assert html.escape(TEXTS["en"][key], quote=False) in english.text
