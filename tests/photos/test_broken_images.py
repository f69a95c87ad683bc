"""Broken photos through the real app: a damaged file is refused (a 4xx the phone will not
retry, nothing stored) or it is a complete picture; never a partial one stored as if whole.

The promise is about pixels, so it holds whatever a decoder library's version does with the
bytes it is given: every stored copy is decoded and compared with the stored undamaged
original. Both are the server's own re-encoding of what it decoded, with the same encoder,
so equal pixels in give equal pixels out: the tolerance is 0 (the lossy JPEG re-encode is
deterministic). A file cut anywhere can only lose data, so a stored cut copy must equal the
original. A flipped byte may fall in pixel data that no checksum covers (JPEG, WebP and
HEIF carry none), and such a picture is whole but different: it must then have the
original's size and no band of the grey a decoder fills missing rows with. PNG checks every
chunk with a CRC, so a stored flipped PNG must equal the original too.
"""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime
from pathlib import Path

import asyncpg
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient
from PIL import Image, ImageChops

from cairn.core.storage import photo_store
from cairn.records.photos import photo_key
from cairn.settings import Settings
from tests.factories import observation_payload
from tests.photos.images import ACCEPTED_FORMATS, broken_copies, photo
from tests.photos.test_upload import observation_with_device, photo_url

VALID = {
    fmt: photo(fmt, size=(96, 64), gps=(6.6433, 44.8986), taken_at=datetime(2026, 7, 14, 9, 30))
    for fmt in ACCEPTED_FORMATS
}
"""One valid picture of each accepted format, the source of every damaged copy."""

UNCHECKED_PIXELS = {"JPEG", "WEBP", "HEIF"}
"""Formats whose coded pixels carry no checksum: a flipped byte there can make another picture."""

REFUSALS = {"unreadable_image", "not_an_image", "too_many_pixels"}


def stored_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "photos").rglob("*.jpg"))


def stored_pixels(settings: Settings, sha256: str) -> Image.Image:
    """The stored original of a photo, decoded."""
    data = photo_store(settings).get(photo_key(sha256, "original"))
    assert data is not None, sha256
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def grey_filled(image: Image.Image) -> bool:
    """True when a band of 8 whole rows is the flat mid-grey decoders put where data is missing.

    The test pictures are half colour, half white: no such band is in any of them.
    """
    for top in range(image.height - 7):
        low, high = zip(*image.crop((0, top, image.width, top + 8)).getextrema(), strict=True)
        if min(low) >= 120 and max(high) <= 136:
            return True
    return False


def assert_refused_or_whole(
    settings: Settings, fmt: str, damage: str, status: int, answer: dict[str, object]
) -> None:
    """The promise, for one damaged upload: see the module's docstring."""
    if status == 422:
        assert answer["code"] in REFUSALS, answer
        return
    assert status in {200, 201}, (fmt, damage, status, answer)
    original = stored_pixels(settings, ORIGINAL_SHA[fmt])
    stored = stored_pixels(settings, str(answer["sha256"]))
    if stored.size == original.size and not ImageChops.difference(stored, original).getbbox():
        return
    assert damage == "flip" and fmt in UNCHECKED_PIXELS, (fmt, damage, "pixels differ")
    assert stored.size == original.size, (fmt, damage, stored.size)
    assert not grey_filled(stored), (fmt, damage, "grey rows: a partial decode")


ORIGINAL_SHA: dict[str, str] = {}
"""The stored original's SHA-256 of each undamaged picture, filled by `store_originals`."""


async def store_originals(
    client: AsyncTestClient[Litestar], observation_id: str, headers: dict[str, str]
) -> None:
    for fmt, media_type in ACCEPTED_FORMATS.items():
        answer = await client.put(
            photo_url(observation_id),
            content=VALID[fmt],
            headers={**headers, "Content-Type": media_type},
        )
        assert answer.status_code == 201, answer.text
        ORIGINAL_SHA[fmt] = answer.json()["sha256"]


