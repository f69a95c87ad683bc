"""Property tests: any record's SINP row holds shipped codes only and reads back as the record."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.exchange.model import (
    ABUNDANCE_RANGES,
    BEHAVIOURS,
    LIFE_STAGES,
    NOMENCLATURE_COLUMNS,
    SEXES,
    SINP_COLUMNS,
    STATUS_CODES,
    UNKNOWN,
    SinpSource,
    sinp_row,
)
from cairn.exchange.reading import Candidate, FileError, read_rows, sinp_candidate
from tests.exchange.geonature import shipped_codes

ZONE = ZoneInfo("Europe/Paris")
text = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], exclude_characters="\x00"), max_size=40
).map(str.strip)


@st.composite
def species_data(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"cd_nom": draw(st.integers(1, 99_999_999))}
    amount = draw(st.sampled_from(["count", "class", "none"]))
    if amount == "count":
        data["count"] = draw(st.integers(1, 100_000))
    elif amount == "class":
        data["abundance_class"] = draw(st.sampled_from(sorted(ABUNDANCE_RANGES)))
    for field, values in (("life_stage", LIFE_STAGES), ("sex", SEXES), ("behaviour", BEHAVIOURS)):
        if draw(st.booleans()):
            data[field] = draw(st.sampled_from([*sorted(values), "unknown", "other"]))
    return data


@st.composite
def sources(draw: st.DrawFn) -> SinpSource:
    start = draw(st.datetimes(datetime(1950, 1, 1), datetime(2026, 1, 1))).replace(microsecond=0)
    validated = draw(st.none() | st.just(start))
    data = draw(species_data())
    return SinpSource(
        id=draw(st.uuids()),
        dataset_id=draw(st.uuids()),
        local_start=start,
        cd_nom=data["cd_nom"],
        name=draw(text.filter(bool)),
        observer=draw(st.none() | text.filter(lambda t: bool(t) and t != "Anonyme")),
        lon=draw(st.floats(-180, 180, allow_nan=False)),
        lat=draw(st.floats(-90, 90, allow_nan=False)),
        accuracy_m=draw(st.none() | st.integers(0, 100_000).map(float)),
        altitude_m=draw(st.none() | st.integers(-500, 9000).map(float)),
        kind="species",
        schema_version=1,
        data=data,
        comment=draw(st.none() | text.filter(bool)),
        status=draw(st.sampled_from(sorted(STATUS_CODES))),
        validator=draw(st.none() | text.filter(bool)),
        validated_local=validated,
        validation_comment=draw(st.none() | text.filter(bool)),
        sensitivity_level=draw(st.integers(0, 4)),
        disclosed_level=draw(st.integers(0, 4)),
        photo_urls=[],
    )


def through_csv(source: SinpSource) -> Candidate:
    """The row written as the export writes it, read back as an import reads it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerows([SINP_COLUMNS, sinp_row(source)])
    [(line, cells)] = list(
        read_rows(io.BytesIO(buffer.getvalue().encode()), "sinp", hashlib_digest())
    )
    parsed = sinp_candidate(line, cells, "default", ZONE)
    assert not isinstance(parsed, list), parsed
    return parsed


def hashlib_digest() -> Any:
    return hashlib.sha256()


@settings(max_examples=200, deadline=None)
@given(sources())
def test_every_nomenclature_cell_is_a_shipped_code(source: SinpSource) -> None:
    codes = shipped_codes()
    cells = dict(zip(SINP_COLUMNS, sinp_row(source), strict=True))
    for column, sinp_type in NOMENCLATURE_COLUMNS.items():
        assert cells[column] in codes[sinp_type], (column, cells[column])
    assert set(UNKNOWN.values()) <= {c for values in codes.values() for c in values}


@settings(max_examples=200, deadline=None)
@given(sources())
def test_a_row_reads_back_as_the_record(source: SinpSource) -> None:
    parsed = through_csv(source)
    obs = parsed.observation
    assert obs.id == source.id
    assert obs.observed_at.replace(tzinfo=None) == source.local_start
    assert (obs.location.lon, obs.location.lat) == (source.lon, source.lat)
    assert obs.location.accuracy_m == source.accuracy_m
    assert obs.location.altitude_m == source.altitude_m
    assert obs.data == source.data
    assert obs.comment == source.comment
    assert parsed.status == source.status
    assert parsed.observers == source.observer
    assert parsed.validator == source.validator
    assert parsed.validation_comment == source.validation_comment
    assert parsed.sensitivity_level == source.sensitivity_level
    assert through_csv(source).comparable() == parsed.comparable()  # reading is deterministic


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_rows_or_a_clear_refusal(raw: bytes) -> None:
    """Whatever a file holds, reading it ends with rows or a FileError, never another error."""
    content = b"uuid_perm_sinp;date_debut;cd_nom\n" + raw
    try:
        for line, cells in read_rows(io.BytesIO(content), "sinp", hashlib_digest()):
            result = sinp_candidate(line, cells, "default", ZONE)
            assert isinstance(result, list | Candidate)
    except FileError as exc:
        assert exc.error.detail
