"""Photos: decode by content, refuse bombs, read EXIF, strip everything, make derivatives.

Pure CPU work on bytes (no storage, no database), run in a thread by the
HTTP layer. Every stored file is re-encoded from pixels, so no metadata,
trailing payload or second format of a polyglot file survives.
"""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

import msgspec
import pillow_heif
import simplejpeg
from PIL import Image, ImageOps, UnidentifiedImageError
from pyproj import Geod

from cairn.core.errors import UnprocessableError
from cairn.records.photos import VARIANTS, Photo
from cairn.records.vocabulary import Flag

pillow_heif.register_heif_opener()

ACCEPTED_FORMATS: Final = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"} | {
    "HEIF": "image/heif",
}
"""What Pillow must recognise in the bytes (the name and Content-Type are not trusted)."""

MEDIA_TYPE: Final = "image/jpeg"
"""Every stored file is a baseline JPEG: read by every browser and every GBIF harvester."""

PHOTO_DISTANCE_MIN_M: Final = 500.0
"""Camera positions further than this (or the stated accuracy) from the observation get a flag."""
PHOTO_TIME_MAX: Final = timedelta(hours=12)
"""A capture time further than this from the observation time is flagged."""

_GEOD: Final = Geod(ellps="WGS84")
_QUALITY: Final[dict[str, int]] = {"small": 80, "large": 85, "original": 90}
_REDUCING_GAP: Final = 1.0
"""Box-average whole pixel blocks (`Image.reduce`) as far as they go, then LANCZOS the last
factor below 2: for 4000 -> 1280 px, 38 ms instead of 130 ms at a gap of 2.0."""
_ORIENTATION: Final = 0x0112
"""EXIF orientation: 5 to 8 turn the picture by a quarter (`exif_transpose`): sides swap."""
_GPS_IFD: Final = 0x8825
_EXIF_IFD: Final = 0x8769
_DATETIME_ORIGINAL: Final = 36867
_OFFSET_TIME_ORIGINAL: Final = 36881


class PhotoRejectedError(UnprocessableError):
    """The bytes are not a photo Cairn accepts; `code` is the stable problem code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, "Photo refused", detail)


class ExifFacts(msgspec.Struct, frozen=True, omit_defaults=True):
    """What the camera recorded, returned to the client and then thrown away."""

    taken_at: datetime | None = None
    lon: float | None = None
    lat: float | None = None


class PhotoFacts(msgspec.Struct, frozen=True):
    """What Cairn keeps about a picture (its files aside)."""

    sha256: str
    """SHA-256 of the stored original: the storage key, equal for equal pictures."""
    width: int
    height: int
    source_format: str
    exif: ExifFacts | None


class Processed(msgspec.Struct, frozen=True):
    """The re-encoded files, keyed by variant, and what was learnt on the way."""

    facts: PhotoFacts
    files: dict[str, bytes]


class PhotoReceipt(Photo, frozen=True, kw_only=True):
    """The answer to an upload: the stored photo, what the camera said, and any remark."""

    exif: ExifFacts | None
    """Capture time and position read from the upload before it was stripped."""
    flags: list[Flag]


def process(raw: bytes, max_pixels: int, beside: Executor | None = None) -> Processed:
    """Decode `raw`, check its size before decoding pixels, and re-encode every variant.

    With `beside` (a pool of its own: its work never waits for this one), a JPEG's
    smaller files are made there from a second, DCT-scaled decode (`draft`, an eighth
    to a half of the pixels) while this thread decodes and re-encodes the original:
    the upload then takes little more than one full decode and one encode.
    """
    smaller: Future[dict[str, bytes]] | None = None
    try:
        with _decoder_errors():
            image = Image.open(io.BytesIO(raw), formats=list(ACCEPTED_FORMATS))
            with image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > max_pixels:
                    raise PhotoRejectedError(
                        "too_many_pixels",
                        f"the image is {width} x {height} pixels; "
                        f"at most {max_pixels:,} are accepted",
                    )
                source_format = str(image.format)
                exif = read_exif(image.getexif())
                if beside is not None and source_format == "JPEG" and image.mode != "CMYK":
                    orientation = image.getexif().get(_ORIENTATION)
                    smaller = beside.submit(_derivatives_from_draft, raw, orientation)
                else:
                    _refuse_patched_decode(raw, image)
                image.load()
                pixels = _upright(image)
            files = {"original": _encode(pixels, "original", derivative=False)}
            files |= _derivatives(pixels, pixels.size) if smaller is None else smaller.result()
    finally:
        if smaller is not None and not smaller.cancel():
            smaller.exception()  # wait for it even on failure: memory stays bounded
    facts = PhotoFacts(
        sha256=hashlib.sha256(files["original"]).hexdigest(),
        width=pixels.width,
        height=pixels.height,
        source_format=source_format,
        exif=exif,
    )
    return Processed(facts=facts, files=files)


def _upright(image: Image.Image) -> Image.Image:
    """Decoded RGB pixels turned as the camera's EXIF orientation says, with no metadata."""
    ImageOps.exif_transpose(image, in_place=True)
    pixels = _flatten(image)
    pixels.info.clear()  # Pillow copies a source's `comment` into the JPEG it writes
    return pixels


