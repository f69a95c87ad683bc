"""A hiker looks for a species, does not find it, and records the absence with no signal:
the form hides the count as soon as "searched for, not found" is chosen, the outbox keeps
the record, and once online it reaches the server as an absence, with no count; the
moderator sees it is one."""

from __future__ import annotations

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, BrowserContext, expect

from tests.browser import until_true
from tests.factories import observation_payload, signed
from tests.pwa.test_field_app import eventually, installed, observation_count, open_details
from tests.pwa.test_staff_screens import signed_in
from tests.world import add_staff

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


async def test_a_moderator_sees_that_a_record_is_an_absence(
    browser: Browser, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_staff(db, "moderator@petr.example", "moderator", programme="default")
    absent = observation_payload(data={"cd_nom": 61098, "occurrence_status": "absent"})
    seen = observation_payload(data={"cd_nom": 61098, "count": 2})
    for payload in (absent, seen):
        answer = await client.post(
            "/api/v1/observations", json=payload, headers=await signed(client)
        )
        assert answer.status_code == 201, answer.text
    desk = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        page = await signed_in(desk, cairn_url, "moderator@petr.example")
        await expect(page.locator(".queue-item")).to_have_count(2)
        marked = page.locator(".queue-item .flag.absence")
        await expect(marked).to_have_count(1)
        await expect(marked).to_have_text("absence: searched for, not found")
        await expect(page.locator(f".queue-item[data-id='{absent['id']}'] .absence")).to_have_count(
            1
        )
        await page.locator(f".queue-item[data-id='{absent['id']}'] button.link").click()
        await expect(page.locator(".detail p.absence")).to_have_text(
            "absence: searched for, not found"
        )
        await page.locator(f".queue-item[data-id='{seen['id']}'] button.link").click()
        await expect(page.locator(".detail p.absence")).to_have_count(0)
    finally:
        await desk.close()
