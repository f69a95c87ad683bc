"""Backups and a full phone, in Chromium against the real server.

A backup saved offline on one phone and restored on a fresh one: both go online, the
server holds one record and one photo. A damaged or foreign file is refused and changes
nothing. A phone out of room (its IndexedDB refusing the outbox's write with the error a
full disk gives, see FULL_PHONE) warns before the record is lost, the form keeps everything
when the write fails, and a restore the phone cannot hold restores nothing at all.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from PIL import Image, ImageFilter
from playwright.async_api import Browser, BrowserContext, Page, Response, expect

from tests.browser import until_true
from tests.pwa.test_field_app import (
    ARTIFACTS,
    BRIANCON,
    PHONE,
    answer_tile,
    eventually,
    installed,
    observation_count,
    record_ibex,
)

pytestmark = pytest.mark.browser


def textured_photo(seed: int) -> bytes:
    """A camera-sized JPEG with grain, so the phone's 2048 px copy weighs what a real one does."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", (750, 500), rng.randbytes(750 * 500 * 3))
    image = small.resize((3000, 2000)).filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


async def fresh_phone(browser: Browser, **extra: Any) -> BrowserContext:
    """Another phone (or the same one after the browser emptied its storage); `extra` options
    of the browser context (another language, another browser's user agent)."""
    options: dict[str, Any] = {
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
        "locale": "fr-FR",
        "geolocation": BRIANCON,
        "permissions": ["geolocation"],
        "service_workers": "allow",
        "accept_downloads": True,
    }
    context = await browser.new_context(**{**options, **extra})
    await context.route("https://tile.openstreetmap.org/**", answer_tile)
    return context


async def offline_phone(browser: Browser, url: str) -> tuple[BrowserContext, Page]:
    """A fresh phone that opened the app once with network, now without."""
    context = await fresh_phone(browser)
    page = await installed(context, url)
    await context.set_offline(True)
    return context, page


async def save_backup(page: Page, url: str, to: Path) -> Path:
    """From "mine", the backup screen's button: the file the browser downloads."""
    await page.goto(url + "/#/mine")
    await page.click("#backup-link")
    await page.wait_for_selector("#backup-save:not([disabled])")
    async with page.expect_download() as download:
        await page.click("#backup-save")
    await (await download.value).save_as(to)
    await expect(page.locator("#backup-message")).to_contain_text("✓")
    return to


async def restore(page: Page, url: str, file: Path | dict[str, Any]) -> str:
    """Choose a file in the backup screen; the message it answers."""
    await page.goto(url + "/#/backup")
    await page.wait_for_selector("#backup-restore")
    message = page.locator("#restore-message")
    await page.evaluate("document.getElementById('restore-message').textContent = ''")
    await page.set_input_files("#backup-restore", files=file)  # type: ignore[arg-type]
    await expect(message).not_to_be_empty()
    return await message.inner_text()


OUTBOX = """() => new Promise((resolve, reject) => {
  const opened = indexedDB.open("cairn");
  opened.onerror = () => reject(opened.error);
  opened.onsuccess = () => {
    const read = opened.result.transaction("outbox").objectStore("outbox").getAll();
    read.onsuccess = () => resolve(read.result.map((r) => ({
      id: r.id, state: r.state, device: r.device ? r.device.device_id : null,
      photos: r.photos.map((p) => ({ id: p.id, done: p.done, bytes: p.blob ? p.blob.size : 0 })),
    })));
    read.onerror = () => reject(read.error);
  };
})"""


async def outbox(page: Page) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = await page.evaluate(OUTBOX)
    return sorted(records, key=lambda r: str(r["id"]))


def photo_uploads(page: Page) -> list[str]:
    """The photo uploads this page makes, as they happen."""
    seen: list[str] = []

    def note(response: Response) -> None:
        if response.request.method == "PUT" and "/photos/" in response.url:
            seen.append(response.url)

    page.on("response", note)
    return seen


