"""The field app in Chromium: a site QR code prefills the record; the nearest sites come first."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, expect

from tests.browser import until_true
from tests.pwa.test_field_app import PHONE, answer_tile, open_details
from tests.sites.helpers import BRIANCON, GUILLESTRE, make_site, site_admin
from tests.world import Client

pytestmark = pytest.mark.browser


async def phone(browser: Browser, *, gps: tuple[float, float] | None) -> BrowserContext:
    """A phone; `gps` None: no position at all (the hiker refused it, or has no fix)."""
    located = {} if gps is None else {
        "geolocation": {"longitude": gps[0], "latitude": gps[1], "accuracy": 8},
        "permissions": ["geolocation"],
    }  # fmt: skip
    context = await browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR", **located
    )
    await context.route("https://tile.openstreetmap.org/**", answer_tile)
    return context


async def test_a_sites_code_opens_the_form_on_the_site_with_its_position(
    browser: Browser, client: Client, db: asyncpg.Connection, cairn_url: str
) -> None:
    admin = await site_admin(client, db)
    pond = await make_site(client, admin, BRIANCON, name="Mare du Prorel")
    await make_site(client, admin, GUILLESTRE, name="Lavoir")
    context = await phone(browser, gps=None)
    page = await context.new_page()
    await page.goto(f"{cairn_url}/?programme=default&site={pond['id']}")
    await page.wait_for_selector("body[data-ready=true]")
    await until_true(page, "location.hash === '#/record/species'")
    chosen = page.locator(f".site-step button[data-site='{pond['id']}']")
    await expect(chosen).to_have_attribute("aria-pressed", "true")
    await expect(page.locator(".site-step .site-note")).to_contain_text("site")
    await page.fill("#taxon-search", "bouquetin")
    await page.click("#taxon-results button.taxon >> nth=0")
    await open_details(page)
    await page.fill("#field-count", "2")
    await page.click("form.record-form button[type=submit]")

    for _ in range(200):
        row = await db.fetchrow("SELECT site_id, lon, lat, accuracy_m FROM observation")
        if row is not None:
            break
        await asyncio.sleep(0.1)
    assert row is not None, "the record never reached the server"
    assert str(row["site_id"]) == pond["id"]
    assert (row["lon"], row["lat"]) == BRIANCON  # no GPS fix: the site's own point
    assert row["accuracy_m"] is not None
    # The QR code's site was for that record: the next one starts with no site chosen.
    await page.goto(f"{cairn_url}/#/record/species")
    await page.reload()
    await page.wait_for_selector(".site-step:not([hidden])")
    await expect(page.locator(".site-step button[data-site='']")).to_have_attribute(
        "aria-pressed", "true"
    )
    await context.close()


async def test_the_record_form_offers_the_nearest_sites_first(
    browser: Browser, client: Client, db: asyncpg.Connection, cairn_url: str
) -> None:
    admin = await site_admin(client, db)
    far = await make_site(client, admin, BRIANCON, name="Loin")
    near = await make_site(client, admin, GUILLESTRE, name="Près")
    context = await phone(browser, gps=(GUILLESTRE[0] + 0.001, GUILLESTRE[1]))
    page = await context.new_page()
    await page.goto(f"{cairn_url}/?programme=default")
    await page.wait_for_selector("body[data-ready=true]")
    await page.goto(f"{cairn_url}/#/record/species")
    await page.wait_for_selector(".site-step:not([hidden])")
    await until_true(
        page, "document.querySelector('.site-step button').dataset.site !== ''"
        " && /\\d\\s*m$/.test(document.querySelector('.site-step button').textContent)",
    )  # fmt: skip
    order = await page.eval_on_selector_all(
        ".site-step button", "buttons => buttons.map((b) => b.dataset.site)"
    )
    assert order == [near["id"], far["id"], ""]
    await context.close()
