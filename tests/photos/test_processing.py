"""The photo pipeline on real images: by content, bombs refused, EXIF read then stripped."""

from __future__ import annotations

import io
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from cairn.photos.model import ExifFacts, Observed, PhotoRejectedError, photo_flags, process
from cairn.records.photos import VARIANTS
from tests.photos.images import has_metadata, huge_png, photo

BRIANCON = (6.6433, 44.8986)
MAX_PIXELS = 50_000_000


@pytest.fixture(params=["alone", "beside"])
def beside(request: pytest.FixtureRequest) -> Iterator[Executor | None]:
    """Every file from one decode, or a JPEG's smaller ones from a scaled decode in a companion
    thread (as the server does): both must give the same files."""
    if request.param == "alone":
        yield None
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        yield pool


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_every_accepted_format_is_re_encoded_without_metadata(
    fmt: str, beside: Executor | None
) -> None:
    raw = photo(
        fmt, size=(2000, 1500), gps=BRIANCON, taken_at=datetime(2026, 7, 14, 9, 30, tzinfo=UTC)
    )
    processed = process(raw, MAX_PIXELS, beside)
    assert processed.facts.source_format == fmt
    assert set(processed.files) == set(VARIANTS)
    for data in processed.files.values():
        assert Image.open(io.BytesIO(data)).format == "JPEG"
        assert not has_metadata(data)


