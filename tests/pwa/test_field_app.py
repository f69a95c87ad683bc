"""The field app in Debian's Chromium at phone size: offline, outbox, languages, accessibility.

Cairn runs under uvicorn on loopback and serves the built app (`make pwa`) at
`/`. Map tiles come from the Internet in production; here every tile request
is answered with one local PNG, so the tests never leave the machine.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from cairn.settings import Settings
from tests import qrdecode
from tests.browser import serious_violations, until_settled, until_true
from tests.world import add_programme, eventually

pytestmark = pytest.mark.browser

DIST = Settings().pwa_dir
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pwa"
BRIANCON = {"latitude": 44.8986, "longitude": 6.6433, "accuracy": 8}
PHONE = {"width": 390, "height": 844}
SHELL_BUDGET = 150 * 1024


def tile_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (205, 222, 200)).save(out, "PNG")
    return out.getvalue()


TILE = tile_png()


async def answer_tile(route: Route) -> None:
    await route.fulfill(status=200, body=TILE, content_type="image/png")


def camera_photo() -> bytes:
    image = Image.new("RGB", (3000, 2000), (90, 110, 70))
    image.paste((200, 200, 190), (1500, 0, 3000, 1000))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def installed(context: BrowserContext, url: str) -> Page:
    """Open the app once with network and wait until its service worker controls the page."""
    page = await context.new_page()
    await page.goto(url)
    await page.wait_for_selector("body[data-ready=true]")
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    assert await page.evaluate("Boolean(navigator.serviceWorker.controller)")
    return page


async def syncs_finished(page: Page) -> None:
    """Wait until every sync run the app has started so far has ended.

    A run holds the Web Lock `cairn-sync` while it sends; the app asks for it at boot before it
    marks the body ready, and after each save. A request for the same lock made now is granted
    once those runs are over: whatever they would have sent has been sent, and answered.
    """
    await page.wait_for_selector("body[data-ready=true]")
    await page.evaluate("navigator.locks.request('cairn-sync', () => true)")


async def open_details(page: Page) -> None:
    """Unfold the record form's optional details (folded so that saving stays in view)."""
    await page.click("details.more summary")


