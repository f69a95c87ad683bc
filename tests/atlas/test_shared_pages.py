"""Shareable atlas addresses read as a chat preview or a search engine would: no JavaScript.

Each page is fetched through the real app, its tags parsed with html.parser,
its og:image fetched and decoded by Pillow; the card's cells are compared pixel
by pixel with the cells the open-data API publishes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import urlsplit

import asyncpg
import pytest
from defusedxml import ElementTree
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from cairn.atlas.card import CELL, HEIGHT, WIDTH, MapFrame
from cairn.core.grid import cell_code
from tests.atlas.test_atlas import at, validated
from tests.factories import new_device
from tests.world import add_staff, plain_taxon, sign_in, wait_for

Client = AsyncTestClient[Litestar]
BASE = "http://127.0.0.1:8000"


class PageTags(HTMLParser):
    """The head's title, meta tags and links, and the body's text, as a crawler reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.title = ""
        self.text: list[str] = []
        self.lang = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = values.get("lang", "")
        elif tag == "meta" and ("property" in values or "name" in values):
            key = values.get("property") or values["name"]
            self.meta.setdefault(key, []).append(values.get("content", ""))
        elif tag == "link":
            self.links.append(values)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif data.strip():
            self.text.append(data.strip())

    def one(self, key: str) -> str:
        assert len(self.meta.get(key, [])) == 1, f"{key}: {self.meta.get(key)}"
        return self.meta[key][0]

    def link(self, rel: str, hreflang: str | None = None) -> str:
        found = [
            link["href"]
            for link in self.links
            if link.get("rel") == rel and link.get("hreflang") == hreflang
        ]
        assert len(found) == 1, (rel, hreflang, found)
        return found[0]


def parse(html: str) -> PageTags:
    tags = PageTags()
    tags.feed(html)
    return tags


def local(url: str) -> str:
    """The path and query of one of Cairn's absolute URLs, to fetch through the test client."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def card_of(client: Client, tags: PageTags) -> Image.Image:
    response = await client.get(local(tags.one("og:image")))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG" and image.size == (WIDTH, HEIGHT) == (1200, 630)
    again = await client.get(
        local(tags.one("og:image")), headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    return image.convert("RGB")


def filled_cells(client: Client, image: Image.Image, candidates: set[str]) -> set[str]:
    """Which of `candidates` the card paints in the cell colour at the cell's centre."""
    frame = MapFrame(client.app.state.territory.outline_l93)
    return {code for code in candidates if image.getpixel(frame.cell_centre(code)) == CELL}


SUNDIAL = {"category": "sundial", "condition": "good"}


async def a_small_atlas(client: Client, db: asyncpg.Connection) -> int:
    """Two validated records of a plain taxon in two cells, and a sundial in Briançon."""
    taxon = plain_taxon()
    await validated(client, db, data={"cd_nom": taxon}, location=at(6.6433, 44.8986))
    await validated(client, db, data={"cd_nom": taxon}, location=at(6.70, 44.75))
    await validated(client, db, kind="heritage", data=SUNDIAL, location=at(6.6433, 44.8986))
    return taxon


