"""A hiker looks for a species, does not find it, and records the absence with no signal:
the form hides the count as soon as "searched for, not found" is chosen, the outbox keeps
the record, and once online it reaches the server as an absence, with no count."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import BrowserContext

from tests.browser import until_true
from tests.pwa.test_field_app import eventually, installed, observation_count, open_details

pytestmark = pytest.mark.browser


async def test_an_absence_recorded_offline_is_sent_without_its_count(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    await page.goto(cairn_url + "/#/record/species")
    await page.wait_for_selector("#taxon-search")
    await page.fill("#taxon-search", "bouquetin")
    await page.click("#taxon-results button.taxon >> nth=0")
    found = page.locator("#field-occurrence_status")
    assert await found.is_visible(), "whether it was found is asked beside the taxon"
    options = await found.locator("option").all_inner_texts()
    assert "cherchée, non trouvée" in options and "oui, vue ou entendue" in options
    await open_details(page)
    await page.fill("#field-count", "3")  # typed before changing one's mind
    await found.select_option("absent")
    await until_true(page, "document.querySelector('[data-field=count]').hidden")
    assert await page.locator("[data-field=abundance_class]").is_hidden()
    await found.select_option("present")
    await until_true(page, "!document.querySelector('[data-field=count]').hidden")
    await found.select_option("absent")
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")
    await page.click("form.record-form button[type=submit]")
    await page.wait_for_selector(".records .record.state-waiting")
    assert "cherchée, non trouvée" in await page.inner_text(".records .record")
    assert await observation_count(db) == 0

    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def arrived() -> bool:
        return await observation_count(db) == 1

    await eventually(arrived)
    assert await db.fetchval("SELECT data FROM observation") == {
        "cd_nom": 61098,
        "occurrence_status": "absent",
    }
    await page.wait_for_selector(".records .record.state-sent")
