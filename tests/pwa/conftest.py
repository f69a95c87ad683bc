"""Fixtures of the field app's browser tests: a phone-sized and a desk-sized Chromium context."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext

from tests.pwa.test_field_app import BRIANCON, PHONE, answer_tile


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        geolocation=BRIANCON,
        permissions=["geolocation"],
        service_workers="allow",
    )
    await context.route("https://tile.openstreetmap.org/**", answer_tile)
    yield context
    await context.close()


@pytest.fixture
async def desk(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A staff member's desk: a wide screen, in English."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    await context.route("https://tile.openstreetmap.org/**", answer_tile)
    yield context
    await context.close()
