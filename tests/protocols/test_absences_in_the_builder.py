"""The builder's "records absences" option in real browsers: an admin ticks it on a protocol
with a species and a count, the phone-size preview hides the count when "searched for, not
found" is chosen, the server stores the kind (the count no longer required), reopening the
version keeps the option, and a hiker records an absence with it offline that is sent later."""

from __future__ import annotations

import json

import asyncpg
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser import until_true
from tests.protocols.examples import COMMON_TOAD
from tests.pwa.test_field_app import eventually, installed
from tests.pwa.test_staff_screens import signed_in
from tests.world import add_staff

pytestmark = pytest.mark.browser

KIND = "pond_search"


async def build(page: Page) -> None:
    await page.get_by_role("link", name="Programme forms").click()
    for lang, text in (("fr", "Recherche à la mare"), ("en", "Pond search"), ("it", "Ricerca")):
        await page.fill(f"#kb-title-{lang}", text)
    await page.fill("#kb-kind", KIND)
    for kind, titles in (("taxon", ("Espèce", "Species", "Specie")),
                         ("count", ("Adultes", "Adults", "Adulti"))):  # fmt: skip
        await page.select_option("#kb-new-type", kind)
        await page.click("#kb-add")
        card = page.locator(".kb-field").last
        for lang, text in zip(("FR", "EN", "IT"), titles, strict=True):
            await card.get_by_label(f"Label ({lang})", exact=True).fill(text)
    await page.locator(".kb-field").last.get_by_label("Required").check()
    await page.check("#kb-absences")
    preview = page.locator("#kb-preview")
    found = preview.locator("#preview-occurrence_status")
    await expect(found).to_be_visible()
    await expect(preview.locator("#preview-adultes")).to_be_visible()
    await found.select_option("absent")
    await expect(preview.locator("#preview-adultes")).to_be_hidden()
    await page.click("#kb-save")
    await expect(page.locator("#kb-message")).to_contain_text("Draft saved")
    await page.click("#kb-publish")
    await expect(page.locator("#kb-message")).to_contain_text("Published")
    published = page.locator(f".kb-versions li[data-kind={KIND}][data-state=published]")
    await published.get_by_role("button").click()
    await expect(page.locator("#kb-absences")).to_be_checked()
    await expect(page.locator(".kb-field")).to_have_count(2)  # the option is no field of its own


async def record_absence_offline(phone: BrowserContext, url: str, db: asyncpg.Connection) -> Page:
    page = await installed(phone, url + "/?programme=default")
    protocol = page.locator(f".choice.protocol[data-kind={KIND}]")
    await expect(protocol).to_be_visible()
    await phone.set_offline(True)
    await protocol.click()
    await page.wait_for_selector("#field-adultes")
    await page.fill("#taxon-search", "crapaud commun")
    await page.click("#taxon-results button.taxon >> nth=0")
    await page.select_option("#field-occurrence_status", "absent")
    await expect(page.locator("#field-adultes")).to_be_hidden()
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")
    await page.click("form.record-form button[type=submit]")
    await expect(page.locator(".records .record")).to_contain_text("cherchée, non trouvée")
    assert await db.fetchval("SELECT count(*) FROM observation") == 0
    return page


async def test_a_protocol_built_to_record_absences_records_one_offline(
    browser: Browser, phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    await add_staff(db, "admin@petr.example", "admin", programme="default")
    desk = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        await build(await signed_in(desk, cairn_url, "admin@petr.example"))
    finally:
        await desk.close()
    schema = json.loads(
        await db.fetchval(
            "SELECT schema::text FROM programme_kind WHERE kind = $1 AND version = 1", KIND
        )
    )
    assert schema["x-order"] == ["cd_nom", "occurrence_status", "adultes"]
    assert schema["properties"]["occurrence_status"]["enum"] == ["present", "absent"]
    assert schema["required"] == ["cd_nom"]  # a count is never required where absences are
    [absence] = schema["allOf"]
    assert absence["then"] == {"properties": {"adultes": {"not": {}}}}

    page = await record_absence_offline(phone, cairn_url, db)
    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def sent() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM observation"))

    await eventually(sent)
    assert await db.fetchval("SELECT data FROM observation") == {
        "cd_nom": COMMON_TOAD,
        "occurrence_status": "absent",
    }