async def test_each_atlas_address_carries_its_preview_and_its_figures(
    client: Client, db: asyncpg.Connection
) -> None:
    taxon = await a_small_atlas(client, db)
    pages = {
        f"/atlas/taxon/{taxon}": f"/api/v1/atlas/taxa/{taxon}",
        "/atlas/commune/05023": None,
        "/atlas/programme/default": None,
        "/atlas/heritage/sundial": None,
    }
    for path in pages:
        response = await client.get(f"{path}?lang=en")
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert response.headers["content-language"] == "en"
        assert "Accept-Language" in response.headers["vary"]
        tags = parse(response.text)
        assert tags.lang == "en"
        url = f"{BASE}{path}?lang=en"
        assert tags.link("canonical") == url == tags.one("og:url")
        assert tags.link("alternate", "fr") == f"{BASE}{path}?lang=fr"
        assert tags.link("alternate", "it") == f"{BASE}{path}?lang=it"
        assert tags.one("og:type") == "website"
        assert tags.one("og:locale") == "en_GB"
        assert sorted(tags.meta["og:locale:alternate"]) == ["fr_FR", "it_IT"]
        assert tags.one("twitter:card") == "summary_large_image"
        assert tags.one("og:image") == tags.one("twitter:image")
        assert tags.one("og:image") == f"{BASE}{path}/card.png?lang=en"
        assert tags.one("og:title") == tags.title.strip() and tags.title.strip()
        assert tags.one("description") == tags.one("og:description")
        assert "robots" not in tags.meta, "atlas pages are for search engines too"
        await card_of(client, tags)
    taxon_page = parse((await client.get(f"/atlas/taxon/{taxon}?lang=en")).text)
    assert "2 validated observations in 2 10\u00a0km cells" in taxon_page.one("description")
    assert "2" in taxon_page.text and "validated observations" in taxon_page.text
    await the_taxon_page_draws_its_charts_without_scripts(client, taxon)
    commune = parse((await client.get("/atlas/commune/05023?lang=en")).text)
    assert commune.one("og:title").startswith("Briançon")
    heritage = parse((await client.get("/atlas/heritage/sundial?lang=it")).text)
    assert heritage.one("og:locale") == "it_IT"
    assert "1 osservazione validata" in heritage.one("description")


