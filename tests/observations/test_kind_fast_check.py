"""A kind's fast check says yes only to data its JSON Schema validator accepts."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.protocols.kinds import compiled, registry

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200_000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
    st.sampled_from(
        ["female", "adult", "chapel", "good", "erosion", "1", "2_10", "", "absent", "present"]
    ),
    st.sampled_from(["0b9f6f2e-5a2c-4f43-9d83-2f5d6b1a7c10", "0b9f6f2e5a2c4f439d832f5d6b1a7c10"]),
    st.lists(st.sampled_from(["erosion", "water", "other", "nope"]), max_size=10),
)


def data_for(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = [*schema["properties"], "unknown_field"]
    return st.dictionaries(st.sampled_from(names), VALUES, max_size=len(names))


@given(st.data())
@settings(max_examples=600)
def test_fast_yes_is_the_validators_yes(data: st.DataObject) -> None:
    for kind in registry().values():
        assert kind.accepts is not None  # the bundled kinds use only what it knows
        sample = data.draw(data_for(kind.schema))
        if kind.accepts(sample):
            assert kind.validator.is_valid(sample), sample
        elif not any(isinstance(v, float) for v in sample.values()):
            assert not kind.validator.is_valid(sample), sample  # no is only for 3.0-like input


def test_a_schema_beyond_its_vocabulary_has_no_fast_check() -> None:
    base = registry()[("species", 1)].schema
    for extra in (
        {"allOf": [{"required": ["count"]}]},
        {"patternProperties": {"^x": {"type": "string"}}},
        {"properties": {**base["properties"], "note": {"type": "string", "pattern": "^a"}}},
        {"properties": {**base["properties"], "count": {"type": "integer", "minLength": 1}}},
    ):
        assert compiled("k", 1, {**base, **extra}).accepts is None


CONDITIONAL = compiled(
    "protocol",
    1,
    {
        **{k: v for k, v in registry()[("species", 1)].schema.items() if k != "allOf"},
        "allOf": [
            *registry()[("species", 1)].schema["allOf"],
            {
                "if": {"properties": {"sex": {"const": "female"}}, "required": ["sex"]},
                "then": {"required": ["life_stage"]},
                "else": {"properties": {"behaviour": {"not": {}}}},
            },
            {
                "if": {"properties": {"count": {"const": 1}}, "required": ["count"]},
                "then": {"properties": {"habitat": {"not": {}}}},
            },
        ],
    },
)
"""The species kind with conditions of every shape programme kinds and absences use."""


@given(st.data())
@settings(max_examples=600)
def test_fast_yes_under_conditions_is_the_validators_yes(data: st.DataObject) -> None:
    assert CONDITIONAL.accepts is not None
    sample = data.draw(data_for(CONDITIONAL.schema))
    if CONDITIONAL.accepts(sample):
        assert CONDITIONAL.validator.is_valid(sample), sample
    elif not any(isinstance(v, float) for v in sample.values()):
        assert not CONDITIONAL.validator.is_valid(sample), sample
