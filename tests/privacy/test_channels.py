"""Each side channel of issue 14, tried as an adversary would, through the real app.

Every test here failed before the disclosure policy closed its channel.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pillow_heif
import pytest
from PIL import Image, ImageCms, PngImagePlugin

from cairn.app import create_app
from cairn.contributors import store as devices
from cairn.core.db import create_pool
from cairn.observations.model import ObservationIn
from cairn.observations.service import accept
from cairn.reference.places_store import load_territory
from cairn.sensitivity import service as sensitivity_service
from cairn.sensitivity import store as sensitivity
from cairn.sensitivity.model import RuleIn
from cairn.settings import Settings
from tests.factories import new_device, observation_payload
from tests.photos.images import photo
from tests.privacy.helpers import (
    BRIANCON,
    GENTIAN,
    GUILLESTRE,
    VULTURE,
    Client,
    jpeg_metadata,
    png_with_text,
    publish,
    send,
)
from tests.world import add_programme, add_staff, eventually, sign_in, wait_for

# --- feedback as an oracle -----------------------------------------------------------------


async def test_flags_returned_to_a_submitter_never_depend_on_hidden_records(
    client: Client, db: asyncpg.Connection
) -> None:
    """A hidden vulture record in Briançon: a stranger's submissions there and elsewhere get
    the same flags, so submitting in a few communes no longer finds the hidden one."""
    _, owner = await new_device(client)
    hidden = await send(client, owner, VULTURE, BRIANCON)
    await publish(db, hidden["id"])
    _, stranger = await new_device(client)
    there = await send(client, stranger, VULTURE, (6.64, 44.90))
    elsewhere = await send(client, stranger, VULTURE, GUILLESTRE)
    assert [f["code"] for f in there["flags"]] == [f["code"] for f in elsewhere["flags"]]
    mine = (await client.get("/api/v1/me/observations", headers=stranger)).json()["items"]
    assert all(
        f["code"] != "first_in_commune" for item in mine for f in item["observation"]["flags"]
    )
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    staff = await sign_in(client, "mod@pne.fr")
    seen = (
        await client.get(f"/api/v1/moderation/observations/{elsewhere['id']}", headers=staff)
    ).json()
    assert "first_in_commune" in {f["code"] for f in seen["flags"]}  # moderators keep them


# --- linkage --------------------------------------------------------------------------------


async def test_a_generalised_record_names_no_observer_and_no_time_of_day(
    client: Client, db: asyncpg.Connection
) -> None:
    """A vulture sent in one batch with a precise gentian one minute apart: nothing in any
    open output ties the vulture to the gentian's observer, clock time or batch."""
    _, headers = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Aline"}, headers=headers)
    batch = [
        observation_payload(
            observed_at="2026-07-14T09:32:17+02:00",
            location={"lon": 6.6431, "lat": 44.8987, "accuracy_m": 5, "altitude_m": 1330},
            data={"cd_nom": GENTIAN, "count": 1},
        ),
        observation_payload(
            observed_at="2026-07-14T09:33:41+02:00",
            location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 5, "altitude_m": 1326},
            data={"cd_nom": VULTURE, "count": 1},
        ),
    ]
    sent = await client.post(
        "/api/v1/observations/batch", json={"observations": batch}, headers=headers
    )
    assert sent.status_code == 200, sent.text
    gentian, vulture = (item["id"] for item in batch)
    await publish(db, gentian, vulture)

    records = {r["id"]: r for r in (await client.get("/api/v1/observations")).json()["items"]}
    assert records[gentian]["observer"] == "Aline"
    assert records[vulture]["observer"] is None
    assert records[vulture]["observed_at"] == "2026-07-14T00:00:00+02:00"
    assert records[vulture]["updated_at"].endswith("T00:00:00Z")
    assert records[vulture]["updated_at"] != records[gentian]["updated_at"]

    rows = {
        r["id"]: r
        for r in csv.DictReader(
            io.StringIO((await client.get("/api/v1/observations?format=csv")).text.lstrip("\ufeff"))
        )
    }
    assert rows[vulture]["observer"] == ""
    assert rows[vulture]["observed_at"] == "2026-07-14T00:00:00+02:00"
    archive = zipfile.ZipFile(io.BytesIO((await client.get("/api/v1/exports/dwca")).content))
    occurrences = {
        r["occurrenceID"]: r
        for r in csv.DictReader(
            io.StringIO(archive.read("occurrence.txt").decode()), delimiter="\t"
        )
    }
    vulture_row = occurrences[f"urn:uuid:{vulture}"]
    assert vulture_row["recordedBy"] == ""
    assert vulture_row["rightsHolder"] != "Aline"
    assert len(vulture_row["eventDate"]) == 10  # the day alone, no time of day (GBIF: a date)
    assert datetime.fromisoformat(vulture_row["eventDate"]).time().isoformat() == "00:00:00"
    ogc = (await client.get(f"/ogc/collections/observations/items/{vulture}")).json()
    assert ogc["properties"]["observer"] is None
    # A harvester following updated_since never misses the generalised record.
    since = records[gentian]["updated_at"]
    harvested = (await client.get("/api/v1/observations", params={"updated_since": since})).json()
    assert vulture in {r["id"] for r in harvested["items"]}


