"""Issue 19's whole path in real browsers: a programme admin builds and publishes
"Comptage amphibiens — passage route" with the form builder, a hiker's phone records it
offline at the programme's pond (a monitored site) and sends it later exactly once, a
moderator validates it, and a researcher reads its fields (and the site) in CSV and its
fields in the Darwin Core Archive's MeasurementOrFact extension.

The builder's actions (clicks, choices and fields typed) are counted and the scripted
building and publishing timed; both go to test-artifacts/protocols/ (a figure, not an assert).
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import asyncpg
import pytest
from dwca.read import DwCAReader
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser import serious_violations, until_true
from tests.protocols.examples import COMMON_TOAD
from tests.pwa.test_field_app import ARTIFACTS, installed
from tests.pwa.test_staff_screens import signed_in
from tests.sites.helpers import BRIANCON, make_site
from tests.world import PASSWORD, add_staff, eventually, sign_in

pytestmark = pytest.mark.browser

DWC = "http://rs.tdwg.org/dwc/terms/"
KIND = "amphibian_crossing"
FIGURES = ARTIFACTS.parent / "protocols" / "builder-figures.json"


class Admin:
    """The admin's hands: every click, choice and field typed goes through here, counted."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions = 0

    async def click(self, target: Locator) -> None:
        self.actions += 1
        await target.click()

    async def type(self, target: Locator, text: str) -> None:
        self.actions += 1
        await target.fill(text)

    async def choose(self, target: Locator, value: str) -> None:
        self.actions += 1
        await target.select_option(value)

    async def titles(self, card: Locator, fr: str, en: str, it: str) -> None:
        for lang, text in (("FR", fr), ("EN", en), ("IT", it)):
            if text:
                await self.type(card.get_by_label(f"Intitulé ({lang})", exact=True), text)

    async def add_field(self, kind: str) -> Locator:
        await self.choose(self.page.locator("#kb-new-type"), kind)
        await self.click(self.page.locator("#kb-add"))
        return self.page.locator(".kb-field").last

    async def add_choice(self, card: Locator, n: int, fr: str, en: str, it: str) -> None:
        await self.click(card.get_by_role("button", name="Ajouter un choix"))
        for lang, text in (("FR", fr), ("EN", en), ("IT", it)):
            await self.type(card.get_by_label(f"Choix {n} ({lang})", exact=True), text)


async def build_and_publish(page: Page) -> tuple[int, float]:
    """The protocol built and published through the builder; (actions, seconds)."""
    admin = Admin(page)
    started = time.monotonic()
    await admin.click(page.get_by_role("link", name="Formulaires des programmes"))
    await admin.type(page.locator("#kb-title-fr"), "Comptage amphibiens — passage route")
    await admin.type(page.locator("#kb-title-en"), "Amphibian count — road crossing")
    await admin.type(page.locator("#kb-title-it"), "Conteggio anfibi — attraversamento stradale")
    await admin.type(page.locator("#kb-kind"), KIND)

    species = await admin.add_field("taxon")
    await admin.titles(species, "Espèce", "Species", "Specie")
    count = await admin.add_field("count")
    await admin.titles(count, "Nombre d'individus", "Number of animals", "Numero di animali")
    await admin.click(count.get_by_label("Obligatoire"))
    direction = await admin.add_field("choice")
    await admin.titles(direction, "Sens de traversée", "Crossing direction", "Direzione")
    await admin.add_choice(direction, 1, "Vers la mare", "Towards the pond", "Verso lo stagno")
    await admin.add_choice(direction, 2, "Depuis la mare", "Away from the pond", "Dallo stagno")
    dead = await admin.add_field("yesno")
    await admin.titles(dead, "Animaux trouvés morts", "Animals found dead", "Animali trovati morti")
    dead_count = await admin.add_field("count")
    # The Italian label forgotten: the server's problem document lands on this field's card.
    await admin.titles(dead_count, "Nombre de morts", "Number dead", "")
    await admin.click(dead_count.get_by_label("Obligatoire"))
    await admin.choose(dead_count.get_by_label("Afficher seulement quand"), "animaux_trouves_morts")
    await expect(dead_count.get_by_label("a la valeur")).to_have_value("true")

    # The preview is the field app's own form at phone size; the condition works there too.
    preview = page.locator("#kb-preview")
    assert (await preview.bounding_box() or {}).get("width") == 390
    await expect(preview.locator("h1")).to_have_text("Comptage amphibiens — passage route")
    await expect(preview.locator("#preview-taxon")).to_be_visible()
    await expect(preview.locator("#preview-nombre_de_morts")).to_be_hidden()
    await admin.click(preview.locator("#preview-animaux_trouves_morts-yes"))
    await expect(preview.locator("#preview-nombre_de_morts")).to_be_visible()
    await expect(preview.locator("#preview-sens_de_traversee")).to_contain_text("Depuis la mare")

    await admin.click(page.locator("#kb-save"))
    error = dead_count.locator(".field-error")
    await expect(error).to_be_visible()
    await expect(error).to_contain_text("it")
    await expect(page.locator("#kb-publish")).to_be_disabled()
    assert await page.locator(".kb-field .field-error:visible").count() == 1
    await admin.type(dead_count.get_by_label("Intitulé (IT)", exact=True), "Numero di morti")
    await admin.click(page.locator("#kb-save"))
    await expect(page.locator("#kb-message")).to_contain_text("Brouillon enregistré")
    await expect(error).to_be_hidden()
    await admin.click(page.locator("#kb-publish"))
    await expect(page.locator("#kb-message")).to_contain_text("Publié")
    seconds = time.monotonic() - started
    published = page.locator(f".kb-versions li[data-kind={KIND}][data-state=published]")
    await expect(published).to_have_count(1)

    # Editing the published version starts version 2, prefilled; version 1 stays as it was.
    await published.get_by_role("button").click()
    await expect(page.locator(".kb-field")).to_have_count(5)
    await expect(page.locator("#kb-title-it")).to_have_value(
        "Conteggio anfibi — attraversamento stradale"
    )
    await expect(page.locator(".kb-field").last.get_by_label("a la valeur")).to_have_value("true")
    await expect(page.locator("#kb-publish")).to_be_disabled()
    await page.locator(".kb-field").nth(1).get_by_label("Maximum").fill("5000")
    await page.click("#kb-save")
    await expect(page.locator("#kb-message")).to_contain_text("version 2")
    draft = page.locator(f".kb-versions li[data-kind={KIND}][data-state=draft]")
    await expect(draft).to_have_count(1)
    return admin.actions, seconds