async def test_a_backup_saved_offline_and_restored_on_a_fresh_phone_is_stored_once(
    browser: Browser, cairn_url: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    first, page = await offline_phone(browser, cairn_url)
    await record_ibex(page, textured_photo(1))
    file = await save_backup(page, cairn_url, tmp_path / "backup.json")
    backup = json.loads(file.read_text())
    assert backup["format"] == "cairn-backup" and backup["version"] == 1
    [saved] = backup["records"]
    assert saved["state"] == "waiting"
    assert saved["photos"][0]["data"].startswith("data:image/jpeg;base64,")

    second = await fresh_phone(browser)  # its own device, registered online, an empty outbox
    other = await installed(second, cairn_url)
    await second.set_offline(True)
    said = await restore(other, cairn_url, file)
    assert "1 observation ajoutée" in said
    assert await outbox(other) == await outbox(page)  # same ids, states and photo bytes
    await other.goto(cairn_url + "/#/mine")
    await other.wait_for_selector(".records .record.state-waiting")
    assert await observation_count(db) == 0

    uploads_first, uploads_second = photo_uploads(page), photo_uploads(other)
    await first.set_offline(False)
    await page.evaluate("window.dispatchEvent(new Event('online'))")

    async def photo_stored() -> bool:
        return bool(await db.fetchval("SELECT count(*) FROM photo"))

    await eventually(photo_stored)
    async with other.expect_response(lambda r: r.url.endswith("/observations/batch")) as batch:
        await second.set_offline(False)
        await other.evaluate("window.dispatchEvent(new Event('online'))")
    answer = await (await batch.value).json()
    assert [item["outcome"] for item in answer["results"]] == ["unchanged"]  # the 200 of a retry
    await until_true(other, "document.querySelector('.records .record.state-sent') !== null")
    restored = await outbox(other)
    assert restored[0]["state"] == "sent" and restored[0]["photos"][0]["done"] is True
    assert await observation_count(db) == 1
    assert await db.fetchval("SELECT count(*) FROM photo") == 1
    assert (len(uploads_first), len(uploads_second)) == (1, 0)  # the photo crossed the network once
    await first.close()
    await second.close()


async def test_a_damaged_or_foreign_file_is_refused_and_changes_nothing(
    browser: Browser, cairn_url: str, tmp_path: Path
) -> None:
    context, page = await offline_phone(browser, cairn_url)
    await record_ibex(page, textured_photo(2))
    good = (await save_backup(page, cairn_url, tmp_path / "good.json")).read_text()
    await record_ibex(page)  # a second record: the outbox the refused files must leave alone
    before = await outbox(page)
    document = json.loads(good)
    edited = json.loads(good)
    edited["records"][0]["payload"]["data"]["count"] = 30
    variants = {
        "cut short": (good[: len(good) // 2], "abîmé"),
        "one figure changed": (json.dumps(edited), "abîmé"),
        "a GeoJSON file": ('{"type": "FeatureCollection", "features": []}', "pas une sauvegarde"),
        "from a newer app": (json.dumps({**document, "version": 2}), "plus récente"),
    }
    for name, (text, reason) in variants.items():
        file = {"name": f"{name}.json", "mimeType": "application/json", "buffer": text.encode()}
        said = await restore(page, cairn_url, file)
        assert reason in said and "rien n'a été restauré" in said.lower(), name
        assert await outbox(page) == before, name
    await context.close()


# A phone with `room` bytes left (sessionStorage "test-room"), as the page meets it: the outbox's
# writes beyond that room fail with the QuotaExceededError a full disk gives, and the storage
# estimate says so. (Chromium's own quota override through DevTools does not hold once a service
# worker runs, and Chromium reports a fixed free room whatever the disk has, so that sites cannot
# tell profiles apart; Safari and Firefox report the real one.)
FULL_PHONE = """{
  const room = () => sessionStorage.getItem("test-room");
  const size = (value) => (value && Array.isArray(value.photos)
    ? value.photos.reduce((sum, p) => sum + (p.blob ? p.blob.size : 0), 0) : 0);
  let written = 0;
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (value, key) {
    if (room() !== null && this.name === "outbox") {
      written += size(value);
      if (written > Number(room())) {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
    }
    return put.call(this, value, key);
  };
  const estimate = StorageManager.prototype.estimate;
  StorageManager.prototype.estimate = function () {
    return estimate.call(this).then((e) => (room() === null ? e
      : { usage: e.usage, quota: e.usage + Number(room()) }));
  };
}"""


async def leave_room(page: Page, room: int | None) -> None:
    """From now on this page's phone has `room` bytes left (None: plenty)."""
    await page.evaluate(
        "(room) => room === null ? sessionStorage.removeItem('test-room')"
        " : sessionStorage.setItem('test-room', String(room))",
        room,
    )


async def test_a_full_phone_warns_first_and_a_refused_write_keeps_the_form(
    phone: BrowserContext, cairn_url: str, db: asyncpg.Connection
) -> None:
    await phone.add_init_script(FULL_PHONE)
    page = await installed(phone, cairn_url)
    await phone.set_offline(True)
    await leave_room(page, 64 * 1024)  # less than one photo
    await page.goto(cairn_url + "/#/record/species")
    await page.fill("#taxon-search", "bouquetin")
    await page.click("#taxon-results button.taxon >> nth=0")
    await page.set_input_files(
        "#photo-input",
        files=[{"name": "ibex.jpg", "mimeType": "image/jpeg", "buffer": textured_photo(3)}],
    )
    await expect(page.locator(".space-note")).to_contain_text("presque plein")  # before saving
    await page.click("details.more summary")
    await page.fill("#field-count", "3")
    await page.fill("#comment", "trois sur l'éboulis")
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")
    await page.click("form.record-form button[type=submit]")
    refusal = page.locator("form.record-form > .message[role=alert]")
    await expect(refusal).to_contain_text("Le téléphone est plein")
    assert page.url.endswith("#/record/species")  # still the form, everything in it
    assert await page.input_value("#field-count") == "3"
    assert await page.input_value("#comment") == "trois sur l'éboulis"
    await expect(page.locator(".chosen")).to_contain_text("Capra ibex")
    await expect(page.locator(".photos img")).to_have_count(1)
    assert await outbox(page) == []
    await leave_room(page, None)  # the hiker made room
    await page.click("form.record-form button[type=submit]")  # the same form, saved as it was
    await page.wait_for_selector(".records .record.state-waiting")
    [kept] = await outbox(page)
    assert kept["state"] == "waiting" and kept["photos"][0]["bytes"] > 64 * 1024
    assert await observation_count(db) == 0


async def test_a_restore_too_large_for_the_phone_restores_nothing(
    browser: Browser, cairn_url: str, tmp_path: Path
) -> None:
    """One transaction: the phone refusing the last photo leaves not even the first record."""
    source, page = await offline_phone(browser, cairn_url)
    for seed in (4, 5, 6):
        await record_ibex(page, textured_photo(seed))
    file = await save_backup(page, cairn_url, tmp_path / "three.json")
    photo_bytes = sum(p["bytes"] for r in await outbox(page) for p in r["photos"])
    target = await fresh_phone(browser)
    await target.add_init_script(FULL_PHONE)
    other = await installed(target, cairn_url)
    await target.set_offline(True)
    await leave_room(other, photo_bytes * 5 // 6)  # room for two photos and a half
    said = await restore(other, cairn_url, file)
    assert "n'a pas pu enregistrer" in said and "rien n'a été restauré" in said.lower()
    assert await outbox(other) == []
    await leave_room(other, None)
    assert "3 observations ajoutées" in await restore(other, cairn_url, file)
    await source.close()
    await target.close()


async def test_backup_size_of_ten_records_with_a_photo_each(
    browser: Browser, cairn_url: str, tmp_path: Path
) -> None:
    """The issue's figure, written beside the test artifacts: the file is its photos plus little."""
    context, page = await offline_phone(browser, cairn_url)
    for seed in range(10):
        await record_ibex(page, textured_photo(10 + seed))
    file = await save_backup(page, cairn_url, tmp_path / "ten.json")
    size = file.stat().st_size
    photos = sum(p["bytes"] for r in await outbox(page) for p in r["photos"])
    assert len(json.loads(file.read_text())["records"]) == 10
    overhead = size - photos * 4 / 3  # base64 makes 4 characters of 3 bytes
    assert 0 < overhead < 10 * 2048, overhead  # under 2 KB a record beyond its photo
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "backup-size.json").write_text(
        json.dumps({"records": 10, "photo_bytes": photos, "file_bytes": size}, indent=1)
    )
    await context.close()


IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1"
)


async def test_safari_on_an_iphone_is_shown_how_to_add_the_app_to_the_home_screen(
    browser: Browser, cairn_url: str, phone: BrowserContext
) -> None:
    """iOS has no install prompt, and only home-screen apps keep their storage past 7 days."""
    iphone = await fresh_phone(browser, locale="it-IT", user_agent=IPHONE_SAFARI)
    page = await installed(iphone, cairn_url)
    await page.goto(cairn_url + "/#/backup")
    await expect(page.locator("#ios-install")).to_contain_text("Aggiungi alla schermata Home")
    await iphone.set_offline(True)  # the record waits on the phone: at risk, the advice says why
    await page.goto(cairn_url + "/#/record/species")
    await page.fill("#taxon-search", "Capra ibex")
    await page.click("#taxon-results button.taxon >> nth=0")
    await until_true(page, "document.querySelector('.hint[aria-live]').textContent.includes('m')")
    await page.click("form.record-form button[type=submit]")
    await page.wait_for_selector(".records .record")
    await expect(page.locator("#advice")).to_contain_text("Safari")
    await iphone.close()
    android = await installed(phone, cairn_url)  # Chromium on Android installs from its menu
    await android.goto(cairn_url + "/#/backup")
    await android.wait_for_selector("#backup-restore")
    assert await android.locator("#ios-install").count() == 0