# --- seasonal rules in the wrong time zone ----------------------------------------------------


async def test_seasonal_rules_read_the_local_day_on_every_path(
    client: Client, db: asyncpg.Connection, admin: dict[str, str]
) -> None:
    """00:30 on 1 March at +01:00 is in a 03-01 → 07-31 rule, at intake, after a later
    rule change's background re-projection, and after a re-identification."""
    nesting = {"cd_ref": GENTIAN, "level": 2, "period_start": "03-01", "period_end": "07-31"}
    created = await client.post("/api/v1/sensitivity/rules", json=nesting, headers=admin)
    assert created.status_code == 202, created.text
    await wait_for(client, admin, created.json()["job"]["id"])
    _, headers = await new_device(client)
    night = "2026-03-01T00:30:00+01:00"  # 28 February, 23:30 UTC
    record = await send(client, headers, GENTIAN, BRIANCON, observed_at=night)
    other = await send(client, headers, VULTURE, BRIANCON, observed_at=night)
    level = "SELECT sensitivity_level FROM observation WHERE id = $1"
    assert await db.fetchval(level, uuid.UUID(record["id"])) == 2

    elsewhere = {"cd_ref": GENTIAN, "level": 1, "area": _square(6.0, 44.0)}
    changed = await client.post("/api/v1/sensitivity/rules", json=elsewhere, headers=admin)
    await wait_for(client, admin, changed.json()["job"]["id"])
    assert await db.fetchval(level, uuid.UUID(record["id"])) == 2

    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    staff = await sign_in(client, "mod@pne.fr")
    reidentified = await client.post(
        f"/api/v1/observations/{other['id']}/reviews",
        json={"status": "certain", "expected_version": 1, "cd_nom": GENTIAN},
        headers=staff,
    )
    assert reidentified.status_code == 200, reidentified.text
    assert await db.fetchval(level, uuid.UUID(other["id"])) == 2


