"""All three widgets, embedded on another origin, against real records through the real API.

No answer is stubbed here: observations go in through intake, are validated,
get a photo through the photo API, and the widgets read the open-data API
(`test_embedding_in_a_browser.py` checks rendering details on fixed answers).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser

from cairn.records.projection import project
from tests.factories import new_device, observation_payload
from tests.photos.images import photo
from tests.widgets.test_embedding_in_a_browser import widget_frame
from tests.world import plain_taxon

pytestmark = pytest.mark.browser


def earlier_this_month(now: datetime, share: float) -> datetime:
    """An instant `share` of the way from the start of `now`'s month (UTC) to `now`.

    Never in last month, whenever the suite runs: "2 hours ago" would be, in the
    first hours of a month, and the species of the month would count one record.
    """
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return month_start + (now - month_start) * share


async def published(client: AsyncTestClient[Litestar], db: asyncpg.Connection, share: float) -> str:
    """A plain-taxon record at Briançon earlier this month, validated, with a photo; its id."""
    _, headers = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Chamois05"}, headers=headers)
    when = earlier_this_month(datetime.now(UTC) - timedelta(seconds=1), share).isoformat()
    payload = observation_payload(
        programme="demo", data={"cd_nom": plain_taxon(), "count": 2}, observed_at=when
    )
    assert (
        await client.post("/api/v1/observations", json=payload, headers=headers)
    ).status_code == 201
    url = f"/api/v1/observations/{payload['id']}/photos/{uuid.uuid4()}"
    shot = await client.put(url, content=photo(), headers={**headers, "Content-Type": "image/jpeg"})
    assert shot.status_code == 201
    await db.execute(
        "UPDATE observation SET status = 'certain' WHERE id = $1", uuid.UUID(payload["id"])
    )
    await project(db, [uuid.UUID(payload["id"])])
    return str(payload["id"])


async def test_the_three_widgets_show_real_open_data(
    browser: Browser,
    cairn_url: str,
    host_url: str,
    client: AsyncTestClient[Litestar],
    db: asyncpg.Connection,
) -> None:
    await published(client, db, share=0.9)
    await published(client, db, share=0.5)
    name = await db.fetchval("SELECT scientific_name FROM taxon WHERE cd_nom = $1", plain_taxon())
    context = await browser.new_context(timezone_id="UTC")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(host_url)

    recent = await widget_frame(page, 0)
    assert await recent.locator(".list li .name").all_inner_texts() == [name, name]
    species = await widget_frame(page, 1)
    assert await species.locator(".list li .meta").all_inner_texts() == ["2 observations"]
    photo_element = species.locator("figure img")
    await photo_element.wait_for()
    assert "Chamois05" in await species.locator("figcaption").inner_text()
    progress = await widget_frame(page, 2)
    figures = [
        " ".join(f.split()) for f in await progress.locator(".figures div").all_inner_texts()
    ]
    assert figures[:2] == ["osservazioni 2", "specie 1"]
    assert errors == []
    await context.close()
