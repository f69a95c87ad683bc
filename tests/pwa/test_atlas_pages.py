"""Atlas pages, impact and dashboard in the browser: charts, maps, axe, nothing withheld shown."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import BrowserContext, expect

from tests.atlas.test_atlas import at, validated
from tests.browser import serious_violations
from tests.pwa.test_field_app import ARTIFACTS, installed
from tests.world import (
    PASSWORD,
    add_programme,
    add_staff,
    plain_taxon,
    sensitive_taxon,
)

pytestmark = pytest.mark.browser

PRECISE = (6.512345, 44.912345)


async def test_atlas_pages_render_with_charts_and_maps_and_pass_axe(
    phone: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_programme(db, "sentinelles")
    plain, sensitive = plain_taxon(), sensitive_taxon()
    for month in ("05", "06", "06", "07"):
        await validated(
            client,
            db,
            data={"cd_nom": plain},
            programme="sentinelles",
            observed_at=f"2025-{month}-10T09:00:00+02:00",
        )
    await validated(client, db, data={"cd_nom": sensitive}, location=at(*PRECISE, altitude=2345))
    page = await installed(phone, cairn_url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "atlas-taxon": f"/#/atlas/taxon/{plain}",
        "atlas-sensitive": f"/#/atlas/taxon/{sensitive}",
        "atlas-commune": "/#/atlas/commune/05023",
        "atlas-programme": "/#/atlas/programme/sentinelles",
        "atlas-heritage": "/#/atlas/heritage/sundial",
        "atlas-index": "/#/atlas",
    }
    problems = {}
    for name, path in pages.items():
        await page.goto(cairn_url + path)
        await page.wait_for_selector("main h1")
        await asyncio.sleep(0.4)
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        problems[name] = await serious_violations(page)
        assert "null" not in (await page.inner_text("main")).split(), name
        if name == "atlas-taxon":
            await expect(page.locator("svg.chart").first).to_be_visible()
            assert "juin 2" in (await page.get_attribute("svg.chart", "aria-label") or "")
            await expect(page.locator("#atlas-map path.leaflet-interactive")).to_have_count(1)
        if name == "atlas-sensitive":
            text = await page.inner_text("main")
            assert "6.512345" not in text and "2345" not in text
            assert "précision réduite" in text
    assert problems == {name: [] for name in pages}


async def test_impact_and_dashboard_screens(
    phone: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_staff(db, "admin@petr.example", "admin", organisation="petr")
    page = await installed(phone, cairn_url)
    await page.goto(cairn_url + "/#/impact")
    await page.wait_for_selector("main h1")
    assert await serious_violations(page) == []
    await page.goto(cairn_url + "/#/staff")
    await page.fill("#email", "admin@petr.example")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector(".staff-head")
    await page.goto(cairn_url + "/#/dashboard")
    await page.wait_for_selector(".figures")
    await page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert await serious_violations(page) == []
