"""A shared atlas address in Chromium: readable without JavaScript, then taken over by the app."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, expect

from tests.atlas.test_atlas import validated
from tests.pwa.test_field_app import PHONE, answer_tile
from tests.world import plain_taxon

pytestmark = pytest.mark.browser


async def test_an_atlas_address_is_read_without_javascript_then_the_app_takes_it_over(
    browser: Browser, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    taxon = plain_taxon()
    await validated(client, db, data={"cd_nom": taxon})
    address = f"{cairn_url}/atlas/taxon/{taxon}?lang=en"

    without_script = await browser.new_context(java_script_enabled=False, locale="en-GB")
    page = await without_script.new_page()
    await page.goto(address)
    server_page = page.locator(f'article[data-server-page="/atlas/taxon/{taxon}"]')
    await expect(server_page).to_be_visible()
    await expect(server_page.locator(".figure-value").first).to_have_text("1")
    image = page.locator('meta[property="og:image"]')
    assert (
        await image.get_attribute("content") == f"{cairn_url}/atlas/taxon/{taxon}/card.png?lang=en"
    )
    await without_script.close()

    context = await browser.new_context(viewport=PHONE, locale="en-GB")
    await context.route("https://tile.openstreetmap.org/**", answer_tile)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(address)
    await page.wait_for_selector('body[data-ready="true"]')
    await expect(page.locator("article[data-server-page]")).to_have_count(0)
    await expect(page.locator("#atlas-map")).to_be_visible()  # drawn by the app, not the server
    await expect(page.locator("#tabs a")).not_to_have_count(0)
    assert await page.evaluate("location.pathname") == f"/atlas/taxon/{taxon}"
    await page.locator('#tabs a[href="#/"]').click()
    await expect(page.locator("#atlas-map")).to_have_count(0)  # the app's own navigation goes on
    assert errors == []
    await context.close()