async def the_taxon_page_draws_its_charts_without_scripts(client: Client, taxon: int) -> None:
    """Months and altitude bands as SVG bars in the page, each figure said in its label."""
    figures = (await client.get(f"/api/v1/atlas/taxa/{taxon}")).json()
    page = (await client.get(f"/atlas/taxon/{taxon}?lang=fr")).text
    labels = re.findall(r'<svg [^>]*class="chart" aria-label="([^"]*)"', page)
    assert len(labels) == 1 + bool(figures["altitude_bands"]), labels
    months = labels[0].removeprefix("Observations par mois: ").split(", ")
    assert [int(month.rsplit(" ", 1)[1]) for month in months] == figures["months"]
    assert months[0].startswith("janvier ") and sum(figures["months"]) == 2
    assert page.count("<rect ") == 12 + len(figures["altitude_bands"] or [])
    # It paints from its first answer: the app's stylesheet inside, the whole page gzipped.
    assert "<style>" in page and '<link rel="stylesheet"' not in page
    zipped = await client.get(f"/atlas/taxon/{taxon}?lang=fr", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.text == page
    assert "Accept-Encoding" in zipped.headers["vary"]
    again = await client.get(
        f"/atlas/taxon/{taxon}?lang=fr",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )
    assert again.status_code == 304


async def test_the_language_comes_from_lang_then_accept_language(client: Client) -> None:
    italian = await client.get(
        "/atlas/commune/05023", headers={"Accept-Language": "it-IT,en;q=0.5"}
    )
    assert parse(italian.text).lang == "it" and italian.headers["content-language"] == "it"
    preferred = await client.get(
        "/atlas/commune/05023", headers={"Accept-Language": "de, en;q=0.9, fr;q=0.8"}
    )
    assert parse(preferred.text).lang == "en"
    forced = await client.get("/atlas/commune/05023?lang=fr", headers={"Accept-Language": "it"})
    tags = parse(forced.text)
    assert tags.lang == "fr" and tags.one("og:locale") == "fr_FR"
    assert "observation validée" in tags.one("description") or "0 observation" in tags.one(
        "description"
    )
    unknown = await client.get("/atlas/commune/05023?lang=de", headers={"Accept-Language": "de"})
    assert parse(unknown.text).lang == "fr"


async def test_the_card_draws_the_public_cells_and_never_a_sensitive_records_own(
    client: Client, db: asyncpg.Connection
) -> None:
    """A rule levels one place of a plain taxon to its commune: its precise cell stays blank."""
    taxon = plain_taxon()
    await add_staff(db, "root@petr.fr", "admin")
    admin = await sign_in(client, "root@petr.fr")
    precise = (6.512345, 44.912345)
    nest = {
        "type": "Polygon",
        "coordinates": [
            [[6.48, 44.89], [6.54, 44.89], [6.54, 44.93], [6.48, 44.93], [6.48, 44.89]]
        ],
    }
    rule = await client.post(
        "/api/v1/sensitivity/rules",
        json={"cd_ref": taxon, "level": 1, "area": nest, "comment": "nesting area"},
        headers=admin,
    )
    assert rule.status_code == 202, rule.text
    assert (await wait_for(client, admin, rule.json()["job"]["id"]))["state"] == "done"
    await validated(client, db, data={"cd_nom": taxon}, location=at(*precise, altitude=2345))
    await validated(client, db, data={"cd_nom": taxon}, location=at(6.6433, 44.8986))
    open_data = (await client.get(f"/api/v1/observations?taxon={taxon}")).json()["items"]
    published = {o["grid_10km"] for o in open_data} - {None}
    precise_cell = cell_code(*precise, "10km")
    assert precise_cell not in published, "the policy generalises this record to its commune"
    assert published == {cell_code(6.6433, 44.8986, "10km")}

    response = await client.get(f"/atlas/taxon/{taxon}?lang=fr")
    assert "6.512345" not in response.text and "44.912345" not in response.text
    assert "2345" not in response.text and precise_cell not in response.text
    image = await card_of(client, parse(response.text))
    neighbours = {precise_cell, *published, cell_code(6.70, 44.75, "10km")}
    assert filled_cells(client, image, neighbours) == published
    atlas_cells = (await client.get(f"/api/v1/atlas/taxa/{taxon}")).json()["cells"]
    assert {c["code"] for c in atlas_cells} == published


async def test_a_commune_card_draws_the_cells_of_its_records(
    client: Client, db: asyncpg.Connection
) -> None:
    await a_small_atlas(client, db)
    tags = parse((await client.get("/atlas/commune/05023")).text)
    image = await card_of(client, tags)
    briancon = cell_code(6.6433, 44.8986, "10km")
    elsewhere = cell_code(6.70, 44.75, "10km")
    assert filled_cells(client, image, {briancon, elsewhere}) == {briancon}


@pytest.mark.parametrize(
    "path",
    [
        "/atlas/taxon/abc",
        "/atlas/taxon/0",
        "/atlas/taxon/99999999",
        "/atlas/taxon/123456789012345678901234567890",
        "/atlas/commune/9999",
        "/atlas/commune/99999",
        "/atlas/commune/05023x",
        "/atlas/programme/Bad!",
        "/atlas/programme/nothing-here",
        "/atlas/heritage/not_a_category",
        "/atlas/heritage/BAD",
        "/atlas/planet/earth",
        "/impact/not-a-share",
        "/impact/AAAAAAAAAAAAAAAAAAAAAA",
    ],
)
async def test_an_address_that_names_nothing_is_a_404_page(client: Client, path: str) -> None:
    browser = {"Accept": "text/html,*/*;q=0.8", "Accept-Language": "it"}
    response = await client.get(path, headers=browser)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    tags = parse(response.text)
    assert tags.lang == "it" and "Pagina non trovata" in tags.title
    assert tags.one("robots") == "noindex"
    for tool in (f"{path}/card.png", path):  # an image, or a script that wants no HTML
        answer = await client.get(tool, headers={"Accept": "*/*"})
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_synonym_redirects_to_its_valid_names_page(
    client: Client, db: asyncpg.Connection
) -> None:
    synonym = await db.fetchval("SELECT cd_nom FROM taxon WHERE cd_nom <> cd_ref LIMIT 1")
    if synonym is None:
        pytest.skip("the bundled reference holds no synonym")
    cd_ref = await db.fetchval("SELECT cd_ref FROM taxon WHERE cd_nom = $1", synonym)
    response = await client.get(f"/atlas/taxon/{synonym}?lang=it", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == f"/atlas/taxon/{cd_ref}?lang=it"


async def test_the_sitemap_lists_every_atlas_page_and_each_answers(
    client: Client, db: asyncpg.Connection
) -> None:
    taxon = await a_small_atlas(client, db)
    response = await client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{namespace}urlset"
    urls = [loc.text or "" for loc in root.iter(f"{namespace}loc")]
    paths = {urlsplit(url).path for url in urls}
    communes = await db.fetch("SELECT insee FROM commune")
    categories = await db.fetch("SELECT slug FROM heritage_category")
    assert f"/atlas/taxon/{taxon}" in paths
    assert {f"/atlas/commune/{r['insee']}" for r in communes} <= paths
    assert {f"/atlas/heritage/{r['slug']}" for r in categories} <= paths
    assert {"/atlas/programme/default", "/atlas/programme/demo"} <= paths
    unlisted = plain_taxon() + 1
    assert f"/atlas/taxon/{unlisted}" not in paths, "only taxa with public records"
    assert len(urls) == 3 * len(paths), "each page in fr, en and it"
    for url in urls:
        page = await client.get(local(url))
        assert page.status_code == 200, url
    robots = await client.get("/robots.txt")
    assert robots.status_code == 200
    assert robots.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.text.splitlines()


async def test_an_impact_link_is_random_revocable_and_shows_public_counts_only(
    client: Client, db: asyncpg.Connection
) -> None:
    device_id, headers = await new_device(client)
    token = headers["Authorization"].removeprefix("Bearer ")
    await client.put("/api/v1/me", json={"pseudonym": "Chamois05"}, headers=headers)
    taxon = plain_taxon()
    await validated(client, db, headers=headers, data={"cd_nom": taxon}, location=at(6.70, 44.75))
    await validated(client, db, headers=headers, location=at(6.512345, 44.912345))  # the ibex
    assert (await client.get("/api/v1/me/impact/share", headers=headers)).status_code == 404
    assert (await client.post("/api/v1/me/impact/share")).status_code == 401

    shared = await client.post("/api/v1/me/impact/share", headers=headers)
    assert shared.status_code == 200, shared.text
    share = shared.json()
    assert share["url"] == f"{BASE}/impact/{share['id']}"
    assert device_id not in share["url"] and token not in share["url"]
    again = await client.post("/api/v1/me/impact/share", headers=headers)
    assert again.json() == share
    assert (await client.get("/api/v1/me/impact/share", headers=headers)).json() == share
    export = zipfile.ZipFile(
        io.BytesIO((await client.get("/api/v1/me/export", headers=headers)).content)
    )
    assert json.loads(export.read("me.json"))["impact_share"] == share["id"], "data held about me"

    page = await client.get(local(share["url"]) + "?lang=en")
    assert page.status_code == 200
    tags = parse(page.text)
    assert tags.one("robots") == "noindex", "shareable, but not for search engines"
    assert tags.one("og:title") == "Chamois05's impact on Cairn"
    assert tags.one("description").startswith("2 validated observations, 2 species")
    for secret in (device_id, token, "6.512345", "44.912345", "10kmL93"):
        assert secret not in page.text
    image = await card_of(client, tags)
    ibex_cell = cell_code(6.512345, 44.912345, "10km")  # published, but generalised
    plain_cell = cell_code(6.70, 44.75, "10km")
    assert filled_cells(client, image, {ibex_cell, plain_cell}) == {plain_cell}

    revoked = await client.delete("/api/v1/me/impact/share", headers=headers)
    assert revoked.status_code == 204
    assert (await client.get(local(share["url"]))).status_code == 404
    assert (await client.get(local(share["url"]) + "/card.png")).status_code == 404
    assert (await client.delete("/api/v1/me/impact/share", headers=headers)).status_code == 404
    renewed = (await client.post("/api/v1/me/impact/share", headers=headers)).json()
    assert renewed["id"] != share["id"]
    erased = await client.request(
        "DELETE", "/api/v1/me", params={"observations": "anonymise"}, headers=headers
    )
    assert erased.status_code == 204, erased.text
    assert (await client.get(local(renewed["url"]))).status_code == 404
