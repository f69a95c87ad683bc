"""Sites travel in the offline bundle; a site's history comes from the open data only."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import asyncpg
from defusedxml import ElementTree

from cairn.atlas.pages import site_cells
from cairn.core.grid import cell_centre, cell_code
from cairn.programmes.model import Texts
from cairn.sites.model import PublicSite, SiteGeneralisation
from tests.atlas.test_shared_pages import PageTags
from tests.factories import new_device, observation_payload
from tests.privacy.helpers import GENTIAN, VULTURE, publish, send
from tests.sites.helpers import BRIANCON, GUILLESTRE, make_site, point, site_admin, square
from tests.world import Client

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


async def test_the_bundle_carries_the_sites_in_use(client: Client, db: asyncpg.Connection) -> None:
    before = await client.get("/api/v1/reference/bundle")
    assert before.json()["sites"] == []
    admin = await site_admin(client, db)
    pond = await make_site(client, admin, BRIANCON, name="Mare")
    wash_house = await make_site(client, admin, geometry=square(GUILLESTRE), name="Lavoir")
    old = await make_site(client, admin, GUILLESTRE, name="Ancien nichoir")
    await client.patch(
        f"/api/v1/programmes/default/sites/{old['id']}", json={"archived": True}, headers=admin
    )
    after = await client.get("/api/v1/reference/bundle")
    assert after.headers["etag"] != before.headers["etag"]
    offline = {s["id"]: s for s in after.json()["sites"]}
    assert set(offline) == {pond["id"], wash_house["id"]}
    assert offline[wash_house["id"]]["geometry"] == square(GUILLESTRE)
    assert offline[pond["id"]]["name"]["it"] == "Mare (it)"
    # Two sites with three-language names and descriptions: well under a kilobyte each.
    assert len(after.content) - len(before.content) < 2 * 1_000


async def test_a_sites_history_counts_only_public_records(
    client: Client, db: asyncpg.Connection
) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON)
    _, headers = await new_device(client)

    async def at(day: str, count: int, taxon: int = GENTIAN) -> str:
        payload = observation_payload(
            observed_at=f"{day}T09:00:00+02:00",
            location={"lon": BRIANCON[0], "lat": BRIANCON[1], "accuracy_m": 5},
            data={"cd_nom": taxon, "count": count},
            site_id=site["id"],
        )
        sent = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert sent.status_code == 201, sent.text
        return str(payload["id"])

    first = [await at("2026-06-01", 3), await at("2026-06-01", 4)]
    second = await at("2026-06-20", 7)
    pending = await at("2026-06-20", 100)  # never validated: not public
    sensitive = await at("2026-06-20", 50, VULTURE)  # level 2 at a precise site: not linked
    await publish(db, *first, second, sensitive)
    assert pending

    history = (await client.get(f"/api/v1/atlas/sites/{site['id']}/history")).json()
    assert history["site"]["id"] == site["id"]
    assert history["visits"] == [
        {"date": "2026-06-01", "records": 2, "count": 7, "condition": None},
        {"date": "2026-06-20", "records": 1, "count": 7, "condition": None},
    ]
    ogc = await client.get("/ogc/collections/observations/items", params={"site_id": site["id"]})
    assert {f["id"] for f in ogc.json()["features"]} == {*first, second}
    queryables = (await client.get("/ogc/collections/observations/queryables")).json()
    assert "site_id" in queryables["properties"]
    missing = await client.get(f"/api/v1/atlas/sites/{uuid.uuid4()}/history")
    assert missing.status_code == 404


async def test_a_hidden_site_has_no_history(client: Client, db: asyncpg.Connection) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON, sensitive=4)
    _, headers = await new_device(client)
    record = await send(client, headers, GENTIAN, BRIANCON, site_id=site["id"])
    await publish(db, record["id"])
    assert (await client.get(f"/api/v1/atlas/sites/{site['id']}/history")).status_code == 404


async def test_a_site_has_a_shareable_page_with_its_card_listed_in_the_sitemap(
    client: Client, db: asyncpg.Connection
) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON, name="Mare")
    hidden = await make_site(client, admin, BRIANCON, name="Aire", sensitive=4)
    _, headers = await new_device(client)
    record = await send(client, headers, GENTIAN, BRIANCON, site_id=site["id"])
    await publish(db, record["id"])

    page = await client.get(f"/atlas/site/{site['id']}", params={"lang": "en"})
    assert page.status_code == 200, page.text
    tags = PageTags()
    tags.feed(page.text)
    assert tags.one("og:title").startswith("Mare (en)")
    assert "1 validated observation over 1 visit day" in tags.one("og:description")
    card = await client.get(f"/atlas/site/{site['id']}/card.png")
    assert (card.status_code, card.headers["content-type"]) == (200, "image/png")
    assert (await client.get(f"/atlas/site/{hidden['id']}")).status_code == 404
    assert (await client.get("/atlas/site/not-an-id")).status_code == 404

    root = ElementTree.fromstring((await client.get("/sitemap.xml")).content)
    paths = {urlsplit(loc.text or "").path for loc in root.iter(f"{SITEMAP}loc")}
    assert f"/atlas/site/{site['id']}" in paths
    assert f"/atlas/site/{hidden['id']}" not in paths


def test_a_sites_card_shows_no_cell_finer_than_its_public_view() -> None:
    def public(level: int, geometry: dict[str, object] | None, code: str | None) -> PublicSite:
        method = {0: None, 1: "commune", 2: "grid_10km", 3: "departement"}[level]
        shown = None if method is None else SiteGeneralisation(level, method, code, None)
        return PublicSite(
            id=uuid.uuid4(), programme="default", name=Texts("a", "b", "c"), description=None,
            geometry=geometry, archived=False, generalisation=shown,
        )  # fmt: skip

    briancon = cell_code(*BRIANCON, "10km")
    assert site_cells(public(0, point(BRIANCON), None)) == [briancon]
    assert site_cells(public(2, point(cell_centre(briancon)), briancon)) == [briancon]
    assert site_cells(public(1, point(BRIANCON), "05023")) == []
    assert site_cells(public(3, None, "05")) == []
