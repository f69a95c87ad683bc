"""A4 posters: the QR code on the printed page scans, and the words are there."""

from __future__ import annotations

import re

import asyncpg
import pytest
from defusedxml import ElementTree
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.share import posters as qr
from cairn.share.model import CALLS_TO_ACTION, POSTER_FORMATS, ShareTarget, deep_link
from tests import qrdecode
from tests.world import add_programme

Client = AsyncTestClient[Litestar]
BASE = "http://127.0.0.1:8000"
SVG = "{http://www.w3.org/2000/svg}"
A4_POINTS = (595.28, 841.89)


async def test_pdf_poster_decodes_to_the_deep_link(client: Client) -> None:
    response = await client.get(
        "/api/v1/share/poster",
        params={"programme": "demo", "place": "Col du Lautaret — panneau n°3", "lang": "it"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="cairn-demo-poster.pdf"'
    page = qrdecode.pdf_page(response.content)
    [link] = qrdecode.decode(page)
    assert qrdecode.link_parts(link) == (
        BASE,
        "/",
        {"programme": "demo", "place": "Col du Lautaret — panneau n°3", "lang": "it"},
    )
    width, height = page.size
    assert abs(width / height - A4_POINTS[0] / A4_POINTS[1]) < 0.01, "the page is A4"


async def test_pdf_poster_says_name_place_calls_to_action_and_the_link(client: Client) -> None:
    response = await client.get("/api/v1/share/poster?programme=papillons&place=Névache&lang=en")
    text = qrdecode.pdf_text(response.content)
    flat = " ".join(text.split())
    for expected in ["papillons", "Névache", *(c.headline for c in CALLS_TO_ACTION.values())]:
        assert expected in flat, expected
    assert CALLS_TO_ACTION["en"].scan in flat
    link = f"{BASE}/?programme=papillons&place=N%C3%A9vache&lang=en"
    assert link in "".join(text.split()), "the link is printed in plain text"
    assert flat.index(CALLS_TO_ACTION["en"].headline) < flat.index(CALLS_TO_ACTION["fr"].headline)


async def test_svg_poster_decodes_and_keeps_its_text_as_text(client: Client) -> None:
    response = await client.get(
        "/api/v1/share/poster",
        params={"programme": "demo", "place": "Ορεινό καταφύγιο", "format": "svg"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)
    assert root.get("viewBox") == "0 0 210.0 297.0"
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert "Ορεινό καταφύγιο" in texts
    assert CALLS_TO_ACTION["fr"].headline in texts, "French comes first by default"
    [link] = qrdecode.decode(qrdecode.svg(response.content))
    assert qrdecode.link_parts(link)[2] == {"programme": "demo", "place": "Ορεινό καταφύγιο"}


async def test_pdf_refuses_a_place_helvetica_cannot_print(client: Client) -> None:
    response = await client.get("/api/v1/share/poster?programme=demo&place=Ορεινό")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["pointer"] == "/query/place"
    assert error["code"] == "invalid_character"


async def test_the_printed_order_does_not_force_the_apps_language(client: Client) -> None:
    response = await client.get("/api/v1/share/poster?programme=demo&poster_lang=it")
    flat = " ".join(qrdecode.pdf_text(response.content).split())
    assert flat.index(CALLS_TO_ACTION["it"].headline) < flat.index(CALLS_TO_ACTION["fr"].headline)
    [link] = qrdecode.decode(qrdecode.pdf_page(response.content))
    assert link == f"{BASE}/?programme=demo", "each visitor's phone keeps its own language"
    bad = await client.get("/api/v1/share/poster?programme=demo&poster_lang=de")
    assert bad.json()["errors"][0]["pointer"] == "/query/poster_lang"


@pytest.mark.parametrize("fmt", POSTER_FORMATS)
async def test_the_same_poster_is_the_same_bytes_later(client: Client, fmt: str) -> None:
    """A PDF stamped with the time of the request would change its ETag every second.

    The only instant a poster may carry is the reproducible one, so its dates are read from the
    bytes themselves rather than waited for: a stamp of today fails at once, on any machine.
    """
    url = f"/api/v1/share/poster?programme=demo&format={fmt}"
    first = await client.get(url)
    assert first.headers["cache-control"] == "public, max-age=86400"
    stamps = re.findall(rb"D:(\d{8,14})", first.content)
    if fmt == "pdf":
        assert stamps == [qr.REPRODUCIBLE_DATE.strftime("%Y%m%d%H%M%S").encode()]
    else:
        assert stamps == [], "an SVG poster carries no date"
    later = await client.get(url)
    assert later.content == first.content
    revalidated = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304


cp1252_places = st.text(
    alphabet=st.characters(codec="cp1252", blacklist_categories=("C", "Z")),
    min_size=1,
    max_size=60,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.from_regex(r"[a-z][a-z0-9_-]{0,62}", fullmatch=True),
    st.none() | cp1252_places,
    st.sampled_from([None, "fr", "en", "it"]),
    st.sampled_from(["pdf", "svg"]),
)
def test_every_poster_decodes_to_its_link(
    programme: str, place: str | None, lang: str | None, fmt: str
) -> None:
    target = ShareTarget(programme=programme, place=place, lang=lang)
    link = deep_link(BASE, target)
    layout = qr.poster_layout(programme, target, link, qr.encode(link), lang or "fr")
    if fmt == "pdf":
        image = qrdecode.pdf_page(qr.poster_pdf(layout, programme), scale=1.5)
    else:
        image = qrdecode.svg(qr.poster_svg(layout, programme), dpi=110)
    assert qrdecode.decode(image) == [link]
    assert layout.lines[-1].y < 297 - 10, "everything fits on the page"


@pytest.mark.parametrize("lang", ["fr", "en", "it"])
def test_every_language_fits_on_the_page_with_the_longest_names(lang: str) -> None:
    target = ShareTarget(programme="p" * 63, place="W" * 60, lang=lang)
    link = deep_link(BASE, target)
    layout = qr.poster_layout("p" * 63, target, link, qr.encode(link), lang)
    assert layout.lines[-1].y < 297 - 10
    assert layout.lines[0].y > layout.band_h


@settings(max_examples=60, deadline=None)
@given(
    st.from_regex(r"[a-z][a-z0-9_-]{0,62}", fullmatch=True),
    st.none() | cp1252_places,
    st.sampled_from(["fr", "en", "it"]),
)
def test_every_line_fits_the_printable_width(programme: str, place: str | None, lang: str) -> None:
    """Measured by fpdf2 itself, as it prints: no word runs off the page, even in capitals."""
    target = ShareTarget(programme=programme, place=place, lang=lang)
    link = deep_link(BASE, target)
    layout = qr.poster_layout(programme, target, link, qr.encode(link), lang)
    pdf = FPDF(unit="mm")
    pdf.core_fonts_encoding = "windows-1252"
    for line in layout.lines:
        pdf.set_font("Courier" if line.mono else "Helvetica", "B" if line.bold else "", line.size)
        assert pdf.get_string_width(line.text) <= 210 - 2 * 15 + 1e-6, line
    assert "".join(line.text for line in layout.lines if line.mono) == link


def test_capitals_wrap_instead_of_running_off_the_page() -> None:
    target = ShareTarget(programme="demo", place="W" * 60)
    link = deep_link(BASE, target)
    layout = qr.poster_layout("demo", target, link, qr.encode(link), "fr")
    # Helvetica's W is 0.944 em: 5.33 mm at 16 pt, so 33 of them fill the 180 mm
    assert [line.text for line in layout.lines if line.text.startswith("W")] == [
        "W" * 33,
        "W" * 27,
    ]


def test_a_long_slug_breaks_after_a_hyphen() -> None:
    slug = "suivi-des-papillons-de-jour-en-haute-montagne-queyras-2026-2027"
    target = ShareTarget(programme=slug)
    link = deep_link(BASE, target)
    layout = qr.poster_layout(slug, target, link, qr.encode(link), "it")
    title = [line.text for line in layout.lines if line.size == 26]
    assert "".join(title) == slug
    assert len(title) == 2
    assert all(line.endswith("-") for line in title[:-1])


async def test_posters_and_widgets_show_the_programmes_name_in_their_language(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "sentinelles")
    names = {
        "fr": "Sentinelles des alpages",
        "en": "Alpine pasture sentinels",
        "it": "Sentinelle degli alpeggi",
    }
    await db.execute("UPDATE programme SET name = $1 WHERE slug = 'sentinelles'", names)
    french = await client.get("/api/v1/share/poster?programme=sentinelles&format=svg")
    assert "Sentinelles des alpages" in french.text
    english = await client.get(
        "/api/v1/share/poster?programme=sentinelles&format=svg&poster_lang=en"
    )
    assert "Alpine pasture sentinels" in english.text
    widget = await client.get("/widgets/programme?programme=sentinelles&lang=it")
    assert "Sentinelle degli alpeggi" in widget.text
    unknown = await client.get("/api/v1/share/poster?programme=not-yet-created&format=svg")
    assert "not-yet-created" in unknown.text
