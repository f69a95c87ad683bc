"""Bad QR/poster parameters: a 422 naming each bad one, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.core.errors import InvalidInputError
from cairn.share.model import POSTER_FORMATS, QR_FORMATS, parse_request

Client = AsyncTestClient[Litestar]


@pytest.mark.parametrize(
    ("query", "pointer", "code"),
    [
        ("", "/query/programme", "missing"),
        ("programme=", "/query/programme", "missing"),
        ("programme=Demo", "/query/programme", "invalid_format"),
        ("programme=1demo", "/query/programme", "invalid_format"),
        ("programme=de mo", "/query/programme", "invalid_format"),
        ("programme=" + "a" * 64, "/query/programme", "too_long"),
        ("programme=demo&lang=de", "/query/lang", "not_allowed"),
        ("programme=demo&format=jpg", "/query/format", "not_allowed"),
        ("programme=demo&place=%20%20", "/query/place", "too_short"),
        ("programme=demo&place=" + "x" * 61, "/query/place", "too_long"),
        ("programme=demo&place=a%E2%80%8Bb", "/query/place", "invalid_character"),
        ("programme=demo&scale=0", "/query/scale", "out_of_range"),
        ("programme=demo&scale=41", "/query/scale", "out_of_range"),
        ("programme=demo&scale=2.5", "/query/scale", "invalid_format"),
        ("programme=demo&scale=nan", "/query/scale", "out_of_range"),
        ("programme=demo&scale=ten", "/query/scale", "invalid_format"),
    ],
)
async def test_each_bad_qr_parameter_is_named(
    client: Client, query: str, pointer: str, code: str
) -> None:
    response = await client.get(f"/api/v1/share/qr?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [(e["pointer"], e["code"]) for e in body["errors"]] == [(pointer, code)]


async def test_every_bad_parameter_is_reported_at_once(client: Client) -> None:
    response = await client.get("/api/v1/share/poster?lang=xx&format=png&place=%01")
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {
        "/query/programme",
        "/query/lang",
        "/query/format",
        "/query/place",
    }


async def test_a_repeated_parameter_is_a_clear_4xx(client: Client) -> None:
    for url in (
        "/api/v1/share/qr?programme=a&programme=b",
        "/api/v1/share/poster?programme=a&place=x&programme=a",
        "/widgets/programme?programme=a&programme=b",
    ):
        response = await client.get(url)
        assert response.status_code == 422, url
        assert response.headers["content-type"].startswith("application/problem+json")
        [error] = response.json()["errors"]
        assert (error["pointer"], error["code"]) == ("/query/programme", "invalid")


async def test_posters_are_pdf_or_svg_only(client: Client) -> None:
    response = await client.get("/api/v1/share/poster?programme=demo&format=png")
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/query/format"


async def test_place_whitespace_is_normalised_into_the_same_code(client: Client) -> None:
    tidy = await client.get("/api/v1/share/qr?programme=demo&place=Pont%20de%20l%27Alpe")
    messy = await client.get("/api/v1/share/qr?programme=demo&place=%20Pont%20%20de%0Al%27Alpe%20")
    assert messy.status_code == 200
    assert messy.content == tidy.content


optional_text = st.none() | st.text(max_size=80)


@given(optional_text, optional_text, optional_text, optional_text, optional_text)
def test_any_query_either_parses_or_lists_its_errors(
    programme: str | None, place: str | None, lang: str | None, fmt: str | None, scale: str | None
) -> None:
    for formats in (QR_FORMATS, POSTER_FORMATS):
        try:
            checked = parse_request(
                programme=programme, place=place, lang=lang, fmt=fmt, formats=formats, scale=scale
            )
        except InvalidInputError as exc:
            assert exc.errors
            assert all(e.pointer.startswith("/query/") for e in exc.errors)
        else:
            assert checked.target.programme == programme
            assert checked.format in formats
            assert 1 <= checked.scale <= 40
