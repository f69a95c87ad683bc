"""The widget builder's preview in Chromium: the frame it shows is the widget, working."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, ConsoleMessage

from cairn.widgets.model import WORDS
from tests.widgets.test_embedding_in_a_browser import widget_frame

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("host", "query", "heading"),
    [
        ("127.0.0.1", "ui=fr&widget=programme&programme=demo", WORDS["fr"].titles["programme"]),
        # Opened by another name than CAIRN_BASE_URL's, as `make run` users on localhost do:
        # the preview still comes from the public address.
        (
            "localhost",
            "ui=it&widget=recent&near=6.6433,44.8986&lang=it",
            WORDS["it"].titles["recent"],
        ),
    ],
)
async def test_the_builders_preview_loads_the_widget(
    browser: Browser, cairn_url: str, host: str, query: str, heading: str
) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused" in message.text:
            refused.append(message.text)

    page.on("console", note)
    await page.goto(f"{cairn_url.replace('127.0.0.1', host)}/widgets/?{query}")
    frame = await widget_frame(page, 0)
    assert await frame.locator("h1").inner_text() == heading
    assert await frame.locator("#cairn-state").inner_text() != WORDS["fr"].loading
    assert refused == []
    await context.close()