async def record_offline(
    phone: BrowserContext, url: str, db: asyncpg.Connection, site_id: str
) -> Page:
    """The hiker opens the programme's QR link once, then records the protocol at its site
    with no network (the sites came with the offline bundle)."""
    page = await installed(phone, url + "/?programme=default")
    protocol = page.locator(f".choice.protocol[data-kind={KIND}]")
    await expect(protocol).to_have_text("Comptage amphibiens — passage route")
    await phone.set_offline(True)
    await protocol.click()
    await page.wait_for_selector("#field-nombre_d_individus")
    site = page.locator(f".site-step button[data-site='{site_id}']")
    await site.click()
    await expect(site).to_have_attribute("aria-pressed", "true")
    await expect(page.locator("h1")).to_have_text("Comptage amphibiens — passage route")
    await page.fill("#taxon-search", "crapaud commun")
    await page.click("#taxon-results button.taxon >> nth=0")
    await page.fill("#field-nombre_d_individus", "14")
    await page.select_option("#field-sens_de_traversee", "vers-la-mare")
    dead_count = page.locator("#field-nombre_de_morts")
    await expect(dead_count).to_be_hidden()
    await page.check("#field-animaux_trouves_morts-yes")
    await expect(dead_count).to_be_visible()
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")
    # Shown, required and left empty: the phone says so beside the field, as the server would.
    await page.click("form.record-form button[type=submit]")
    beside = page.locator(".field[data-field=nombre_de_morts] .field-error")
    await expect(beside).to_have_text("manquant")
    await expect(dead_count).to_have_attribute("aria-invalid", "true")
    await page.fill("#field-nombre_de_morts", "2")
    await page.click("form.record-form button[type=submit]")
    await expect(page.locator(".records .record")).to_contain_text("Comptage amphibiens")
    await expect(page.locator(".records .record .badge")).to_contain_text("Pas encore envoyée")
    assert await db.fetchval("SELECT count(*) FROM observation") == 0
    return page