async def record_ibex(page: Page, photo: bytes | None = None, comment: str = "") -> None:
    """Species → position (mocked) → search → photo → count in the details (→ comment) → save."""
    await page.goto(page.url.split("#")[0] + "#/record/species")
    await page.wait_for_selector("#taxon-search")
    await page.fill("#taxon-search", "bouquetin")
    await page.click("#taxon-results button.taxon >> nth=0")
    if photo is not None:
        await page.set_input_files(
            "#photo-input", files=[{"name": "ibex.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
        await page.wait_for_selector(".photos img")
    await open_details(page)
    await page.fill("#field-count", "3")
    if comment:
        await page.fill("#comment", comment)
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")
    await page.click("form.record-form button[type=submit]")
    await page.wait_for_selector(".records .record")


async def observation_count(db: asyncpg.Connection) -> int:
    count: int = await db.fetchval("SELECT count(*) FROM observation")
    return count


async def test_the_app_opens_and_searches_taxa_offline_after_one_visit(
    phone: BrowserContext, cairn_url: str
) -> None:
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    assert await page.inner_text("h1") == "Que voyez-vous ?"
    assert "Hors ligne" in await page.inner_text("#net")
    await page.goto(cairn_url + "/#/record/species")
    await page.fill("#taxon-search", "bouquetin")
    assert "Capra ibex" in await page.inner_text("#taxon-results")
    await page.fill("#taxon-search", "gentiane cil")  # vernacular prefixes
    assert "Gentiane ciliée" in await page.inner_text("#taxon-results")
    await page.fill("#taxon-search", "gentiana ac")  # scientific prefixes
    assert "Gentiana acaulis" in await page.inner_text("#taxon-results")
    await page.fill("#taxon-search", "GYPAETE")  # no accent, capitals
    assert "Gypaetus barbatus" in await page.inner_text("#taxon-results")


async def test_an_observation_recorded_offline_is_stored_exactly_once(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    await record_ibex(page, camera_photo())
    assert "Pas encore envoyée" in await page.inner_text(".records .record .badge")
    await page.reload()  # the app is killed and reopened, still offline
    await page.wait_for_selector("body[data-ready=true]")
    await page.goto(cairn_url + "/#/mine")
    await page.wait_for_selector(".records .record.state-waiting")
    assert await observation_count(db) == 0
    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def photo_arrived() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM photo"))

    await eventually(photo_arrived)
    row = await db.fetchrow("SELECT id, data, lon, lat, accuracy_m FROM observation")
    assert row["data"] == {"cd_nom": 61098, "count": 3}
    assert (round(row["lon"], 4), round(row["lat"], 4)) == (6.6433, 44.8986)
    assert await db.fetchval("SELECT width FROM photo") == 2048  # downscaled on the phone
    await page.reload()  # a start syncs again: nothing may be sent twice
    await page.wait_for_selector(".records .record.state-sent")
    await syncs_finished(page)  # the start's run, which would have sent it again
    assert await observation_count(db) == 1
    assert await db.fetchval("SELECT count(*) FROM photo") == 1


async def test_a_server_error_keeps_the_record_in_the_outbox(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)

    refused = asyncio.Event()

    async def broken(route: Route) -> None:
        await route.fulfill(
            status=500, content_type="application/problem+json", body=b'{"title":"boom"}'
        )
        refused.set()

    await page.route("**/api/v1/observations/batch", broken)
    await record_ibex(page)
    await asyncio.wait_for(refused.wait(), timeout=30)  # the save's sync was answered 500
    await syncs_finished(page)  # and has written what that answer does to the record
    assert await observation_count(db) == 0
    assert await page.locator(".records .record.state-waiting").count() == 1
    await page.unroute("**/api/v1/observations/batch")
    await page.click("text=Envoyer maintenant")

    async def stored() -> bool:
        return await observation_count(db) == 1

    await eventually(stored)
    await page.wait_for_selector(".records .record.state-sent")


async def test_a_refused_record_shows_the_servers_reason_and_stays(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await phone.set_geolocation({"latitude": 48.8566, "longitude": 2.3522, "accuracy": 10})  # Paris
    await record_ibex(page)
    await page.wait_for_selector(".records .record.state-invalid .problem")
    assert "/location" in await page.inner_text(".problem")
    assert await observation_count(db) == 0


async def test_language_follows_the_switch_and_the_link(
    phone: BrowserContext, cairn_url: str
) -> None:
    page = await installed(phone, cairn_url)
    await page.select_option("#lang", "en")
    await expect(page.locator("h1")).to_have_text("What do you see?")
    await expect(page.locator(".tabs")).to_contain_text("My data")
    await page.select_option("#lang", "it")
    await expect(page.locator("h1")).to_have_text("Cosa vedi?")
    assert await page.get_attribute("html", "lang") == "it"
    other = await phone.new_page()
    await other.goto(cairn_url + "/?lang=en")
    await other.wait_for_selector("body[data-ready=true]")
    assert await other.inner_text("h1") == "What do you see?"


async def test_a_qr_deep_link_preselects_its_programme(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    await add_programme(db, "sentinelles-des-alpages")  # species only
    await db.execute(
        "UPDATE programme SET target_taxa = '{61098}' WHERE slug = 'sentinelles-des-alpages'"
    )
    page = await phone.new_page()
    await page.goto(
        cairn_url + "/?programme=sentinelles-des-alpages&place=Col%20du%20Lautaret&lang=en"
    )
    await page.wait_for_selector("body[data-ready=true]")
    assert "sentinelles-des-alpages" in await page.inner_text(".programme")
    assert "Col du Lautaret" in await page.inner_text(".programme")
    assert await page.locator(".choice.heritage").count() == 0  # the programme takes species only
    await page.click(".choice.species")
    await page.click(".suggestions .target button")  # the programme's target species: one tap
    await expect(page.locator(".chosen")).to_contain_text("Capra ibex")
    await open_details(page)
    await page.fill("#field-count", "2")
    await expect(page.locator(".step .hint[aria-live]")).to_contain_text(" m")
    await page.click("form.record-form button[type=submit]")

    async def stored() -> bool:
        return await observation_count(db) == 1

    await eventually(stored)
    assert await db.fetchval("SELECT programme FROM observation") == "sentinelles-des-alpages"


SCREENS = [
    "/#/",
    "/#/record/species",
    "/#/record/heritage",
    "/#/mine",
    "/#/map",
    "/#/privacy",
    "/#/backup",
    "/#/staff",
]


async def test_main_screens_have_no_serious_accessibility_problem(
    phone: BrowserContext, cairn_url: str
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = await installed(phone, cairn_url)
    problems = {}
    for screen in SCREENS:
        await page.goto(cairn_url + screen)
        await page.wait_for_selector("main h1")
        await until_settled(page)  # maps and lists drawn from what they fetched
        name = screen.strip("/#").replace("/", "-") or "home"
        await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        problems[screen] = await serious_violations(page)
        assert "null" not in (await page.inner_text("main")).split(), screen
    assert problems == {screen: [] for screen in SCREENS}


def test_the_app_shell_fits_its_budget() -> None:
    """JS and CSS of the shell, gzipped, Leaflet's lazily loaded chunk excluded: ≤ 150 KB."""
    files = [
        p
        for p in (DIST / "assets").iterdir()
        if p.suffix in {".js", ".css"} and not p.name.startswith("leaflet")
    ]
    assert files, "build the app first: make pwa"
    total = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files)
    assert total <= SHELL_BUDGET, f"shell is {total / 1024:.1f} KB gzipped"


def test_the_manifest_makes_the_app_installable() -> None:
    manifest = json.loads((DIST / "manifest.webmanifest").read_text())
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert Image.open(DIST / icon["src"].lstrip("/")).size == tuple(
            int(v) for v in icon["sizes"].split("x")
        )


async def test_an_account_made_on_the_phone_brings_its_records_to_a_tablet(
    phone: BrowserContext, browser: Browser, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await record_ibex(page)

    async def stored() -> bool:
        return await observation_count(db) == 1

    await eventually(stored)
    await page.goto(cairn_url + "/#/privacy")
    await page.fill("#account-email", "marie@example.org")
    await page.fill("#account-password", "a long enough secret")
    await page.click("text=Créer le compte")
    await expect(page.locator("#account-message")).to_contain_text("marie@example.org")
    tablet = await browser.new_context(viewport={"width": 800, "height": 1100}, locale="fr-FR")
    other = await installed(tablet, cairn_url)
    await other.goto(cairn_url + "/#/privacy")
    await other.fill("#account-email", "marie@example.org")
    await other.fill("#account-password", "a long enough secret")
    await other.click("text=Me connecter")
    await expect(other.locator("#account-message")).to_contain_text("marie@example.org")
    await other.goto(cairn_url + "/#/impact")
    await expect(other.locator(".figure-value").first).to_have_text("1")
    await tablet.close()


async def test_a_qr_link_opened_offline_opens_the_app_on_its_programme(
    phone: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_programme(db, "lacs-du-queyras")
    names = {"fr": "Lacs du Queyras", "en": "Queyras lakes", "it": "Laghi del Queyras"}
    await db.execute("UPDATE programme SET name = $1 WHERE slug = 'lacs-du-queyras'", names)
    await installed(phone, cairn_url)  # one visit with network, without this programme's link
    poster = await client.get("/api/v1/share/qr?programme=lacs-du-queyras&format=png")
    [link] = qrdecode.decode(qrdecode.png(poster.content))
    assert link.endswith("/?programme=lacs-du-queyras")
    await phone.set_offline(True)
    page = await phone.new_page()
    await page.goto(cairn_url + link[link.index("/?") :])
    await page.wait_for_selector("body[data-ready=true]")
    assert "Lacs du Queyras" in await page.inner_text(".programme")


async def test_species_and_heritage_recorded_offline_are_seen_validated_later(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    """The issue's path: offline, a species and a heritage item with photos; online; moderated."""
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    await record_ibex(page, camera_photo())
    await page.goto(cairn_url + "/#/record/heritage")
    await page.wait_for_selector("#field-category")
    await page.select_option("#field-category", "sundial")
    await open_details(page)
    await page.select_option("#field-condition", "degraded")
    await page.set_input_files(
        "#photo-input",
        files=[{"name": "dial.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}],
    )
    await page.wait_for_selector(".photos img")
    await expect(page.locator(".step .hint[aria-live]")).to_contain_text(" m")
    await page.click("form.record-form button[type=submit]")
    await expect(page.locator(".records .record.state-waiting")).to_have_count(2)
    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def both_with_photos() -> bool:
        return await db.fetchval("SELECT count(DISTINCT observation_id) FROM photo") == 2

    await eventually(both_with_photos)
    assert sorted(await db.fetch("SELECT kind FROM observation ORDER BY kind")) == [
        ("heritage",),
        ("species",),
    ]
    await db.execute(  # what a moderator's decision leaves (the API path is tested elsewhere)
        "UPDATE observation SET status = 'certain', moderator_comment = 'Merci !',"
        " version = version + 1"
    )
    await page.goto(cairn_url + "/#/")
    await page.goto(cairn_url + "/#/mine")
    await expect(page.locator(".records .record.status-certain")).to_have_count(2)
    await expect(page.locator(".records .moderator").first).to_contain_text("Merci !")


async def test_a_sent_record_is_corrected_then_withdrawn_from_the_app(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await record_ibex(page)
    await expect(page.locator(".records .record.state-sent")).to_have_count(1)
    await page.click(".records .record a:has-text('Corriger')")
    await page.fill("#field-count", "7")  # a correction opens with its details unfolded
    await page.click("form.record-form button[type=submit]")

    async def corrected() -> bool:
        return await db.fetchval("SELECT data->>'count' FROM observation") == "7"

    await eventually(corrected)
    # the app must have the server's answer (version 2) before the hiker withdraws,
    # or the withdrawal names version 1; a hand is never faster than that, a test is
    await page.wait_for_load_state("networkidle")
    row = await db.fetchrow(
        "SELECT version, (SELECT count(*) FROM observation_event) AS events FROM observation"
    )
    assert (row["version"], row["events"]) == (2, 1)
    await expect(page.locator(".records .record.state-sent")).to_have_count(1)
    await page.click(".records .record button:has-text('Retirer')")

    async def withdrawn() -> bool:
        return await db.fetchval("SELECT status FROM observation") == "withdrawn"

    await eventually(withdrawn)
    await expect(page.locator(".records .record .badge")).to_have_text("⊘ retirée")


async def test_a_withdrawal_that_names_an_old_version_is_retried_with_the_current_one(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    """The phone's copy lags (a decision it has not read yet): the 409 carries the record."""
    page = await installed(phone, cairn_url)
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await record_ibex(page)
    await expect(page.locator(".records .record.state-sent")).to_have_count(1)
    await db.execute(  # what a moderator's decision leaves; the phone still holds version 1
        "UPDATE observation SET status = 'probable', version = version + 1"
    )
    await page.click(".records .record button:has-text('Retirer')")

    async def withdrawn() -> bool:
        return await db.fetchval("SELECT status FROM observation") == "withdrawn"

    await eventually(withdrawn)
    assert await db.fetchval("SELECT version FROM observation") == 3
    await expect(page.locator(".records .record .badge")).to_have_text("⊘ retirée")


async def test_without_geolocation_a_pin_placed_by_hand_is_accepted(
    browser: Browser, cairn_url: str, db: asyncpg.Connection
) -> None:
    """A phone that refuses its position: one tap on the map places the record."""
    context = await browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    await context.route("https://tile.openstreetmap.org/**", answer_tile)
    await context.clear_permissions()
    page = await installed(context, cairn_url)
    await page.goto(cairn_url + "/#/record/species")
    await expect(page.locator(".step .hint[aria-live]")).to_contain_text("touchez la carte")
    await page.locator("#record-map").click(position={"x": 150, "y": 100})
    await page.fill("#taxon-search", "bouquetin")
    await page.click("#taxon-results button.taxon >> nth=0")
    await page.click("form.record-form button[type=submit]")

    async def stored() -> bool:
        return await observation_count(db) == 1

    await eventually(stored)
    accuracy = await db.fetchval("SELECT accuracy_m FROM observation")
    assert accuracy is not None and 5 <= accuracy <= 1000
    await context.close()
