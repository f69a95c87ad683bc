"""Broken photos through the real app: every damaged file is the client's to fix (4xx), never
an outage (503) a phone would retry for ever, and nothing of it is stored."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import asyncpg
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from cairn.settings import Settings
from tests.factories import observation_payload
from tests.photos.images import ACCEPTED_FORMATS, broken_copies, photo
from tests.photos.test_upload import observation_with_device, photo_url

VALID = {
    fmt: photo(fmt, size=(96, 64), gps=(6.6433, 44.8986), taken_at=datetime(2026, 7, 14, 9, 30))
    for fmt in ACCEPTED_FORMATS
}
"""One valid picture of each accepted format, the source of every damaged copy."""


def stored_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "photos").rglob("*.jpg"))


async def test_every_broken_copy_of_every_format_is_refused_with_a_4xx(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, settings: Settings
) -> None:
    observation_id, headers = await observation_with_device(client)
    answers: dict[tuple[str, str], int] = {}
    for fmt, media_type in ACCEPTED_FORMATS.items():
        for damage, body in broken_copies(VALID[fmt]).items():
            rows, files = await db.fetchval("SELECT count(*) FROM photo"), stored_files(settings)
            answer = await client.put(
                photo_url(observation_id),
                content=body,
                headers={**headers, "Content-Type": media_type},
            )
            answers[fmt, damage] = answer.status_code
            if damage.startswith(("flipped_data", "flipped_exif")):
                # Pixel data has no checksum in JPEG or WebP, and a damaged EXIF block only
                # loses the camera's facts: such a file can still be a picture. Stored then,
                # or refused; never an error of ours.
                assert answer.status_code in {201, 422}, (fmt, damage, answer.text)
            else:
                assert answer.status_code == 422, (fmt, damage, answer.text)
            if answer.status_code == 422:
                problem = answer.json()
                assert answer.headers["content-type"] == "application/problem+json"
                assert problem["code"] in {"unreadable_image", "not_an_image", "too_many_pixels"}
                assert problem["detail"]
                assert await db.fetchval("SELECT count(*) FROM photo") == rows
                assert stored_files(settings) == files
    assert len(answers) == 4 * 13, answers


def test_any_truncation_or_flipped_byte_is_a_4xx_or_a_picture_and_never_an_outage(
    app: Litestar, settings: Settings
) -> None:
    with TestClient(app) as client:
        device = client.post("/api/v1/devices").json()
        headers = {"Authorization": f"Bearer {device['token']}"}
        payload = observation_payload()
        assert client.post("/api/v1/observations", json=payload, headers=headers).is_success
        refused = 0

        @hypothesis_settings(
            max_examples=150, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(
            fmt=st.sampled_from(sorted(ACCEPTED_FORMATS)),
            place=st.floats(0, 1, exclude_max=True),
            damage=st.sampled_from(["truncate", "flip"]),
        )
        def upload_damaged(fmt: str, place: float, damage: str) -> None:
            nonlocal refused
            raw = VALID[fmt]
            offset = int(len(raw) * place)
            if damage == "truncate":
                body = raw[:offset]
            else:
                body = raw[:offset] + bytes([raw[offset] ^ 0xFF]) + raw[offset + 1 :]
            answer = client.put(
                photo_url(payload["id"]),
                content=body,
                headers={**headers, "Content-Type": ACCEPTED_FORMATS[fmt]},
            )
            # The last tenth of a file may hold only a trailer (PNG's IEND) and a flipped byte
            # may fall where no checksum looks: such files can still be pictures.
            if damage == "truncate" and place < 0.9:
                assert answer.status_code == 422, (fmt, offset, answer.text)
            else:
                assert answer.status_code in {200, 201, 422}, (fmt, damage, offset, answer.text)
            if answer.status_code == 422:
                refused += 1
                assert answer.json()["code"] in {
                    "unreadable_image",
                    "not_an_image",
                    "too_many_pixels",
                }

        upload_damaged()
        photos = client.get("/api/v1/me/observations", headers=headers).json()["items"][0][
            "observation"
        ]["photos"]
        assert len(stored_files(settings)) == 3 * len({p["sha256"] for p in photos})
        assert refused > 0


async def test_a_photo_store_that_cannot_write_is_an_outage_and_keeps_no_row(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, settings: Settings
) -> None:
    observation_id, headers = await observation_with_device(client)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "photos").write_bytes(b"a file where the photo folder should be")
    answer = await client.put(
        photo_url(observation_id),
        content=VALID["JPEG"],
        headers={**headers, "Content-Type": "image/jpeg"},
    )
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "service_unavailable"
    assert "photo store" in answer.json()["detail"]
    assert answer.headers["retry-after"] == "1"
    assert await db.fetchval("SELECT count(*) FROM photo") == 0