def _square(lon: float, lat: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# --- race between a rule and an intake ------------------------------------------------------


async def test_a_rule_created_during_an_intake_still_levels_its_record(
    dsn: str, settings: Settings, db: asyncpg.Connection
) -> None:
    """Two connections: intake computes level 0 and has not committed when a rule on its
    taxon is created and its job runs; the record must still end at the rule's level."""
    pool = await create_pool(dsn, min_size=2, max_size=4)
    try:
        territory = await load_territory(pool)
        admin_id = await add_staff(db, "root@petr.fr", "admin")
        observation = msgspec.convert(
            observation_payload(data={"cd_nom": GENTIAN, "count": 1}), ObservationIn
        )
        intake = await pool.acquire()
        transaction = intake.transaction()
        await transaction.start()
        await accept(intake, territory, settings, observation, None)  # level 0, not committed

        async def create_rule_and_run_its_job() -> None:
            async with pool.acquire() as conn, conn.transaction():
                rule = await sensitivity.create_rule(
                    conn, RuleIn(cd_ref=GENTIAN, level=3), admin_id
                )
                job = await sensitivity.start_job(conn, "test", [rule.cd_ref])
            await sensitivity_service.run_job(pool, uuid.UUID(job.id))

        rule_change = asyncio.create_task(create_rule_and_run_its_job())

        async def rule_change_finished_or_waits_for_the_intake() -> bool:
            """A rule change that does not wait for the intake ends (committed, job run) while
            it is still open; one that does is seen waiting on the intake's lock."""
            if rule_change.done():
                return True
            waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted"
            return bool(await db.fetchval(waiting))

        await eventually(rule_change_finished_or_waits_for_the_intake)
        await transaction.commit()
        await pool.release(intake)
        await rule_change
        level = await db.fetchval(
            "SELECT sensitivity_level FROM observation WHERE id = $1", observation.id
        )
        assert level == 3
    finally:
        await pool.close()


# --- photos -----------------------------------------------------------------------------------


def _comment_laden(fmt: str) -> bytes:
    """A picture of format `fmt` carrying every kind of text metadata that format can hold."""
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">nest at 6.64321,44.89871</x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGB", (64, 48), (40, 120, 60))
    exif = Image.Exif()
    exif[0x010E] = "nest at 6.64321,44.89871"  # ImageDescription
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(
            out, "JPEG", comment=b"nest at 6.64321,44.89871", exif=exif, icc_profile=icc, xmp=xmp
        )
    elif fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("comment", "nest at 6.64321,44.89871")
        info.add_text("Description", "nest at 6.64321,44.89871", zip=True)
        info.add_itxt("XML:com.adobe.xmp", xmp.decode(), zip=False)
        image.save(out, "PNG", pnginfo=info, exif=exif, icc_profile=icc)
        return png_with_text(out.getvalue(), {b"tEXt": b"Comment\x00observer Aline"})
    elif fmt == "WEBP":
        image.save(out, "WEBP", exif=exif, icc_profile=icc, xmp=xmp)
    else:
        pillow_heif.from_pillow(image).save(out, format="HEIF", exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
async def test_stored_photo_files_carry_no_metadata_whatever_the_format(
    client: Client, settings: Settings, fmt: str
) -> None:
    _, headers = await new_device(client)
    record = await send(client, headers, GENTIAN, BRIANCON)
    upload = await client.put(
        f"/api/v1/observations/{record['id']}/photos/{uuid.uuid4()}",
        content=_comment_laden(fmt),
        headers={**headers, "Content-Type": "application/octet-stream"},
    )
    assert upload.status_code == 201, upload.text
    stored = sorted((settings.data_dir / "photos").rglob("*.jpg"))
    assert len(stored) == 3
    for path in stored:
        assert jpeg_metadata(path.read_bytes()) == [], path.name


async def test_a_photo_is_served_only_while_its_record_is_visible_to_the_caller(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "queyras")
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    await add_staff(db, "other@queyras.fr", "moderator", programme="queyras")
    moderator = await sign_in(client, "mod@pne.fr")
    outsider = await sign_in(client, "other@queyras.fr")
    _, owner = await new_device(client)
    _, stranger = await new_device(client)
    record = await send(client, owner, GENTIAN, BRIANCON)
    receipt = (
        await client.put(
            f"/api/v1/observations/{record['id']}/photos/{uuid.uuid4()}",
            content=photo(),
            headers={**owner, "Content-Type": "image/jpeg"},
        )
    ).json()
    url = receipt["urls"]["large"]

    async def served(headers: dict[str, str] | None = None) -> tuple[int, str]:
        response = await client.get(url, headers=headers or {})
        return response.status_code, response.headers.get("cache-control", "")

    for who in (None, stranger, outsider):  # pending: owner and its staff only
        assert (await served(who))[0] == 404
    for who in (owner, moderator):
        status, cache = await served(who)
        assert status == 200 and "private" in cache and "no-store" in cache
    await publish(db, record["id"])
    status, cache = await served()
    assert status == 200 and cache.startswith("public") and "immutable" not in cache
    rejected = await client.post(
        f"/api/v1/observations/{record['id']}/reviews",
        json={"status": "invalid", "expected_version": 1},
        headers=moderator,
    )
    assert rejected.status_code == 200, rejected.text
    assert (await served())[0] == 404
    assert (await served(owner))[0] == 200
    await client.delete("/api/v1/me", params={"observations": "anonymise"}, headers=owner)
    assert (await served(moderator))[0] == 404  # erased with its photos


# --- contributor accounts ---------------------------------------------------------------------


async def test_contributor_sign_in_locks_an_email_after_five_failures(client: Client) -> None:
    _, first = await new_device(client)
    account = {"email": "aline@example.org", "password": "a long enough password"}
    assert (await client.post("/api/v1/me/account", json=account, headers=first)).status_code == 201
    _, second = await new_device(client)
    wrong = {**account, "password": "not the password at all"}
    for _ in range(5):
        failed = await client.post("/api/v1/me/account/sign-in", json=wrong, headers=second)
        assert failed.status_code == 401
    locked = await client.post("/api/v1/me/account/sign-in", json=account, headers=second)
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited" and int(locked.headers["retry-after"]) > 0
    mine = (await client.get("/api/v1/me/observations", headers=second)).json()
    assert mine["items"] == []


async def test_creating_an_account_answers_alike_whether_the_email_has_one(
    client: Client,
) -> None:
    _, first = await new_device(client)
    _, second = await new_device(client)
    account = {"email": "aline@example.org", "password": "a long enough password"}
    new = await client.post("/api/v1/me/account", json=account, headers=first)
    again = await client.post(
        "/api/v1/me/account", json={**account, "password": "another password here"}, headers=second
    )
    assert (new.status_code, new.json()) == (again.status_code, again.json())
    _, third = await new_device(client)
    record = await send(client, first, GENTIAN, BRIANCON)
    assert (await client.get("/api/v1/me/observations", headers=second)).json()["items"] == []
    signed = await client.post("/api/v1/me/account/sign-in", json=account, headers=third)
    assert signed.status_code == 200  # the existing flow claims the account
    mine = (await client.get("/api/v1/me/observations", headers=third)).json()["items"]
    assert [item["observation"]["id"] for item in mine] == [record["id"]]


async def test_fresh_device_tokens_do_not_buy_a_fresh_allowance(
    dsn: str, tmp_path: Path, db: asyncpg.Connection
) -> None:
    limited = Settings.from_env(
        {"CAIRN_DATA_DIR": str(tmp_path / "data"), "CAIRN_RATE_LIMIT_PER_MINUTE": "5"}
    )
    tokens = [(await devices.create(db))[1] for _ in range(4)]
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=create_app(limited, dsn)) as limited_client:
        answers = [
            (
                await limited_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            ).status_code
            for token in tokens
            for _ in range(2)
        ]
    assert 429 in answers and answers.count(200) == 5


