"""The field app renders a programme kind from its schema alone: every field type the builder
offers, a condition shown live, the phone's refusals beside their fields (every one at once),
and a required photo before saving. The schema is the one kind-builder.js writes (run by node).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import BrowserContext, expect

from tests.browser import until_true
from tests.protocols.examples import programme_admin, publish_kind
from tests.protocols.test_phone_and_server_agree import Phone
from tests.pwa.test_field_app import camera_photo, installed
from tests.world import eventually

pytestmark = pytest.mark.browser


def titled(fr: str, en: str, it: str) -> dict[str, str]:
    return {"fr": fr, "en": en, "it": it}


SNOW_BED: dict[str, Any] = {
    "titles": titled("Combe à neige", "Snow bed", "Valletta nivale"),
    "photoRequired": True,
    "fields": [
        {
            "name": "snow_depth",
            "type": "number",
            "titles": titled("Épaisseur de neige", "Snow depth", "Spessore della neve"),
            "required": True,
            "unit": "cm",
            "min": 0,
            "max": 500,
        },
        {
            "name": "flowering",
            "type": "count",
            "titles": titled("Pieds en fleur", "Plants in flower", "Piante in fiore"),
            "required": False,
            "min": 0,
            "max": 1000,
        },
        {
            "name": "stage",
            "type": "choice",
            "titles": titled("Stade", "Stage", "Stadio"),
            "required": True,
            "choices": [
                {"value": "buds", **titled("Boutons", "Buds", "Boccioli")},
                {"value": "flowers", **titled("Fleurs", "Flowers", "Fiori")},
            ],
        },
        {
            "name": "signs",
            "type": "choices",
            "titles": titled("Indices", "Signs", "Indizi"),
            "required": False,
            "choices": [
                {"value": "grazing", **titled("Pâturage", "Grazing", "Pascolo")},
                {"value": "trampling", **titled("Piétinement", "Trampling", "Calpestio")},
            ],
        },
        {
            "name": "snow_left",
            "type": "yesno",
            "titles": titled("Reste de neige", "Snow left", "Neve residua"),
            "required": True,
        },
        {
            "name": "melt_date",
            "type": "date",
            "titles": titled("Date de fonte", "Melt date", "Data di fusione"),
            "required": True,
            "showWhen": {"field": "snow_left", "value": False},
        },
        {
            "name": "notes",
            "type": "text",
            "titles": titled("Remarques", "Notes", "Note"),
            "required": False,
            "maxLength": 200,
        },
    ],
}


async def test_every_builder_field_type_renders_validates_and_is_sent(
    phone: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    oracle = Phone()
    try:
        schema = oracle.ask({"build": SNOW_BED})
    finally:
        oracle.close()
    admin = await programme_admin(client, db, "default")
    await publish_kind(client, admin, "default", "snow_bed", schema)

    page = await installed(phone, cairn_url + "/?programme=default")
    await page.click(".choice.protocol[data-kind=snow_bed]")
    await page.wait_for_selector("#field-snow_depth")
    # In the admin's order, whatever order the database kept the keys in.
    order = await page.eval_on_selector_all(
        ".protocol .field[data-field]", "nodes => nodes.map((n) => n.dataset.field)"
    )
    assert order == [f["name"] for f in SNOW_BED["fields"]]
    await expect(page.locator("label[for=field-snow_depth]")).to_have_text(
        "Épaisseur de neige (cm) (Obligatoire)"
    )
    await expect(page.locator("#field-stage")).to_contain_text("Boutons")
    await expect(page.locator(".field[data-field=signs] legend")).to_have_text("Indices")
    await expect(page.locator("#field-melt_date")).to_be_hidden()
    await page.check("#field-snow_left-no")
    await expect(page.locator("#field-melt_date")).to_be_visible()
    await expect(page.locator("#field-melt_date")).to_have_attribute("type", "date")
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")

    # Every bad field at once, each beside its field, and the missing photo said too.
    await page.fill("#field-snow_depth", "900")
    await page.fill("#field-flowering", "2.5")
    await page.click("form.record-form button[type=submit]")
    errors = {
        "snow_depth": "hors des limites",
        "flowering": "valeur refusée",
        "stage": "manquant",
        "melt_date": "manquant",
    }
    for name, text in errors.items():
        await expect(page.locator(f".field[data-field={name}] .field-error")).to_have_text(text)
    await expect(page.locator(".field-error:visible")).to_have_count(len(errors))
    await expect(page.locator(".record-form .message")).to_contain_text("4 champs à corriger")
    await expect(page.locator(".record-form .message")).to_contain_text("photo est obligatoire")
    assert await page.evaluate("document.activeElement.id") == "field-snow_depth"

    await page.fill("#field-snow_depth", "35.5")
    await page.fill("#field-flowering", "12")
    await page.select_option("#field-stage", "flowers")
    await page.check(".field[data-field=signs] input[value=trampling]")
    await page.fill("#field-melt_date", "2026-06-20")
    await page.click("form.record-form button[type=submit]")
    await expect(page.locator(".record-form .message")).to_have_text(
        "Une photo est obligatoire pour ce protocole."
    )
    await expect(page.locator(".field-error:visible")).to_have_count(0)
    await page.set_input_files(
        "#photo-input",
        files=[{"name": "bed.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}],
    )
    await page.wait_for_selector(".photos img")
    await page.click("form.record-form button[type=submit]")

    async def sent_with_photo() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM photo"))

    await eventually(sent_with_photo)
    row = await db.fetchrow("SELECT kind, schema_version, data FROM observation")
    assert (row["kind"], row["schema_version"]) == ("snow_bed", 1)
    assert row["data"] == {
        "snow_depth": 35.5,
        "flowering": 12,
        "stage": "flowers",
        "signs": ["trampling"],
        "snow_left": False,
        "melt_date": "2026-06-20",
    }

    # Version 2 adds a field: a new record gets it; correcting the sent one keeps version 1's form.
    oracle = Phone()
    try:
        wind = {
            "name": "wind",
            "type": "yesno",
            "titles": titled("Vent", "Wind", "Vento"),
            "required": False,
        }
        second = oracle.ask({"build": {**SNOW_BED, "fields": [*SNOW_BED["fields"], wind]}})
    finally:
        oracle.close()
    assert await publish_kind(client, admin, "default", "snow_bed", second) == 2
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    await page.goto(cairn_url + "/#/record/snow_bed")
    await expect(page.locator("#field-wind-yes")).to_have_count(1)
    record_id = await db.fetchval("SELECT id FROM observation")
    await page.goto(f"{cairn_url}/#/record/snow_bed?edit={record_id}")
    await expect(page.locator("#field-snow_depth")).to_have_value("35.5")
    await expect(page.locator("#field-wind-yes")).to_have_count(0)