async def test_every_broken_copy_of_every_format_is_refused_or_a_whole_picture(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, settings: Settings
) -> None:
    observation_id, headers = await observation_with_device(client)
    await store_originals(client, observation_id, headers)
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
            kind = "flip" if damage.startswith("flipped") else "cut"
            assert_refused_or_whole(settings, fmt, kind, answer.status_code, answer.json())
            if answer.status_code == 422:
                assert answer.headers["content-type"] == "application/problem+json"
                assert answer.json()["detail"]
                assert await db.fetchval("SELECT count(*) FROM photo") == rows
                assert stored_files(settings) == files
    assert len(answers) == 4 * 13, answers
    assert 422 in answers.values()


def jpeg_taller_than_its_data(raw: bytes) -> bytes:
    """A JPEG whose frame header declares 16 times the rows its scan holds.

    libjpeg decodes the rows it has, meets the end of the image, and fills the others with
    grey: a partial picture with no error, unless the decode boundary looks for it.
    """
    frame = raw.index(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    (height,) = struct.unpack(">H", raw[frame + 5 : frame + 7])
    return raw[: frame + 5] + struct.pack(">H", height * 16) + raw[frame + 7 :]


def png_with_a_damaged_pixel_chunk(raw: bytes) -> bytes:
    """A PNG whose pixel chunk (IDAT) has one byte flipped and its CRC left as it was."""
    start = raw.index(b"IDAT") + 4
    (length,) = struct.unpack(">I", raw[start - 8 : start - 4])
    data = bytearray(raw[start : start + length])
    data[len(data) // 2] ^= 0x01
    assert (
        zlib.crc32(b"IDAT" + data)
        != struct.unpack(">I", raw[start + length : start + length + 4])[0]
    )
    return raw[:start] + bytes(data) + raw[start + length :]


async def test_a_decode_that_a_decoder_patches_up_is_refused_as_unreadable(
    client: AsyncTestClient[Litestar], db: asyncpg.Connection, settings: Settings
) -> None:
    observation_id, headers = await observation_with_device(client)
    for media_type, body in (
        ("image/jpeg", jpeg_taller_than_its_data(VALID["JPEG"])),
        ("image/png", png_with_a_damaged_pixel_chunk(VALID["PNG"])),
    ):
        answer = await client.put(
            photo_url(observation_id), content=body, headers={**headers, "Content-Type": media_type}
        )
        assert answer.status_code == 422, (media_type, answer.text)
        assert answer.json()["code"] == "unreadable_image"
    assert await db.fetchval("SELECT count(*) FROM photo") == 0
    assert stored_files(settings) == []


def test_any_truncation_or_flipped_byte_is_a_4xx_or_a_whole_picture_and_never_an_outage(
    app: Litestar, settings: Settings
) -> None:
    with TestClient(app) as client:
        device = client.post("/api/v1/devices").json()
        headers = {"Authorization": f"Bearer {device['token']}"}
        payload = observation_payload()
        assert client.post("/api/v1/observations", json=payload, headers=headers).is_success
        for fmt, media_type in ACCEPTED_FORMATS.items():
            answer = client.put(
                photo_url(payload["id"]),
                content=VALID[fmt],
                headers={**headers, "Content-Type": media_type},
            )
            ORIGINAL_SHA[fmt] = answer.json()["sha256"]
        refused = 0

        @hypothesis_settings(
            max_examples=150, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(
            fmt=st.sampled_from(sorted(ACCEPTED_FORMATS)),
            place=st.floats(0, 1, exclude_max=True),
            damage=st.sampled_from(["cut", "flip"]),
        )
        def upload_damaged(fmt: str, place: float, damage: str) -> None:
            nonlocal refused
            raw = VALID[fmt]
            offset = int(len(raw) * place)
            if damage == "cut":
                body = raw[:offset]
            else:
                body = raw[:offset] + bytes([raw[offset] ^ 0xFF]) + raw[offset + 1 :]
            answer = client.put(
                photo_url(payload["id"]),
                content=body,
                headers={**headers, "Content-Type": ACCEPTED_FORMATS[fmt]},
            )
            assert_refused_or_whole(settings, fmt, damage, answer.status_code, answer.json())
            refused += answer.status_code == 422

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
