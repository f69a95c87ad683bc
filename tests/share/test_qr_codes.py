"""Trail QR codes: the generated images scan back to the field app's deep link."""

from __future__ import annotations

import unicodedata

import pytest
from defusedxml import ElementTree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.settings import Settings
from cairn.share import posters as qr
from cairn.share.model import ShareTarget, deep_link
from tests import qrdecode

Client = AsyncTestClient[Litestar]
BASE = "http://127.0.0.1:8000"


async def test_png_decodes_to_the_deep_link(client: Client) -> None:
    response = await client.get(
        "/api/v1/share/qr",
        params={"programme": "demo", "place": "Refuge de l'Alpe", "lang": "en", "format": "png"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    [link] = qrdecode.decode(qrdecode.png(response.content))
    assert qrdecode.link_parts(link) == (
        BASE,
        "/",
        {"programme": "demo", "place": "Refuge de l'Alpe", "lang": "en"},
    )


async def test_svg_is_the_default_and_decodes_once_rasterised(client: Client) -> None:
    response = await client.get("/api/v1/share/qr", params={"programme": "flore-2026"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "flore-2026"
    [link] = qrdecode.decode(qrdecode.svg(response.content, dpi=96))
    assert link == f"{BASE}/?programme=flore-2026"


async def test_scale_sets_the_png_size(client: Client) -> None:
    small = await client.get("/api/v1/share/qr?programme=demo&format=png&scale=2")
    large = await client.get("/api/v1/share/qr?programme=demo&format=png&scale=20")
    small_side = qrdecode.png(small.content).size[0]
    large_side = qrdecode.png(large.content).size[0]
    assert large_side == small_side * 10
    assert qrdecode.decode(qrdecode.png(small.content)) == [f"{BASE}/?programme=demo"]


async def test_the_link_uses_the_configured_public_address(dsn: str, settings: Settings) -> None:
    public = Settings.from_env(
        {"CAIRN_DATA_DIR": str(settings.data_dir), "CAIRN_BASE_URL": "https://cairn.example.org/"}
    )
    async with AsyncTestClient(app=create_app(public, dsn)) as client:
        response = await client.get("/api/v1/share/qr?programme=demo&format=png")
    assert qrdecode.decode(qrdecode.png(response.content)) == [
        "https://cairn.example.org/?programme=demo"
    ]


async def test_caching_headers_and_revalidation(client: Client) -> None:
    url = "/api/v1/share/qr?programme=demo&format=png"
    first = await client.get(url)
    assert first.headers["cache-control"] == "public, max-age=86400"
    assert first.headers["content-disposition"] == 'inline; filename="cairn-demo-qr.png"'
    etag = first.headers["etag"]
    again = await client.get(url)
    assert again.headers["etag"] == etag, "the same request must give the same bytes"
    revalidated = await client.get(url, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304
    assert revalidated.content == b""
    other = await client.get(url + "&lang=fr")
    assert other.headers["etag"] != etag
    stale = await client.get(url, headers={"If-None-Match": other.headers["etag"]})
    assert stale.status_code == 200


slugs = st.from_regex(r"[a-z][a-z0-9_-]{0,62}", fullmatch=True)
words = st.text(
    alphabet=st.characters(blacklist_categories=("C", "Z"), blacklist_characters="\u2028\u2029"),
    min_size=1,
    max_size=12,
)
places = st.lists(words, min_size=1, max_size=5).map(" ".join).filter(lambda p: len(p) <= 60)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slugs, st.none() | places, st.sampled_from([None, "fr", "en", "it"]))
def test_every_generated_code_decodes_to_its_link(
    programme: str, place: str | None, lang: str | None
) -> None:
    target = ShareTarget(
        programme=programme,
        place=None if place is None else unicodedata.normalize("NFC", place),
        lang=lang,
    )
    link = deep_link(BASE, target)
    [decoded] = qrdecode.decode(qrdecode.png(qr.qr_png(qr.encode(link), 4)))
    expected = {"programme": programme}
    if target.place is not None:
        expected["place"] = target.place
    if lang is not None:
        expected["lang"] = lang
    assert qrdecode.link_parts(decoded) == (BASE, "/", expected)


@pytest.mark.parametrize("length", [1, 30, 60])
def test_the_longest_places_still_make_a_code_a_phone_reads(length: int) -> None:
    """Sixty 4-byte characters are the worst case: 720 bytes of percent-escapes."""
    place = "\U0001f3d4" * length
    link = deep_link(BASE, ShareTarget(programme="p" * 63, place=place, lang="it"))
    code = qr.encode(link)
    assert code.version is not None
    assert qrdecode.decode(qrdecode.png(qr.qr_png(code, 3))) == [link]