# --- erasure ----------------------------------------------------------------------------------


async def test_anonymising_erasure_leaves_no_device_id_nor_free_text_in_the_history(
    client: Client, db: asyncpg.Connection
) -> None:
    device_id, headers = await new_device(client)
    record = await send(client, headers, GENTIAN, BRIANCON, comment="behind my garden at no 12")
    payload = observation_payload(
        id=record["id"],
        location={"lon": BRIANCON[0], "lat": BRIANCON[1], "accuracy_m": 8, "altitude_m": 1400},
        data={"cd_nom": GENTIAN, "count": 2},
        comment="behind my garden at no 12, two of them",
    )
    edited = await client.put(
        f"/api/v1/observations/{record['id']}",
        json={**payload, "expected_version": 1},
        headers=headers,
    )
    assert edited.status_code == 200, edited.text
    withdrawn = await client.post(
        f"/api/v1/observations/{record['id']}/withdraw",
        json={"expected_version": 2, "reason": "Aline from number 12 changed her mind"},
        headers=headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    erased = await client.delete(
        "/api/v1/me", params={"observations": "anonymise"}, headers=headers
    )
    assert erased.status_code == 204
    events = await db.fetch(
        "SELECT actor_id, comment, before::text, after::text FROM observation_event"
        " WHERE observation_id = $1",
        uuid.UUID(record["id"]),
    )
    assert len(events) == 2
    for event in events:
        text = " ".join(str(value) for value in event.values())
        assert device_id not in text
        assert "garden" not in text and "Aline" not in text
    with pytest.raises(asyncpg.RestrictViolationError):
        await db.execute("UPDATE observation_event SET comment = 'rewritten'")


# --- geoprivacy chosen by the contributor ------------------------------------------------------


async def test_a_contributor_may_have_a_record_published_generalised(
    client: Client, db: asyncpg.Connection
) -> None:
    _, headers = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Aline"}, headers=headers)
    garden = await send(client, headers, GENTIAN, BRIANCON, geoprivacy="obscured")
    assert garden["geoprivacy"] == "obscured"
    me = await client.put(
        "/api/v1/me", json={"pseudonym": "Aline", "geoprivacy": "obscured"}, headers=headers
    )
    assert me.status_code == 200 and me.json()["geoprivacy"] == "obscured"
    by_default = await send(client, headers, GENTIAN, BRIANCON)
    chosen_open = await send(client, headers, GENTIAN, BRIANCON, geoprivacy="open")
    await publish(db, garden["id"], by_default["id"], chosen_open["id"])
    records = {r["id"]: r for r in (await client.get("/api/v1/observations")).json()["items"]}
    for hidden in (garden["id"], by_default["id"]):
        record = records[hidden]
        assert record["generalisation"]["method"] == "grid_10km"
        assert record["observer"] is None and record["grid_1km"] is None
        assert record["altitude_m"] is None and record["comment"] is None
    assert records[chosen_open["id"]]["generalisation"] is None
    assert records[chosen_open["id"]]["observer"] == "Aline"
    bad = await client.put(
        "/api/v1/me", json={"pseudonym": None, "geoprivacy": "hidden"}, headers=headers
    )
    assert bad.status_code == 422
    assert "/geoprivacy" in {e["pointer"] for e in bad.json()["errors"]}
