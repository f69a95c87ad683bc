"""Property tests of payload decoding: valid ones pass, each mutation fails precisely."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.core.decoding import MalformedJsonError, decode, may_hold_nul, nul_errors, parse_json
from cairn.core.errors import InvalidInputError
from cairn.observations.model import ObservationIn, content_hash
from tests.factories import observation_payloads


@given(observation_payloads())
def test_every_valid_payload_decodes_to_the_same_content(payload: dict[str, Any]) -> None:
    obs = decode(payload, ObservationIn)
    assert str(obs.id) == payload["id"]
    assert obs.location.lon == payload["location"]["lon"]
    assert obs.data == payload["data"]
    # Decoding what we encode gives the same content hash: the idempotency key is stable.
    again = decode(msgspec.json.decode(msgspec.json.encode(obs)), ObservationIn)
    assert content_hash(again) == content_hash(obs)


def _errors(payload: Any) -> set[tuple[str, str]]:
    with pytest.raises(InvalidInputError) as caught:
        decode(payload, ObservationIn)
    return {(e.pointer, e.code) for e in caught.value.errors}


MUTATIONS: list[tuple[str, Any, tuple[str, str]]] = [
    ("/location/lat", 90.0001, ("/location/lat", "out_of_range")),
    ("/location/lat", -91, ("/location/lat", "out_of_range")),
    ("/location/lon", 180.5, ("/location/lon", "out_of_range")),
    ("/location/lon", "6.6", ("/location/lon", "wrong_type")),
    ("/location/accuracy_m", -1, ("/location/accuracy_m", "out_of_range")),
    ("/location/altitude_m", 9001, ("/location/altitude_m", "out_of_range")),
    ("/id", "not-a-uuid", ("/id", "invalid_format")),
    ("/schema_version", 0, ("/schema_version", "out_of_range")),
    ("/schema_version", "1", ("/schema_version", "wrong_type")),
    ("/kind", "Species!", ("/kind", "invalid_format")),
    ("/licence", "GPL-3.0", ("/licence", "not_allowed")),
    ("/programme", "Has Spaces", ("/programme", "invalid_format")),
    ("/data", [1, 2], ("/data", "wrong_type")),
    ("/comment", "x" * 2001, ("/comment", "too_long")),
    ("/extra", True, ("/extra", "unknown_field")),
    ("/location/speed", 3, ("/location/speed", "unknown_field")),
]


def _set(payload: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = pointer.strip("/").split("/")
    target = payload
    for part in parents:
        target = target[part]
    target[last] = value


@given(observation_payloads(), st.sampled_from(MUTATIONS))
def test_each_mutation_is_reported_at_its_pointer(
    payload: dict[str, Any], mutation: tuple[str, Any, tuple[str, str]]
) -> None:
    where, value, expected = mutation
    _set(payload, where, value)
    assert expected in _errors(payload)


@given(
    observation_payloads(),
    st.sampled_from(["id", "kind", "schema_version", "observed_at", "location", "data"]),
)
def test_each_missing_required_field_is_named(payload: dict[str, Any], field: str) -> None:
    del payload[field]
    assert (f"/{field}", "missing") in _errors(payload)


@given(observation_payloads())
def test_several_bad_fields_are_all_reported(payload: dict[str, Any]) -> None:
    payload["location"]["lat"] = 1000
    payload["id"] = "x"
    payload["surprise"] = 1
    assert {
        ("/location/lat", "out_of_range"),
        ("/id", "invalid_format"),
        ("/surprise", "unknown_field"),
    } <= _errors(payload)


@given(observation_payloads(), st.integers(1, 10_000))
def test_a_whole_number_written_with_a_decimal_point_is_that_integer(
    payload: dict[str, Any], version: int
) -> None:
    """JSON Schema (and so the published contract) calls `3.0` an integer: so does Cairn."""
    payload["schema_version"] = float(version)
    decoded = decode(payload, ObservationIn)
    assert decoded.schema_version == version
    assert type(decoded.schema_version) is int
    assert decoded.data == payload["data"]


@given(observation_payloads(), st.integers(1, 9_999))
def test_a_fraction_is_no_integer(payload: dict[str, Any], version: int) -> None:
    payload["schema_version"] = version + 0.5
    assert _errors(payload) == {("/schema_version", "wrong_type")}


@given(st.sampled_from(["2026-07-14T09:32:00", "14/07/2026", "2026-13-01T00:00:00Z", ""]))
def test_dates_without_offset_or_malformed_are_refused(value: str) -> None:
    payload: dict[str, Any] = {
        "id": "5d0c4b36-8a3e-4c1e-9a55-0f7f2b0c9e11",
        "kind": "species",
        "schema_version": 1,
        "observed_at": value,
        "location": {"lon": 6.6, "lat": 44.9},
        "data": {},
    }
    assert ("/observed_at", "invalid_format") in _errors(payload)


@given(st.binary(max_size=50).filter(lambda b: b.strip() not in {b""}))
def test_parse_json_never_raises_anything_but_malformed(body: bytes) -> None:
    with contextlib.suppress(MalformedJsonError):
        parse_json(body)


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"NaN", b'{"a": Infinity}', b"[1,]"])
def test_malformed_bodies(body: bytes) -> None:
    with pytest.raises(MalformedJsonError):
        parse_json(body)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=12,
)


def strings_in(value: Any) -> Iterator[str]:
    """Every key and string of a JSON value (the test's own oracle)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


@given(json_values)
def test_nul_anywhere_is_reported_and_its_escape_is_detectable(value: Any) -> None:
    holds_nul = any("\x00" in text for text in strings_in(value))
    assert bool(list(nul_errors(value))) == holds_nul
    if holds_nul:
        assert may_hold_nul(msgspec.json.encode(value))