async def validate(browser: Browser, url: str) -> None:
    """A moderator of the programme accepts the record from the queue with the keyboard."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    try:
        page = await signed_in(context, url, "moderator@petr.example")
        await expect(page.locator(".queue-item")).to_have_count(1)
        answers = page.locator(".detail .answers")  # the protocol's answers, in English here
        await expect(answers.locator("h3")).to_have_text("Amphibian count — road crossing")
        await expect(answers.locator("dt")).to_have_text(
            ["Number of animals", "Crossing direction", "Animals found dead", "Number dead"]
        )
        await expect(answers.locator("dd")).to_have_text(["14", "Towards the pond", "Yes", "2"])
        await page.keyboard.press("a")
        await expect(page.locator(".queue li.empty")).to_have_count(1)
        await expect(page.locator(".single-step")).to_be_empty(timeout=10_000)  # held, then sent
    finally:
        await context.close()


async def test_an_amphibian_protocol_from_builder_to_gbif(
    browser: Browser,
    phone: BrowserContext,
    cairn_url: str,
    client: AsyncTestClient[Litestar],
    db: asyncpg.Connection,
    tmp_path: Path,
) -> None:
    await add_staff(db, "admin@petr.example", "admin", programme="default")
    await add_staff(db, "moderator@petr.example", "moderator", programme="default")

    desk = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    try:
        page = await desk.new_page()
        await page.goto(cairn_url + "/?lang=fr#/staff")
        await page.fill("#email", "admin@petr.example")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_selector(".staff-grid")
        actions, seconds = await build_and_publish(page)
        assert await serious_violations(page) == []
        ARTIFACTS.parent.joinpath("protocols").mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(FIGURES.with_name("builder-desk.png")), full_page=True)
    finally:
        await desk.close()
    FIGURES.write_text(json.dumps({"builder_actions": actions, "seconds": round(seconds, 1)}))

    versions = {
        row["version"]: (row["state"], json.loads(row["schema"]))
        for row in await db.fetch(
            "SELECT version, state, schema::text FROM programme_kind WHERE kind = $1", KIND
        )
    }
    assert {v: state for v, (state, _) in versions.items()} == {1: "published", 2: "draft"}
    schema = versions[1][1]
    assert schema["properties"]["nombre_d_individus"]["maximum"] == 100_000
    assert versions[2][1]["properties"]["nombre_d_individus"]["maximum"] == 5000
    assert schema["x-order"] == [  # the order the admin gave, which JSONB keys do not keep
        "cd_nom",
        "nombre_d_individus",
        "sens_de_traversee",
        "animaux_trouves_morts",
        "nombre_de_morts",
    ]
    assert schema["allOf"][0]["if"]["properties"] == {"animaux_trouves_morts": {"const": True}}

    pond = await make_site(  # the road crossing's pond, where the counts are made
        client, await sign_in(client, "admin@petr.example"), BRIANCON, name="Mare de la route"
    )
    page = await record_offline(phone, cairn_url, db, pond["id"])
    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def sent() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM observation"))

    await eventually(sent)
    await expect(page.locator(".records .record .badge")).to_contain_text("Envoyée")
    await page.reload()  # the outbox runs again on opening: nothing is sent twice
    await page.wait_for_selector("body[data-ready=true]")
    await expect(page.locator(".records .record .badge")).to_contain_text("Envoyée")
    row = await db.fetchrow(
        "SELECT count(*) OVER () AS n, kind, schema_version, programme, data::text AS data,"
        " site_id::text FROM observation"
    )
    assert row["n"] == 1
    assert (row["kind"], row["schema_version"], row["programme"]) == (KIND, 1, "default")
    assert row["site_id"] == pond["id"]
    assert json.loads(row["data"]) == {
        "cd_nom": COMMON_TOAD,
        "nombre_d_individus": 14,
        "sens_de_traversee": "vers-la-mare",
        "animaux_trouves_morts": True,
        "nombre_de_morts": 2,
    }

    await validate(browser, cairn_url)
    assert await db.fetchval("SELECT status FROM observation") == "certain"

    text = (await client.get("/api/v1/observations?format=csv&programme=default")).text
    [line] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert line["taxon_cd_ref"] == str(COMMON_TOAD)
    assert (line["site_id"], line["site_name"]) == (pond["id"], "Mare de la route (fr)")
    assert {k: v for k, v in line.items() if k.startswith(f"{KIND}.")} == {
        f"{KIND}.nombre_d_individus": "14",
        f"{KIND}.sens_de_traversee": "vers-la-mare",
        f"{KIND}.animaux_trouves_morts": "true",
        f"{KIND}.nombre_de_morts": "2",
    }

    archive = tmp_path / "dwca.zip"
    archive.write_bytes((await client.get("/api/v1/exports/dwca")).content)
    with DwCAReader(str(archive)) as reader:
        [core] = list(reader)
        assert core.data[DWC + "scientificName"].startswith("Bufo bufo")
        facts = {
            e.data[DWC + "measurementType"]: e.data[DWC + "measurementValue"]
            for e in core.extensions
            if e.rowtype == DWC + "MeasurementOrFact"
        }
    assert facts == {
        "Number of animals": "14",
        "Crossing direction": "vers-la-mare",
        "Animals found dead": "true",
        "Number dead": "2",
    }
