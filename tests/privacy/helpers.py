"""What the privacy tests share: taxa, places, a staff world, and file-format parsers."""

from __future__ import annotations

import struct
import uuid
import zlib
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.records.projection import project
from tests.factories import observation_payload

Client = AsyncTestClient[Litestar]
VULTURE, IBEX = 2852, 61098  # level 2 by the default rules (patrimonial and protected)
GENTIAN = 99854  # no rule: level 0
BRIANCON = (6.6433, 44.8986)  # commune 05023
GUILLESTRE = (6.6486, 44.6597)  # commune 05065


async def send(
    client: Client,
    headers: dict[str, str],
    cd_nom: int,
    where: tuple[float, float],
    **extra: Any,
) -> dict[str, Any]:
    """Submit one observation from a device; the stored record as its owner sees it."""
    payload = observation_payload(
        location={"lon": where[0], "lat": where[1], "accuracy_m": 8, "altitude_m": 1400},
        data={"cd_nom": cd_nom, "count": 1},
        **extra,
    )
    response = await client.post("/api/v1/observations", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def publish(db: asyncpg.Connection, *ids: str) -> None:
    """A moderator's acceptance, as far as the open data is concerned."""
    uuids = [uuid.UUID(i) for i in ids]
    await db.execute("UPDATE observation SET status = 'certain' WHERE id = ANY($1)", uuids)
    await project(db, uuids)


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every JPEG segment before the scan data."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    segments, at = [], 2
    while at < len(data):
        assert data[at] == 0xFF
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        segments.append((marker, data[at + 4 : at + 2 + length]))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        at += 2 + length
    return segments


METADATA_MARKERS = {0xFE} | set(range(0xE1, 0xF0))
"""COM and APP1-APP15 (EXIF, XMP, ICC, Photoshop, Adobe…): nothing a picture needs."""


def jpeg_metadata(data: bytes) -> list[int]:
    """The markers of segments that carry metadata (APP0 must be the bare JFIF header)."""
    found = []
    for marker, payload in jpeg_segments(data):
        if marker in METADATA_MARKERS or (marker == 0xE0 and not payload.startswith(b"JFIF\x00")):
            found.append(marker)
    return found


def png_with_text(image_bytes: bytes, chunks: dict[bytes, bytes]) -> bytes:
    """A PNG with extra ancillary chunks (tEXt, iTXt, zTXt…) inserted after IHDR."""
    head, rest = image_bytes[:33], image_bytes[33:]  # signature (8) + IHDR (25)
    extra = b"".join(
        struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        for kind, body in chunks.items()
    )
    return head + extra + rest