def _refuse_patched_decode(raw: bytes, image: Image.Image) -> None:
    """Refuse a file that decodes only because the decoder patches it up.

    Pillow raises when a file ends early, but not when a decoder recovers on its own:
    libjpeg fills the rows a JPEG's header declares and its data lacks with grey, and
    Pillow decodes a PNG's pixel chunks without checking their CRC. Such a picture
    would be stored as if whole. So a JPEG is decoded once more by libjpeg-turbo in
    strict mode (at an eighth of its size: the entropy decoding, where damage shows,
    is done in full, the transform is not) and a PNG's chunks are verified. Either
    failure is a `ValueError`/`SyntaxError`, which `_decoder_errors` makes a 4xx.
    """
    if image.format == "JPEG":
        colours = "CMYK" if image.mode == "CMYK" else "RGB"
        simplejpeg.decode_jpeg(raw, colorspace=colours, min_factor=8, strict=True)
    elif image.format == "PNG":
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as whole:
            whole.verify()


def _derivatives_from_draft(raw: bytes, orientation: int | None) -> dict[str, bytes]:
    """The smaller files of a JPEG from a decode scaled by its DCT to at least their size.

    libjpeg-turbo makes that decode in strict mode, so it is also the JPEG's check
    (`_refuse_patched_decode`) at no extra cost. `orientation` is the EXIF tag's value.
    """
    with _decoder_errors():
        height, width, _, _ = simplejpeg.decode_jpeg_header(raw)
        largest = max(side for side in VARIANTS.values() if side is not None)
        scale = min(1.0, largest / max(width, height))
        image = Image.fromarray(
            simplejpeg.decode_jpeg(
                raw,
                colorspace="RGB",
                min_width=math.ceil(width * scale),
                min_height=math.ceil(height * scale),
                strict=True,
            )
        )
        if orientation is not None:
            image.getexif()[_ORIENTATION] = orientation  # what `_upright` turns by
        upright = (height, width) if orientation in {5, 6, 7, 8} else (width, height)
        return _derivatives(_upright(image), upright)


@contextmanager
def _decoder_errors() -> Iterator[None]:
    """Whatever the decoders raise on these bytes is a fault of the bytes: a 4xx, never a 5xx.

    Pillow and pillow-heif signal damage with many types (OSError, SyntaxError,
    ValueError, EOFError, struct.error, RuntimeError from libheif, ...), and
    nothing but the client's bytes runs here, so every one of them means the
    same thing: this file cannot be read. Only our own refusals pass through.
    """
    try:
        yield
    except PhotoRejectedError:
        raise
    except UnidentifiedImageError:
        raise PhotoRejectedError(
            "not_an_image", "the body is not a JPEG, PNG, WebP or HEIC/HEIF image"
        ) from None
    except Image.DecompressionBombError as exc:
        raise PhotoRejectedError("too_many_pixels", str(exc)) from None
    except Exception as exc:  # noqa: BLE001 (see the docstring: every decoder failure is the file's)
        raise PhotoRejectedError(
            "unreadable_image",
            f"the image is damaged or truncated and cannot be read ({type(exc).__name__}: {exc})",
        ) from None


