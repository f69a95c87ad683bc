"""Photo uploads through the real app: idempotent by photo id, owner only, stored clean."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from cairn.app import create_app
from cairn.records.projection import project
from cairn.settings import Settings
from tests.factories import BRIANCON, new_device, observation_payload
from tests.photos.images import has_metadata, huge_png, photo

Client = AsyncTestClient[Litestar]
JPEG = {"Content-Type": "image/jpeg"}


async def observation_with_device(client: Client) -> tuple[str, dict[str, str]]:
    _, headers = await new_device(client)
    payload = observation_payload()
    created = await client.post("/api/v1/observations", json=payload, headers=headers)
    assert created.status_code == 201
    return payload["id"], headers


def photo_url(observation_id: str, photo_id: str | None = None) -> str:
    return f"/api/v1/observations/{observation_id}/photos/{photo_id or uuid.uuid4()}"


async def test_upload_retry_and_conflict(client: Client, db: asyncpg.Connection) -> None:
    observation_id, headers = await observation_with_device(client)
    url = photo_url(observation_id)
    raw = photo(
        gps=(BRIANCON["lon"], BRIANCON["lat"]), taken_at=datetime(2026, 7, 14, 7, 31, tzinfo=UTC)
    )
    first = await client.put(url, content=raw, headers={**headers, **JPEG})
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert abs(receipt["exif"]["lat"] - BRIANCON["lat"]) < 1e-5
    assert receipt["flags"] == []
    again = await client.put(url, content=raw, headers={**headers, **JPEG})
    assert again.status_code == 200
    assert again.json()["sha256"] == receipt["sha256"]
    other = await client.put(url, content=photo(colour=(250, 0, 0)), headers={**headers, **JPEG})
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert await db.fetchval("SELECT count(*) FROM photo") == 1
    mine = (await client.get("/api/v1/me/observations", headers=headers)).json()["items"]
    assert [p["sha256"] for p in mine[0]["observation"]["photos"]] == [receipt["sha256"]]


async def test_stored_files_carry_no_metadata_and_are_served_privately_to_their_owner(
    client: Client,
) -> None:
    observation_id, headers = await observation_with_device(client)
    raw = photo(size=(2000, 1500), gps=(6.1, 45.1), orientation=6)
    receipt = (
        await client.put(photo_url(observation_id), content=raw, headers={**headers, **JPEG})
    ).json()
    assert (receipt["width"], receipt["height"]) == (1500, 2000)
    for variant, url in receipt["urls"].items():
        served = await client.get(url, headers=headers)
        assert served.status_code == 200, variant
        assert served.headers["content-type"] == "image/jpeg"
        assert served.headers["cache-control"] == "private, no-store"  # pending: not public
        assert not has_metadata(served.content)
        assert (
            max(Image.open(io.BytesIO(served.content)).size)
            == {"small": 320, "large": 1280, "original": 2000}[variant]
        )


async def test_far_camera_position_becomes_a_flag_for_moderators(
    client: Client, db: asyncpg.Connection
) -> None:
    observation_id, headers = await observation_with_device(client)
    raw = photo(gps=(5.9, 45.3))  # Grenoble side, ~70 km from Briançon
    receipt = (
        await client.put(photo_url(observation_id), content=raw, headers={**headers, **JPEG})
    ).json()
    assert [f["code"] for f in receipt["flags"]] == ["photo_position_far"]
    flags = await db.fetchval(
        "SELECT flags FROM observation WHERE id = $1", uuid.UUID(observation_id)
    )
    assert "photo_position_far" in [f["code"] for f in flags]


async def test_only_the_owner_may_attach_or_remove(client: Client) -> None:
    observation_id, _ = await observation_with_device(client)
    _, stranger = await new_device(client)
    url = photo_url(observation_id)
    assert (await client.put(url, content=photo(), headers={**stranger, **JPEG})).status_code == 404
    assert (await client.put(url, content=photo(), headers=JPEG)).status_code == 401
    assert (await client.delete(url, headers=stranger)).status_code == 404
    missing = photo_url(str(uuid.uuid4()))
    assert (
        await client.put(missing, content=photo(), headers={**stranger, **JPEG})
    ).status_code == 404


async def test_bad_bodies_get_clear_problems_and_store_nothing(
    client: Client, db: asyncpg.Connection
) -> None:
    observation_id, headers = await observation_with_device(client)
    cases = [
        (b"<svg><script>alert(1)</script></svg>", "image/svg+xml", 422, "not_an_image"),
        (b"just text", "text/plain", 415, "unsupported_media_type"),
        (photo()[:300], "image/jpeg", 422, "unreadable_image"),
        (huge_png(60_000, 60_000), "image/png", 422, "too_many_pixels"),
    ]
    for body, media_type, status, code in cases:
        answer = await client.put(
            photo_url(observation_id), content=body, headers={**headers, "Content-Type": media_type}
        )
        assert answer.status_code == status, (code, answer.text)
        assert answer.json()["code"] == code
    assert await db.fetchval("SELECT count(*) FROM photo") == 0


async def test_the_byte_limit_answers_413(settings: Settings, dsn: str, tmp_path: Path) -> None:
    small = Settings.from_env({"CAIRN_DATA_DIR": str(tmp_path), "CAIRN_MAX_PHOTO_BYTES": "2048"})
    async with AsyncTestClient(create_app(small, dsn)) as client:
        observation_id, headers = await observation_with_device(client)
        answer = await client.put(
            photo_url(observation_id), content=photo(size=(1200, 900)), headers={**headers, **JPEG}
        )
        assert answer.status_code == 413
        assert answer.json()["code"] == "body_too_large"


async def test_identical_pictures_are_stored_once_and_deleted_with_the_last(
    client: Client, settings: Settings
) -> None:
    observation_id, headers = await observation_with_device(client)
    raw = photo()
    one, two = photo_url(observation_id), photo_url(observation_id)
    first = (await client.put(one, content=raw, headers={**headers, **JPEG})).json()
    second = (await client.put(two, content=raw, headers={**headers, **JPEG})).json()
    assert first["sha256"] == second["sha256"] and first["id"] != second["id"]
    files = sorted((settings.data_dir / "photos").rglob("*.jpg"))
    assert len(files) == 3  # small, large, original: once
    assert (await client.delete(one, headers=headers)).status_code == 204
    assert (await client.get(first["urls"]["small"], headers=headers)).status_code == 200
    assert (await client.delete(two, headers=headers)).status_code == 204
    assert (await client.get(first["urls"]["small"], headers=headers)).status_code == 404
    assert not list((settings.data_dir / "photos").rglob("*.jpg"))
    assert (await client.delete(two, headers=headers)).status_code == 404


async def test_parallel_uploads_of_one_photo_id_store_one_row(
    client: Client, db: asyncpg.Connection
) -> None:
    observation_id, headers = await observation_with_device(client)
    url, raw = photo_url(observation_id), photo(size=(1600, 1200))
    answers = await asyncio.gather(
        *(client.put(url, content=raw, headers={**headers, **JPEG}) for _ in range(6))
    )
    assert sorted(a.status_code for a in answers).count(201) == 1
    assert {a.status_code for a in answers} <= {200, 201}
    assert len({a.json()["sha256"] for a in answers}) == 1
    assert await db.fetchval("SELECT count(*) FROM photo") == 1


async def test_photo_paths_refuse_tricks(client: Client) -> None:
    for path in [
        "/api/v1/photos/..%2F..%2Fsecret_key/original.jpg",
        "/api/v1/photos/" + "a" * 64 + "/..%2Foriginal.jpg",
        "/api/v1/photos/" + "a" * 64 + "/original.png",
        "/api/v1/photos/" + "A" * 64 + "/small.jpg",
    ]:
        answer = await client.get(path)
        assert answer.status_code in {400, 404}, path
        assert answer.headers["content-type"] == "application/problem+json"
    bad_id = await client.put("/api/v1/observations/x/photos/..%2F..", content=b"x")
    assert bad_id.status_code in {400, 404}


async def test_public_records_link_their_photos(client: Client, db: asyncpg.Connection) -> None:
    observation_id, headers = await observation_with_device(client)
    receipt = (
        await client.put(photo_url(observation_id), content=photo(), headers={**headers, **JPEG})
    ).json()
    await db.execute(
        "UPDATE observation SET status = 'certain' WHERE id = $1", uuid.UUID(observation_id)
    )
    # The ibex is published generalised, so only a photo a moderator cleared goes with it
    # (the withheld side is tests/photos/test_sensitive_photos.py).
    await db.execute(
        "UPDATE photo SET shows_no_place = true WHERE id = $1", uuid.UUID(receipt["id"])
    )
    await project(db, [uuid.UUID(observation_id)])
    public = (await client.get(f"/api/v1/observations/{observation_id}")).json()
    assert public["photos"] == [receipt["urls"]["large"]]
