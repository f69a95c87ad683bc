"""Near-duplicates in the browser: the staff queue shows the pair side by side, a moderator
counts the hiker's record under the other one, and the hiker's "mine" says so (not which)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import BrowserContext, expect

from tests.factories import new_device, observation_payload
from tests.pwa.test_field_app import eventually, installed, observation_count, record_ibex
from tests.pwa.test_staff_screens import signed_in
from tests.world import add_staff

pytestmark = pytest.mark.browser


async def test_a_pair_is_shown_side_by_side_and_marked_and_the_hiker_sees_it_counted(
    phone: BrowserContext,
    desk: BrowserContext,
    cairn_url: str,
    client: AsyncTestClient[Litestar],
    db: asyncpg.Connection,
) -> None:
    hiker = await installed(phone, cairn_url)
    await record_ibex(hiker)

    async def stored() -> bool:
        return await observation_count(db) == 1

    await eventually(stored)
    mine, observed = await db.fetchrow("SELECT id, observed_at FROM observation")
    other = observation_payload(  # a second hiker of the group, 30 m away, 4 minutes earlier
        location={"lon": 6.6436, "lat": 44.8987, "accuracy_m": 10},
        observed_at=(observed - timedelta(minutes=4)).astimezone().isoformat(),
    )
    _, second = await new_device(client)
    assert (
        await client.post("/api/v1/observations", json=other, headers=second)
    ).status_code == 201
    await add_staff(db, "mod@pne.example", "moderator", programme="default")
    page = await signed_in(desk, cairn_url, "mod@pne.example")
    await expect(page.locator(".queue .duplicate-flag")).to_have_count(2)
    await page.click(f".queue-item[data-id='{mine}'] button.link")
    pair = page.locator(".detail .duplicate-pair .pair-record")
    await expect(pair).to_have_count(2)
    assert [await p.get_attribute("data-id") for p in await pair.all()] == [str(mine), other["id"]]
    await page.click("#mark-duplicate")

    async def marked() -> bool:
        found = await db.fetchval("SELECT duplicate_of FROM observation WHERE id = $1", mine)
        return found == uuid.UUID(other["id"])

    await eventually(marked)
    await expect(page.locator(".queue .duplicate-flag")).to_have_count(0)  # the pair is resolved
    await hiker.goto(cairn_url + "/#/")
    await hiker.goto(cairn_url + "/#/mine")
    await expect(hiker.locator(".records .record .badge")).to_contain_text(
        "même rencontre", timeout=20_000
    )  # once the status refresh has read the mark
    assert other["id"] not in await hiker.content()
