"""The outbox in Chromium against answers that must never lose a record: 401 and 413.

Both come from the real server: the device's token is revoked in the database, and the
server runs with a small `CAIRN_MAX_BODY_BYTES` so that a batch of several records is
too large while each record alone fits. Only a failed re-registration is routed, as a
network path that answers 503 would be.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest
from playwright.async_api import BrowserContext, Page, Response, Route, expect

from tests.browser import until_true
from tests.pwa.test_field_app import installed, observation_count, record_ibex, syncs_finished
from tests.world import eventually

pytestmark = pytest.mark.browser

BATCH_PATH = "/api/v1/observations/batch"


def batch_statuses(page: Page) -> list[int]:
    """The statuses of the batch requests the page makes from now on, in order."""
    statuses: list[int] = []

    def seen(response: Response) -> None:
        if response.url.endswith(BATCH_PATH):
            statuses.append(response.status)

    page.on("response", seen)
    return statuses


async def revoke_the_phones_token(db: asyncpg.Connection) -> UUID:
    """Wait for the first start's registration, then make its token unknown to the server."""

    async def registered() -> bool:
        return await db.fetchval("SELECT count(*) FROM device") == 1

    await eventually(registered)
    revoked: UUID = await db.fetchval(
        "UPDATE device SET token_hash = sha256(gen_random_uuid()::text::bytea) RETURNING id"
    )
    return revoked


async def test_a_revoked_device_token_registers_the_phone_again_and_the_record_arrives_once(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    revoked = await revoke_the_phones_token(db)
    statuses = batch_statuses(page)
    await record_ibex(page)
    await page.wait_for_selector(".records .record.state-sent")
    assert statuses == [401, 200]
    assert await observation_count(db) == 1
    owner = await db.fetchval("SELECT device_id FROM observation")
    assert owner is not None and owner != revoked  # sent with the new token
    assert await db.fetchval("SELECT count(*) FROM device") == 2
    await page.reload()  # a start syncs again: nothing may be sent twice
    await page.wait_for_selector(".records .record.state-sent")
    await syncs_finished(page)  # the start's run, which would have sent it again
    assert statuses == [401, 200]
    assert await observation_count(db) == 1


async def test_when_the_phone_cannot_register_again_it_says_so_and_keeps_the_record(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await revoke_the_phones_token(db)

    async def registration_fails(route: Route) -> None:
        await route.fulfill(status=503, content_type="application/problem+json", body=b"{}")

    await page.route("**/api/v1/devices", registration_fails)
    await record_ibex(page)
    await expect(page.locator("#net")).to_contain_text("ne reconnaît plus ce téléphone")
    assert await page.locator(".records .record.state-waiting").count() == 1
    assert await observation_count(db) == 0
    await page.unroute("**/api/v1/devices")
    await page.click("text=Envoyer maintenant")
    await page.wait_for_selector(".records .record.state-sent")
    await expect(page.locator("#net")).to_have_text("En ligne")
    assert await observation_count(db) == 1


@pytest.mark.parametrize("cairn_url", [{"CAIRN_MAX_BODY_BYTES": "1024"}], indirect=True)
async def test_a_batch_too_large_is_split_until_every_record_arrives_once(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    for n in range(4):  # each about 650 bytes of JSON: two together pass 1024
        await record_ibex(page, comment=f"Ibex {n}: " + "snow " * 80)
    await until_true(page, "document.querySelectorAll('.record.state-waiting').length === 4")
    statuses = batch_statuses(page)
    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def all_stored() -> bool:
        return await observation_count(db) == 4

    await eventually(all_stored)
    await until_true(page, "document.querySelectorAll('.record.state-sent').length === 4")
    assert statuses[0] == 413
    assert statuses.count(200) == 4  # split down to one record a batch
    assert await page.locator(".record.state-invalid").count() == 0
    comments = await db.fetch("SELECT comment FROM observation ORDER BY comment")
    assert [c["comment"][:6] for c in comments] == ["Ibex 0", "Ibex 1", "Ibex 2", "Ibex 3"]
