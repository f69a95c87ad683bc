"""Real image files made with Pillow: with EXIF, GPS, rotations, and broken or hostile ones."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime

from PIL import Image

ORIENTATION = 0x0112
MAKE = 0x010F
GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def dms(value: float) -> tuple[float, float, float]:
    """Decimal degrees as EXIF degrees, minutes, seconds."""
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return float(degrees), float(minutes), seconds


def photo(
    fmt: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    *,
    gps: tuple[float, float] | None = None,
    taken_at: datetime | None = None,
    orientation: int | None = None,
    colour: tuple[int, int, int] = (40, 120, 60),
    mode: str = "RGB",
) -> bytes:
    """An image whose left half is `colour` and right half white, with the EXIF asked for."""
    image = Image.new(mode, size, (255, 255, 255) if mode == "RGB" else (255, 255, 255, 0))
    image.paste(colour, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    exif[MAKE] = "CairnTestCam"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps is not None:
        lon, lat = gps
        exif[GPS_IFD] = {
            1: "N" if lat >= 0 else "S",
            2: dms(lat),
            3: "E" if lon >= 0 else "W",
            4: dms(lon),
        }
    if taken_at is not None:
        tags: dict[int, str] = {36867: taken_at.strftime("%Y:%m:%d %H:%M:%S")}
        offset = taken_at.strftime("%z")
        if offset:
            tags[36881] = f"{offset[:3]}:{offset[3:]}"
        exif[EXIF_IFD] = tags
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A tiny PNG file that declares `width` x `height` pixels (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def has_metadata(data: bytes) -> bool:
    """True if a stored file still carries EXIF, XMP, ICC or a comment."""
    image = Image.open(io.BytesIO(data))
    return bool(
        image.getexif()
        or {"exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"} & image.info.keys()
        or b"Exif\x00\x00" in data
        or b"CairnTestCam" in data
    )


ACCEPTED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"} | {
    "HEIF": "image/heif"
}
"""Every format Cairn accepts, with the Content-Type a phone would send it with."""


def broken_copies(raw: bytes) -> dict[str, bytes]:
    """Damaged versions of a valid image, named by the damage done.

    Truncations at several offsets (inside the header, then a quarter, half and
    three quarters of the file), one byte flipped in the magic number, in the
    EXIF header and in the pixel data, a wrong magic number and an empty body.
    """
    size = len(raw)
    copies = {"empty": b"", "wrong_magic": b"\x00\x00\x00\x00" + raw[4:]}
    for cut in sorted({2, 8, 16, 24, 48, size // 4, size // 2, size * 3 // 4}):
        copies[f"truncated_at_{cut}"] = raw[:cut]
    exif_header = max(raw.find(b"MM\x00*"), raw.find(b"II*\x00"))
    for place, offset in (("magic", 1), ("exif_header", exif_header), ("data", size // 2)):
        if offset >= 0:
            flipped = bytearray(raw)
            flipped[offset] ^= 0xFF
            copies[f"flipped_{place}_byte_{offset}"] = bytes(flipped)
    return copies
