"""The staff screens in a real browser: sign in, queue, shortcuts, bulk, re-identify."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import BrowserContext, Page, expect

from tests.browser import serious_violations
from tests.pwa.test_field_app import ARTIFACTS
from tests.world import (
    PASSWORD,
    add_programme,
    add_staff,
    plain_taxon,
    sensitive_taxon,
    submit,
)

pytestmark = pytest.mark.browser


async def signed_in(desk: BrowserContext, url: str, email: str) -> Page:
    page = await desk.new_page()
    await page.goto(url + "/?lang=en#/staff")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_selector(".staff-grid")
    return page


async def status_of(db: asyncpg.Connection, observation_id: uuid.UUID) -> str:
    status: str = await db.fetchval("SELECT status FROM observation WHERE id = $1", observation_id)
    return status


async def test_a_moderator_works_through_the_queue(
    desk: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_programme(db, "flore-du-queyras")
    await add_programme(db, "faune-des-ecrins")
    await add_staff(db, "marie@queyras.example", "moderator", programme="flore-du-queyras")
    await add_staff(db, "paul@ecrins.example", "moderator", programme="faune-des-ecrins")
    plain = {"cd_nom": plain_taxon(), "count": 1}
    ids = [await submit(client, programme="flore-du-queyras", data=plain) for _ in range(4)]
    other = await submit(client, programme="faune-des-ecrins")
    page = await signed_in(desk, cairn_url, "marie@queyras.example")
    await expect(page.locator(".queue-item")).to_have_count(4)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "staff-queue.png"), full_page=True)
    assert await serious_violations(page) == []

    # A keyboard decision on the current record, undone within its few seconds.
    first = uuid.UUID(await page.get_attribute(".detail", "data-id") or "")
    await page.keyboard.press("d")
    await expect(page.locator(".queue-item")).to_have_count(3)
    await expect(page.locator(".single-step")).to_contain_text("sending in")
    await page.click(".single-step button:has-text('Undo')")
    await expect(page.locator(".queue-item")).to_have_count(4)
    assert await status_of(db, first) == "pending"
    assert await db.fetchval("SELECT count(*) FROM observation_event") == 0

    # Then decided for good: sent once its few seconds are over.
    await page.click(f".queue-item[data-id='{first}'] button.link")
    await page.keyboard.press("a")
    await expect(page.locator(".queue-item")).to_have_count(3)
    assert await status_of(db, first) == "pending"  # held for an undo
    await expect(page.locator(".single-step")).to_be_empty(timeout=10_000)
    assert await status_of(db, first) == "certain"

    # Bulk: select two with the checkboxes, reject them together.
    boxes = page.locator(".queue-item input[type=checkbox]")
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    await page.click(".bulk button:has-text('Reject')")
    await page.click(".bulk-step button:has-text('Confirm')")  # a confirmation first
    await expect(page.locator(".bulk-step")).to_contain_text("sending in")
    assert sorted([await status_of(db, i) for i in ids]).count("invalid") == 0  # held for an undo
    await expect(page.locator(".queue-item")).to_have_count(1, timeout=10_000)
    assert sorted([await status_of(db, i) for i in ids]).count("invalid") == 2

    # Re-identify the last one as a sensitive taxon: its public position becomes generalised.
    last = uuid.UUID(await page.get_attribute(".detail", "data-id") or "")
    before = await db.fetchval("SELECT generalisation FROM public_observation WHERE id = $1", last)
    assert before is None  # a plain taxon: published at its precise position once validated
    sensitive = sensitive_taxon()
    scientific = await db.fetchval("SELECT scientific_name FROM taxon WHERE cd_nom = $1", sensitive)
    await page.fill("#reidentify", scientific.split()[0] + " " + scientific.split()[1][:4])
    await page.click(".detail .taxa button.taxon >> nth=0")
    await expect(page.locator(".queue-item")).to_have_count(0)
    await expect(page.locator(".single-step")).to_be_empty(timeout=10_000)
    row = await db.fetchrow("SELECT taxon_cd_nom, status FROM observation WHERE id = $1", last)
    assert (row["taxon_cd_nom"], row["status"]) == (sensitive, "certain")
    public = await db.fetchrow(
        "SELECT generalisation, lon FROM public_observation WHERE id = $1", last
    )
    assert public["generalisation"] is not None
    assert public["lon"] != 6.6433

    # The history shows the decision.
    await page.select_option("#status", "certain")
    await expect(page.locator(".queue-item")).to_have_count(2)
    await page.click(".detail summary")
    await expect(page.locator(".history li")).not_to_have_count(0)

    # The other programme's moderator sees none of these, only their own record.
    await page.click("text=Sign out")
    other_page = await signed_in(desk, cairn_url, "paul@ecrins.example")
    await expect(other_page.locator(".queue-item")).to_have_count(1)
    assert await other_page.get_attribute(".detail", "data-id") == str(other)


async def test_an_admin_makes_a_bird_validator_who_sees_only_birds(
    desk: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_staff(db, "root@petr.example", "admin")
    await add_staff(db, "orni@lpo.example", None)
    bird = await submit(client, data={"cd_nom": 965})  # Grèbe huppé, Oiseaux
    await submit(client, data={"cd_nom": 79734})  # Angiospermes
    page = await signed_in(desk, cairn_url, "root@petr.example")
    await page.click("a:has-text('Team')")
    await page.fill("#grant-email", "orni@lpo.example")
    await page.select_option("#grant-role", "moderator")
    await page.select_option("#grant-scope", "")
    await page.check("#group-Oiseaux")
    await page.click("button:has-text('Give the role')")
    await expect(page.locator(".message")).to_contain_text("Validator of: Birds")
    assert await serious_violations(page) == []
    assert await db.fetchval(
        "SELECT taxon_groups FROM staff_grant g JOIN staff_user u ON u.id = g.user_id "
        "WHERE u.email = 'orni@lpo.example'"
    ) == ["Oiseaux"]

    await page.click("a:has-text('Back to moderation')")
    await page.click("button:has-text('Sign out')")  # one browser profile holds one session
    await page.fill("#email", "orni@lpo.example")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    validator = page
    await expect(validator.locator(".validator")).to_have_text("Validator of: Birds")
    await expect(validator.locator(".queue-item")).to_have_count(1)
    assert await validator.get_attribute(".detail", "data-id") == str(bird)
