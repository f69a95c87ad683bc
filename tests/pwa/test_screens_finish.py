"""Every screen at 390 px in French, English and Italian, and the record flow's tap count.

Each screen, in each language: no sideways scroll, axe finds nothing serious, and the
French and Italian screens show no English word outside names and codes (elements the
app marks `translate="no"`: species, communes, pseudonyms, comments people typed).
Screenshots of every screen in every language go to test-artifacts/screens/.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image, TiffImagePlugin
from playwright.async_api import BrowserContext, Locator, Page, expect

from cairn.reference.files import reference_file
from tests.atlas.test_atlas import at, validated
from tests.browser import serious_violations
from tests.protocols.examples import AMPHIBIAN_CROSSING, programme_admin, publish_kind
from tests.pwa.test_field_app import ARTIFACTS, camera_photo, installed
from tests.pwa.test_staff_screens import signed_in
from tests.world import add_programme, add_staff, eventually, plain_taxon, submit

pytestmark = pytest.mark.browser

SCREENSHOTS = ARTIFACTS.parent / "screens"
LANGS = ("fr", "en", "it")
KINDS = Path(reference_file("taxa_pne.csv")).parents[1] / "kinds"

# English words of the interface that are neither French nor Italian (checked on the pages of
# those languages); the schemas' own English labels are added below.
ENGLISH_UI_WORDS = frozenset(
    {
        "the",
        "and",
        "of",
        "to",
        "with",
        "from",
        "for",
        "your",
        "you",
        "this",
        "that",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "will",
        "waiting",
        "sent",
        "send",
        "now",
        "save",
        "saved",
        "delete",
        "my",
        "account",
        "species",
        "heritage",
        "threats",
        "flag",
        "flags",
        "review",
        "reidentify",
        "staff",
        "system",
        "device",
        "null",
        "undefined",
        "nan",
        "validated",
        "doubtful",
        "rejected",
        "withdrawn",
        "first",
        "last",
        "seen",
        "records",
        "cells",
        "sign",
        "out",
        "dashboard",
        "queue",
        "history",
        "search",
        "name",
        "map",
        "more",
        "details",
        "moderator",
        "select",
        "selected",
        "apply",
        "accept",
        "reject",
        "pending",
        "needs",
        "fix",
        "zoom",
        "close",
        "popup",
        "library",
        "interactive",
        "maps",
        "storage",
        "used",
        "offline",
        "accurate",
        "drag",
        "marker",
        "take",
        "choose",
        "remove",
        "photo's",
        "nearby",
        "recently",
        "near",
        "here",
    }
)
# Words the schemas' English labels share with French or Italian screens.
ALSO_FRENCH_OR_ITALIAN = frozenset({"alpine", "immature", "photo", "date", "type"})
# English words Italian interfaces use as their own ("Crea l'account"), never French ones.
LOANWORDS = {
    "fr": frozenset(),
    "it": frozenset({"account", "password", "online", "offline", "home"}),
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def words(text: str | None) -> set[str]:
    return {w.lower() for w in WORD.findall(text or "")}


def english_only_words() -> frozenset[str]:
    """English words of the kinds' schemas (titles, enum values, labels) absent from fr/it ones."""
    english: set[str] = set()
    others: set[str] = set()

    def visit(node: dict[str, object]) -> None:
        i18n = node.get("x-i18n", {})
        assert isinstance(i18n, dict)
        english.update(words(str(node.get("title", ""))))
        english.update(words(str(i18n.get("en", {}).get("title", ""))))
        for lang in ("fr", "it"):
            others.update(words(str(i18n.get(lang, {}).get("title", ""))))
            others.update(words(str(i18n.get(lang, {}).get("description", ""))))
        labels = node.get("x-enum-i18n", {})
        assert isinstance(labels, dict)
        for value, label in labels.items():
            english.update(words(value.replace("_", " ")) | words(label["en"]))
            others.update(words(label["fr"]) | words(label["it"]))
        for child in dict(node.get("properties", {})).values():  # type: ignore[call-overload]
            visit(child)

    for path in KINDS.glob("*/*.json"):
        visit(json.loads(path.read_text("utf-8")))
    derived = {w for w in english if len(w) >= 3}
    return frozenset((derived | ENGLISH_UI_WORDS) - others - ALSO_FRENCH_OR_ITALIAN)


