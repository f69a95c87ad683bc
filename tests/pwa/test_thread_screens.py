"""A thread in the browser: the hiker asks from "Mine", the queue marks it, staff answer."""

from __future__ import annotations

import asyncpg
import pytest
from playwright.async_api import BrowserContext, expect

from tests.browser import serious_violations
from tests.pwa.test_field_app import eventually, installed, record_ibex
from tests.pwa.test_staff_screens import signed_in
from tests.world import add_staff

pytestmark = pytest.mark.browser


async def test_a_hiker_and_a_moderator_talk_about_a_record(
    phone: BrowserContext, desk: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    await add_staff(db, "marie.moderatrice@pne.example", "moderator", programme="default")
    hiker = await installed(phone, cairn_url + "/?lang=en")
    await record_ibex(hiker)

    async def sent() -> bool:
        return await db.fetchval("SELECT count(*) FROM observation") == 1

    await eventually(sent)
    await hiker.reload()
    await hiker.wait_for_selector(".records .record.state-sent")
    await hiker.click(".records .record button:has-text('Messages')")
    await expect(hiker.locator(".thread .empty")).to_be_visible()
    await hiker.fill(".thread-form textarea", "Is it a <b>male</b>?")
    await hiker.click(".thread-form button:has-text('Send')")
    await expect(hiker.locator(".thread .body")).to_have_text("Is it a <b>male</b>?")  # as text

    moderator = await signed_in(desk, cairn_url, "marie.moderatrice@pne.example")
    await expect(moderator.locator(".queue-item .awaiting")).to_contain_text("awaits an answer")
    await expect(moderator.locator(".detail details.messages .thread .body")).to_have_text(
        "Is it a <b>male</b>?"
    )
    await moderator.fill(".detail .thread-form textarea", "Yes: look at the horns.")
    await moderator.click(".detail .thread-form button:has-text('Send')")
    await expect(moderator.locator(".queue-item .awaiting")).to_have_count(0)
    assert await serious_violations(moderator) == []

    await hiker.goto(cairn_url + "/?lang=en#/")
    await hiker.goto(cairn_url + "/?lang=en#/mine")
    badge = hiker.locator(".records .record .reply-badge")
    await expect(badge).to_have_count(1)
    await hiker.click(".records .record button:has-text('Messages')")
    await expect(hiker.locator(".thread .message-staff .body")).to_have_text(
        "Yes: look at the horns."
    )
    await expect(hiker.locator(".thread .message-staff .meta")).not_to_contain_text("marie")
    assert await serious_violations(hiker) == []
    await hiker.reload()
    await hiker.wait_for_selector(".records .record.state-sent")
    await expect(hiker.locator(".records .record .reply-badge")).to_have_count(0)  # seen