def test_gps_and_time_are_read_before_stripping() -> None:
    taken = datetime(2026, 7, 14, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    facts = process(photo(gps=BRIANCON, taken_at=taken), MAX_PIXELS).facts
    assert facts.exif is not None
    assert facts.exif.taken_at == taken
    assert facts.exif.lon == pytest.approx(BRIANCON[0], abs=1e-5)
    assert facts.exif.lat == pytest.approx(BRIANCON[1], abs=1e-5)


def test_no_exif_means_no_facts() -> None:
    image = Image.new("RGB", (50, 40), (1, 2, 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    assert process(out.getvalue(), MAX_PIXELS).facts.exif is None


@pytest.mark.parametrize(
    ("orientation", "upright"), [(1, (640, 480)), (6, (480, 640)), (8, (480, 640)), (3, (640, 480))]
)
def test_exif_orientation_is_applied(
    orientation: int, upright: tuple[int, int], beside: Executor | None
) -> None:
    processed = process(photo(orientation=orientation), MAX_PIXELS, beside)
    assert (processed.facts.width, processed.facts.height) == upright
    original = Image.open(io.BytesIO(processed.files["original"]))
    assert original.size == upright
    # The coloured half was on the left; the turn moves it (1: stays, 6: top, 8: bottom, 3: right).
    green = original.convert("RGB").getpixel((5, 5))
    assert isinstance(green, tuple)
    if orientation in (1, 6):  # 6 turns the left half to the top, 8 to the bottom
        assert green[1] > 100 > green[0]
    else:
        assert green == pytest.approx((255, 255, 255), abs=12)


@pytest.mark.parametrize(
    ("size", "orientation", "expected"),
    [
        ((4000, 3000), None, {"small": (320, 240), "large": (1280, 960)}),
        ((4000, 3000), 6, {"small": (240, 320), "large": (960, 1280)}),
        ((4001, 2999), 8, {"small": (240, 320), "large": (959, 1280)}),
        ((1000, 750), 5, {"small": (240, 320), "large": (750, 1000)}),
        ((300, 200), None, {"small": (300, 200), "large": (300, 200)}),
    ],
)
def test_derivatives_have_their_sizes(
    size: tuple[int, int],
    orientation: int | None,
    expected: dict[str, tuple[int, int]],
    beside: Executor | None,
) -> None:
    processed = process(photo(size=size, orientation=orientation), MAX_PIXELS, beside)
    sizes = {name: Image.open(io.BytesIO(data)).size for name, data in processed.files.items()}
    upright = size[::-1] if orientation in {5, 6, 7, 8} else size
    assert sizes == {**expected, "original": upright}


def test_a_scaled_decode_gives_the_same_pictures_as_the_full_one() -> None:
    """The smaller files made from a DCT-scaled decode look like those made from all pixels:
    the coloured half where it was, in the same colours."""
    raw = photo(size=(4000, 3000), orientation=6, colour=(200, 30, 30))
    alone = process(raw, MAX_PIXELS).files
    with ThreadPoolExecutor(max_workers=1) as pool:
        scaled = process(raw, MAX_PIXELS, pool).files
    assert scaled["original"] == alone["original"]
    for variant in ("small", "large"):
        first, second = (Image.open(io.BytesIO(files[variant])) for files in (alone, scaled))
        assert first.size == second.size
        for point in ((5, 5), (first.width - 5, first.height - 5), (first.width // 2, 5)):
            assert first.getpixel(point) == pytest.approx(second.getpixel(point), abs=8)


def test_transparency_is_laid_on_white() -> None:
    processed = process(photo("PNG", mode="RGBA", colour=(0, 0, 255)), MAX_PIXELS)
    original = Image.open(io.BytesIO(processed.files["original"])).convert("RGB")
    assert original.getpixel((600, 10)) == pytest.approx((255, 255, 255), abs=6)


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(PhotoRejectedError) as refused:
        process(huge_png(100_000, 100_000), MAX_PIXELS)
    assert refused.value.code == "too_many_pixels"


def test_a_truncated_file_is_unreadable(beside: Executor | None) -> None:
    raw = photo(size=(800, 600))
    with pytest.raises(PhotoRejectedError) as refused:
        process(raw[: len(raw) // 2], MAX_PIXELS, beside)
    assert refused.value.code == "unreadable_image"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.7\n1 0 obj<<>>endobj",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b"PK\x03\x04" + b"\x00" * 100,
    ],
)
def test_non_images_and_other_formats_are_refused_by_content(raw: bytes) -> None:
    with pytest.raises(PhotoRejectedError) as refused:
        process(raw, MAX_PIXELS)
    assert refused.value.code == "not_an_image"


def test_a_polyglot_keeps_nothing_but_pixels(beside: Executor | None) -> None:
    payload = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04evil.zip"
    processed = process(photo() + payload, MAX_PIXELS, beside)
    for data in processed.files.values():
        assert b"<script>" not in data
        assert b"PK\x03\x04" not in data


def test_equal_pictures_have_equal_hashes() -> None:
    assert process(photo(), MAX_PIXELS).facts.sha256 == process(photo(), MAX_PIXELS).facts.sha256
    assert (
        process(photo(), MAX_PIXELS).facts.sha256
        != process(photo(colour=(200, 0, 0)), MAX_PIXELS).facts.sha256
    )


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_are_refused_cleanly_or_accepted(raw: bytes) -> None:
    try:
        processed = process(raw, MAX_PIXELS)
    except PhotoRejectedError as refused:
        assert refused.code in {"not_an_image", "unreadable_image", "too_many_pixels"}
    else:
        assert processed.facts.width * processed.facts.height <= MAX_PIXELS


@settings(max_examples=40, deadline=None)
@given(
    lon=st.floats(-179.9, 179.9, allow_nan=False),
    lat=st.floats(-89.9, 89.9, allow_nan=False),
)
def test_any_gps_position_round_trips_through_exif(lon: float, lat: float) -> None:
    facts = process(photo(size=(32, 24), gps=(lon, lat)), MAX_PIXELS).facts
    assert facts.exif is not None
    assert facts.exif.lon == pytest.approx(lon, abs=1e-5)
    assert facts.exif.lat == pytest.approx(lat, abs=1e-5)


OBSERVED = Observed(
    lon=BRIANCON[0],
    lat=BRIANCON[1],
    accuracy_m=20,
    observed_at=datetime(2026, 7, 14, 9, 0, tzinfo=UTC),
)


def test_a_far_camera_position_and_time_are_flagged() -> None:
    gap = ExifFacts(taken_at=datetime(2026, 7, 10, 9, 0, tzinfo=UTC), lon=6.0, lat=45.2)
    codes = {flag.code for flag in photo_flags("p", gap, OBSERVED)}
    assert codes == {"photo_position_far", "photo_time_far"}


def test_a_nearby_camera_is_not_flagged() -> None:
    near = ExifFacts(taken_at=datetime(2026, 7, 14, 9, 5, tzinfo=UTC), lon=6.6436, lat=44.8988)
    assert photo_flags("p", near, OBSERVED) == []
    assert photo_flags("p", None, OBSERVED) == []


@settings(max_examples=50, deadline=None)
@given(metres=st.floats(0, 20_000), accuracy=st.floats(0, 5_000))
def test_position_flag_follows_the_allowed_distance(metres: float, accuracy: float) -> None:
    # Move north by `metres` (1 degree of latitude is ~111.1 km here).
    moved = ExifFacts(lon=BRIANCON[0], lat=BRIANCON[1] + metres / 111_120)
    observed = Observed(BRIANCON[0], BRIANCON[1], accuracy, OBSERVED.observed_at)
    flagged = bool(photo_flags("p", moved, observed))
    allowed = max(500.0, accuracy)
    if metres > allowed * 1.01:
        assert flagged
    elif metres < allowed * 0.99:
        assert not flagged