ENGLISH_ONLY = english_only_words()

# The rendered text a reader meets: header, notice, screen, bottom bar, with the attributes
# read aloud or shown on hover; names and codes (translate="no") and map credits left out.
READABLE_TEXT = """() => {
  const parts = [document.title];
  for (const root of document.querySelectorAll("header.bar, #notice, #main, #tabs")) {
    const clone = root.cloneNode(true);
    const skipped = clone.querySelectorAll('[translate="no"], .leaflet-control-attribution');
    skipped.forEach((e) => e.remove());
    parts.push(clone.textContent);
    for (const e of clone.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
      for (const a of ["aria-label", "title", "placeholder", "alt"]) {
        if (e.hasAttribute(a)) parts.push(e.getAttribute(a));
      }
    }
  }
  return parts.join("\\n");
}"""


async def english_words_on(page: Page, lang: str) -> set[str]:
    return (words(await page.evaluate(READABLE_TEXT)) & ENGLISH_ONLY) - LOANWORDS[lang]


async def horizontal_overflow(page: Page) -> int:
    overflow: int = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return overflow


def gps_photo(lat: tuple[int, int, int], lon: tuple[int, int, int], taken: str) -> bytes:
    """A camera JPEG whose EXIF carries a GPS position (7 m error) and a local time at +02:00."""
    rational = TiffImagePlugin.IFDRational
    exif = Image.Exif()
    exif[0x0132] = taken
    camera = exif.get_ifd(0x8769)
    camera[0x9003] = taken
    camera[0x9011] = "+02:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", tuple(rational(v) for v in lat)
    gps[3], gps[4] = "E", tuple(rational(v) for v in lon)
    gps[0x1F] = rational(7)
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (90, 110, 70)).save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


class Taps:
    """Counts what a person touches: every click goes through here."""

    def __init__(self) -> None:
        self.count = 0

    async def tap(self, target: Locator) -> None:
        self.count += 1
        await target.click()