def _flatten(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency is laid on white (a JPEG has no alpha)."""
    if image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _derivatives(pixels: Image.Image, full: tuple[int, int]) -> dict[str, bytes]:
    """The smaller files, each shrunk from the last; `full` is the original's upright size,
    which their sizes follow (`pixels` may be a scaled decode of it).

    Box-averaging whole pixel blocks (`reducing_gap`) before the last LANCZOS step, and
    320 px from 1280 rather than from the full picture, cost a fraction of a direct resize.
    """
    files = {}
    source = pixels
    for variant, side in sorted(VARIANTS.items(), key=lambda item: -(item[1] or 0)):
        if side is None:
            continue
        scale = min(1.0, side / max(full))
        size = (max(1, round(full[0] * scale)), max(1, round(full[1] * scale)))
        if source.size != size:
            source = source.resize(size, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
        files[variant] = _encode(source, variant, derivative=True)
    return files


def _encode(image: Image.Image, variant: str, *, derivative: bool) -> bytes:
    """One JPEG with no metadata at all (no EXIF, ICC, XMP or comment)."""
    out = io.BytesIO()
    # Huffman optimisation saves ~5 % on the small files people download most, and costs
    # twice the encoding time on the large original: only the derivatives get it.
    image.save(
        out,
        "JPEG",
        quality=_QUALITY[variant],
        optimize=derivative,
        comment=b"",
        exif=b"",
        icc_profile=None,
        xmp=None,
    )
    return out.getvalue()


def read_exif(exif: Image.Exif) -> ExifFacts | None:
    """The capture time and GPS position, if the camera wrote them and they make sense."""
    taken_at = _taken_at(exif.get_ifd(_EXIF_IFD))
    position = _gps_position(exif.get_ifd(_GPS_IFD))
    if taken_at is None and position is None:
        return None
    lon, lat = position if position is not None else (None, None)
    return ExifFacts(taken_at=taken_at, lon=lon, lat=lat)


def _taken_at(ifd: dict[int, Any]) -> datetime | None:
    text = ifd.get(_DATETIME_ORIGINAL)
    if not isinstance(text, str):
        return None
    try:
        naive = datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = ifd.get(_OFFSET_TIME_ORIGINAL)
    return naive.replace(tzinfo=_offset(offset) if isinstance(offset, str) else None)


def _offset(text: str) -> timezone | None:
    """EXIF `OffsetTimeOriginal` ("+01:00"); None when absent or malformed (local time)."""
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = (int(part) for part in text[1:].split(":"))
        return timezone(sign * timedelta(hours=hours, minutes=minutes)) if hours <= 14 else None
    except (ValueError, IndexError):
        return None


def _gps_position(ifd: dict[int, Any]) -> tuple[float, float] | None:
    """(lon, lat) in decimal degrees from the GPS IFD (tags 1-4)."""
    try:
        lat = _degrees(ifd[2]) * (-1 if ifd.get(1) == "S" else 1)
        lon = _degrees(ifd[4]) * (-1 if ifd.get(3) == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    return round(lon, 7), round(lat, 7)


def _degrees(parts: Any) -> float:
    degrees, minutes, seconds = (float(part) for part in parts)
    return degrees + minutes / 60 + seconds / 3600


class Observed(msgspec.Struct, frozen=True):
    """Where and when the observation says it was made, to compare with the camera."""

    lon: float
    lat: float
    accuracy_m: float | None
    observed_at: datetime


def photo_flags(photo_id: str, exif: ExifFacts | None, observed: Observed) -> list[Flag]:
    """Remarks for moderators when the camera disagrees with the observation."""
    if exif is None:
        return []
    flags = []
    if exif.lon is not None and exif.lat is not None:
        distance = _GEOD.inv(observed.lon, observed.lat, exif.lon, exif.lat)[2]
        allowed = max(PHOTO_DISTANCE_MIN_M, observed.accuracy_m or 0.0)
        if distance > allowed:
            flags.append(
                Flag(
                    "photo_position_far",
                    f"the photo was taken {distance / 1000:.1f} km from the observation's position",
                    {"photo": photo_id, "distance_m": round(distance), "allowed_m": allowed},
                )
            )
    if exif.taken_at is not None:
        taken = exif.taken_at
        if taken.tzinfo is None:  # local camera time: read it in the observation's offset
            taken = taken.replace(tzinfo=observed.observed_at.tzinfo or UTC)
        gap = abs(taken - observed.observed_at)
        if gap > PHOTO_TIME_MAX:
            flags.append(
                Flag(
                    "photo_time_far",
                    f"the photo was taken {gap.total_seconds() / 3600:.0f} h "
                    "from the observation's time",
                    {"photo": photo_id, "hours": round(gap.total_seconds() / 3600, 1)},
                )
            )
    return flags