async def test_a_species_with_a_photo_takes_four_taps_from_home(
    phone: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    """Home → species → photo (EXIF fills place and time) → a nearby suggestion → save."""
    nearby = plain_taxon()
    await validated(
        client,
        db,
        data={"cd_nom": nearby},
        location=at(6.61, 44.935),
        observed_at="2026-07-10T10:00:00+02:00",
    )
    page = await installed(phone, cairn_url)
    taps = Taps()
    await taps.tap(page.locator(".choice.species"))
    save = page.locator("form.record-form button[type=submit]")
    await expect(save).to_be_in_viewport()  # in view before any scrolling
    async with page.expect_file_chooser() as chooser:
        await taps.tap(page.locator("label.camera"))
    photo = gps_photo((44, 55, 48), (6, 36, 0), "2026:07:14 09:32:00")
    await (await chooser.value).set_files(
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    await expect(page.locator(".photo-note")).to_contain_text("précision 7 m")
    await expect(page.locator(".photo-note")).to_contain_text("14 juil. 2026")
    chip = page.locator(f".suggestions .nearby button[data-cd-nom='{nearby}']")
    await taps.tap(chip)
    await expect(chip).to_have_attribute("aria-pressed", "true")
    await expect(save).to_be_in_viewport()
    await taps.tap(save)

    async def stored() -> bool:
        return bool(
            await db.fetchval(
                "SELECT count(*) FROM observation WHERE taxon_cd_nom = $1 AND status = 'pending'",
                nearby,
            )
        )

    await eventually(stored)
    row = await db.fetchrow(
        "SELECT lon, lat, accuracy_m, observed_at FROM observation WHERE status = 'pending'"
    )
    assert (round(row["lon"], 4), round(row["lat"], 4)) == (
        6.6,
        44.93,
    )  # the photo's, not the GPS's
    assert row["accuracy_m"] == 7
    assert row["observed_at"] == datetime(2026, 7, 14, 7, 32, tzinfo=UTC)
    assert taps.count <= 4, taps.count


async def test_the_hiker_sees_what_was_sent_and_what_was_decided(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    await page.goto(cairn_url + "/#/record/heritage")
    await page.select_option("#field-category", "sundial")
    await page.fill("#field-name", "Cadran de la Vachette")
    await page.set_input_files(
        "#photo-input",
        files=[{"name": "dial.jpg", "mimeType": "image/jpeg", "buffer": camera_photo()}],
    )
    await page.wait_for_selector(".photos img")
    await page.click("details.more summary")
    await expect(page.locator("fieldset.field")).to_contain_text("végétation envahissante")
    await expect(page.locator("fieldset.field")).not_to_contain_text("vegetation,")
    await page.check("fieldset.field input[value=erosion]")
    await expect(page.locator(".step .hint[aria-live]")).to_contain_text(" m")
    await page.click("form.record-form button[type=submit]")
    record = page.locator(".records .record")
    await expect(record.locator("strong")).to_have_text("Cadran de la Vachette (cadran solaire)")
    await expect(record.locator(".badge")).to_contain_text("Pas encore envoyée")
    assert (await record.locator("img.thumb").get_attribute("src") or "").startswith("blob:")
    await page.click("text=Envoyer maintenant")
    await expect(page.locator(".message")).to_contain_text("Hors ligne")

    await phone.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def sent_with_photo() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM photo"))

    await eventually(sent_with_photo)
    assert await db.fetchval("SELECT data->'threats' FROM observation") == ["erosion"]
    await page.reload()
    await page.wait_for_selector("body[data-ready=true]")
    await expect(record.locator(".badge")).to_contain_text("Envoyée, en attente de validation")
    # The server's copy, fetched with the device's token (a pending record's photo is not public).
    await expect(record.locator("img.thumb")).to_have_attribute("src", re.compile("^blob:"))

    # A moderator decides; the next opening says so, on "Mine" and in a notice, until seen.
    await db.execute(
        "UPDATE observation SET status = 'certain', moderator_comment = 'Bien vu',"
        " version = version + 1"
    )
    await page.goto(cairn_url + "/#/")
    await page.reload()
    await expect(page.locator("#tabs .count-badge")).to_contain_text("1")
    await expect(page.locator("#notice")).to_contain_text("a reçu une décision")
    await page.click("#notice a")
    await expect(record.locator(".badge")).to_contain_text("validée")
    await expect(page.locator("#tabs .count-badge")).to_have_count(0)
    await page.goto(cairn_url + "/#/")
    await expect(page.locator("#notice")).to_be_hidden()

    # The pseudonym's confirmation sits by its button; erasing is offered: this phone is known.
    await page.goto(cairn_url + "/#/privacy")
    await page.fill("#pseudonym", "Marmotte")
    await page.click("text=Enregistrer le pseudonyme")
    await expect(page.locator("#pseudonym-message")).to_have_text("✓ Pseudonyme enregistré.")
    await expect(page.locator("#pseudonym-message")).to_be_in_viewport()
    await expect(page.locator(".danger-zone")).to_have_count(1)


async def test_privacy_offers_no_deletion_to_a_phone_the_server_does_not_know(
    phone: BrowserContext, cairn_url: str
) -> None:
    page = await installed(phone, cairn_url)
    await page.goto(cairn_url + "/#/privacy")
    await page.wait_for_selector("#pseudonym")
    await expect(page.locator(".danger-zone")).to_have_count(0)
    await expect(page.locator("text=Supprimer mon compte")).to_have_count(0)


async def test_the_open_map_fills_its_groups_on_a_first_visit(
    phone: BrowserContext, cairn_url: str
) -> None:
    page = await phone.new_page()
    await page.goto(cairn_url + "/?lang=en#/map")  # the very first screen, nothing stored yet
    # The groups arrive with the species list, without a reload, in the reader's language.
    await expect(page.locator("#group")).to_contain_text("Birds")
    await page.goto(cairn_url + "/?lang=en#/record/species")
    await page.fill("#taxon-search", "capra ib")  # the scientific name is searched…
    first = page.locator("#taxon-results button.taxon").first
    await expect(first).to_have_text(re.compile(r"^Capra ibex — "))  # …and shown first


async def test_bulk_decisions_are_confirmed_and_can_be_undone(
    desk: BrowserContext,
    cairn_url: str,
    client: AsyncTestClient[Litestar],
    db: asyncpg.Connection,
) -> None:
    await add_staff(db, "marie@petr.example", "moderator", programme="default")
    ids = [await submit(client, data={"cd_nom": plain_taxon(), "count": 2000}) for _ in range(3)]
    page = await signed_in(desk, cairn_url, "marie@petr.example")
    await expect(page.locator(".queue-item")).to_have_count(3)
    # The undo window's timers run on the page's clock, which the test moves on at once.
    await page.clock.install()
    bulk_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            bulk_requests.append(request.method)
            if request.url.endswith("/api/v1/reviews/bulk")
            else None
        ),
    )

    # A desk uses its width: the record beside the list; no hiker's bottom bar.
    list_box = await page.locator(".queue").bounding_box()
    detail_box = await page.locator(".detail").bounding_box()
    assert list_box and detail_box and detail_box["x"] >= list_box["x"] + list_box["width"]
    await expect(page.locator("#tabs")).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "staff-desktop-en.png"))
    flag = page.locator(".queue-item .flag").first
    await expect(flag).to_contain_text("2 automatic flags")
    explained = await flag.get_attribute("title") or ""
    assert "first record of this taxon in Briançon" in explained  # a name, not an INSEE code
    assert "unusually many" in explained
    await expect(page.locator(".detail .flags")).to_contain_text("2,000 individuals")

    boxes = page.locator(".queue-item input[type=checkbox]")
    await boxes.nth(0).check()
    await boxes.nth(1).check()
    await page.click(".bulk button:has-text('Reject')")
    await expect(page.locator(".bulk-step")).to_contain_text("Reject: 2 observations?")
    await page.click(".bulk-step button:has-text('Confirm')")
    await expect(page.locator(".bulk-step")).to_contain_text("sending in")
    await page.click(".bulk-step button.undo")
    await expect(page.locator("#queue-message")).to_contain_text("nothing was sent")
    await page.clock.run_for(6_000)  # past the undo window: an undone timer would send here
    await page.click(".bulk button:has-text('Reject')")
    await page.click(".bulk-step button:has-text('Confirm')")
    await page.clock.run_for(6_000)  # the confirmed one's window ends: it is sent
    await expect(page.locator(".queue-item")).to_have_count(1, timeout=10_000)
    assert bulk_requests == ["POST"], "the undone decision never went, the confirmed one once"
    statuses = [await db.fetchval("SELECT status FROM observation WHERE id = $1", i) for i in ids]
    assert sorted(statuses) == ["invalid", "invalid", "pending"]


async def test_every_screen_fits_a_phone_in_three_languages(
    phone: BrowserContext, cairn_url: str, client: AsyncTestClient[Litestar], db: asyncpg.Connection
) -> None:
    await add_programme(db, "sentinelles")
    await db.execute("UPDATE programme SET target_taxa = '{61098}' WHERE slug = 'sentinelles'")
    await add_staff(db, "admin@petr.example", "admin", organisation="petr")
    plain = plain_taxon()
    for month in ("05", "06", "07"):
        await validated(
            client,
            db,
            data={"cd_nom": plain},
            programme="sentinelles",
            observed_at=f"2026-{month}-10T09:00:00+02:00",
        )
    await validated(
        client,
        db,
        kind="heritage",
        data={"category": "sundial", "name": "Cadran du Villard", "condition": "degraded"},
        observed_at="2026-06-01T10:00:00+02:00",
    )
    await submit(  # waits for a moderator, with flags (a poor position, a large count)
        client,
        data={"cd_nom": plain, "count": 2000},
        location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 350},
    )
    await submit(client, comment=None, data={"cd_nom": plain})  # no comment: nothing shown
    builder = await programme_admin(client, db, "default")  # a protocol built by the park
    await publish_kind(client, builder, "default", "amphibian_crossing", AMPHIBIAN_CROSSING)
    page = await installed(phone, cairn_url)
    await page.goto(cairn_url + "/#/record/species")  # one of the hiker's own records for "Mine"
    await page.fill("#taxon-search", "bouquetin")
    await page.click("#taxon-results button.taxon >> nth=0")
    await expect(page.locator(".step .hint[aria-live]")).to_contain_text(" m")
    await page.click("form.record-form button[type=submit]")
    await page.wait_for_selector(".records .record.state-sent")
    await signed_in(phone, cairn_url, "admin@petr.example")  # the staff screens in this context

    screens = {
        "home": ("#/", ".choices"),
        "record-species": ("#/record/species", "#taxon-search"),
        "record-heritage": ("#/record/heritage", "#field-category"),
        "mine": ("#/mine", ".records .record"),
        "map": ("#/map", "#open-map .leaflet-control-zoom"),
        "atlas": ("#/atlas", ".chips a"),
        "atlas-taxon": (f"#/atlas/taxon/{plain}", "#atlas-map .leaflet-control-zoom"),
        "atlas-commune": ("#/atlas/commune/05023", ".checklist"),
        "atlas-programme": ("#/atlas/programme/sentinelles", ".figures"),
        "atlas-heritage": ("#/atlas/heritage/sundial", ".checklist"),
        "impact": ("#/impact", ".figures"),
        "privacy": ("#/privacy", "#pseudonym"),
        "backup": ("#/backup", "#backup-restore"),
        "staff": ("#/staff", ".detail .leaflet-control-zoom"),
        "dashboard": ("#/dashboard", ".figures"),
        "builder": ("#/staff/kinds", ".kb-versions button"),
        "record-protocol": ("#/record/amphibian_crossing", "#field-alive"),
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    overflow: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    english: dict[str, set[str]] = {}
    for lang in LANGS:
        for name, (route, ready) in screens.items():
            key = f"{name}-{lang}"
            await page.goto(f"{cairn_url}/?lang={lang}{route}")
            await page.wait_for_selector(ready)
            if name == "record-heritage":
                await page.click("details.more summary")  # the folded fields are checked too
            if name == "builder":  # a published version reopened: field cards and preview
                await page.click(".kb-versions button")
                await page.wait_for_selector(".kb-field")
            if name == "record-protocol":  # the conditional field shown too
                await page.check("#field-crushed-yes")
            await asyncio.sleep(0.4)  # maps and lists settle
            await page.screenshot(path=str(SCREENSHOTS / f"{key}.png"), full_page=True)
            overflow[key] = await horizontal_overflow(page)
            problems[key] = await serious_violations(page)
            text = await page.inner_text("main")
            for literal in ("null", "undefined", "NaN"):
                assert literal not in text.split(), (key, literal)
            if lang != "en":
                english[key] = await english_words_on(page, lang)
            if name == "staff":
                await expect(page.locator("#tabs")).to_be_hidden()  # no hiker's bar for staff
    assert {k: v for k, v in overflow.items() if v > 0} == {}
    assert {k: v for k, v in problems.items() if v} == {}
    assert {k: v for k, v in english.items() if v} == {}


def test_the_english_word_list_catches_what_issue_17_saw() -> None:
    """The check is only as good as its list: the raw values the issue saw must be in it."""
    assert {"vegetation", "erosion", "water", "sundial", "waiting", "null"} <= ENGLISH_ONLY
    assert not {"observation", "position", "photo", "commune", "canal"} & ENGLISH_ONLY


async def test_map_controls_pass_under_the_sticky_header(
    phone: BrowserContext, cairn_url: str
) -> None:
    page = await installed(phone, cairn_url)
    await page.goto(cairn_url + "/#/record/species")
    zoom = page.locator("#record-map .leaflet-control-zoom-in")
    await zoom.wait_for()
    await page.click("details.more summary")  # a longer form, as when a hiker fills it in
    header = await page.locator("header.bar").bounding_box()
    button = await zoom.bounding_box()
    assert header and button
    # Scroll until the zoom button sits right behind the header, then ask what is drawn there.
    await page.evaluate("(dy) => window.scrollBy(0, dy)", button["y"] - header["height"] / 2)
    box = await zoom.bounding_box()
    assert box and box["y"] < header["height"]
    on_top = await page.evaluate(
        "([x, y]) => Boolean(document.elementFromPoint(x, y)?.closest('header.bar'))",
        [box["x"] + box["width"] / 2, max(1.0, box["y"] + box["height"] / 2)],
    )
    assert on_top, "Leaflet's zoom button is drawn over the header"
