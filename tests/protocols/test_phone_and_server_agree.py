"""Every schema the form builder can write is one the server accepts; its examples pass, and
mutated ones fail with the same errors on the phone (pwa/src/kind-validation.js, run by node)
and on the server (the JSON Schema validator behind intake)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.decoding import schema_errors
from cairn.protocols.kinds import compiled, registry
from cairn.protocols.model import schema_errors as kind_schema_errors

ORACLE = Path(__file__).resolve().parents[2] / "pwa" / "scripts" / "kind-oracle.mjs"


class Phone:
    """One node process answering the phone's builder and validator, line by line."""

    def __init__(self) -> None:
        node = shutil.which("node")
        assert node, "node is needed (make pwa installs it)"
        self.process = subprocess.Popen(
            [node, str(ORACLE)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def ask(self, request: dict[str, Any]) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def phone() -> Iterator[Phone]:
    oracle = Phone()
    yield oracle
    oracle.close()


names = st.sampled_from(
    ["alive", "crushed", "depth", "colour", "weather", "seen_on", "notes", "a", "b_2"]
)
words = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=12)
titles = st.fixed_dictionaries({"fr": words, "en": words, "it": words}).filter(
    lambda t: all(v.strip() for v in t.values())
)
choice_values = st.lists(
    st.sampled_from(["yes", "no", "1", "2_10", "over-10", "north", "south", "text"]),
    min_size=1,
    max_size=6,
    unique=True,
)


@st.composite
def field_specs(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "number", "count", "choice", "choices", "yesno", "date"]))
    field: dict[str, Any] = {
        "name": name,
        "type": kind,
        "titles": draw(titles),
        "required": draw(st.booleans()),
    }
    # Bounds, units and lengths the builder's admin may leave empty (None: the builder's default).
    if kind == "number":
        low = draw(st.none() | st.integers(-1000, 1000))
        high = draw(st.none() | st.integers(0, 1000))
        field.update(
            min=low,
            max=None if high is None else (low or 0) + high,
            unit=draw(st.sampled_from(["m", "°C", "cm", None])),
        )
    if kind == "count":
        field.update(
            min=draw(st.none() | st.integers(0, 5)), max=draw(st.none() | st.integers(5, 1000))
        )
    if kind == "text":
        field["maxLength"] = draw(st.none() | st.integers(1, 50))
    if kind in {"choice", "choices"}:
        values = draw(choice_values)
        field["choices"] = [{"value": v, **draw(titles)} for v in values]
    return field


@st.composite
def builder_specs(draw: st.DrawFn) -> dict[str, Any]:
    field_names = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    fields = [draw(field_specs(name)) for name in field_names]
    if draw(st.booleans()):
        fields.insert(
            0, {"name": "cd_nom", "type": "taxon", "titles": draw(titles), "required": True}
        )
    # A field shown only when an earlier yes/no or single choice has a given value.
    for index, field in enumerate(fields):
        triggers = [
            f for f in fields[:index] if f["type"] in {"yesno", "choice"} and "showWhen" not in f
        ]
        if triggers and draw(st.booleans()):
            trigger = draw(st.sampled_from(triggers))
            value = (
                draw(st.booleans())
                if trigger["type"] == "yesno"
                else draw(st.sampled_from([c["value"] for c in trigger["choices"]]))
            )
            field["showWhen"] = {"field": trigger["name"], "value": value}
    return {
        "titles": draw(titles),
        "photoRequired": draw(st.booleans()),
        "recordsAbsences": draw(st.booleans()),
        "fields": fields,
    }


def absences(spec: dict[str, Any]) -> bool:
    """Whether the built kind records absences: asked for, and it has a taxon field."""
    return spec["recordsAbsences"] and any(f["type"] == "taxon" for f in spec["fields"])


def required(spec: dict[str, Any], field: dict[str, Any]) -> bool:
    """Whether the built kind requires the field: a count never, where absences are recorded."""
    return field["required"] and not (absences(spec) and field["type"] == "count")


def order(spec: dict[str, Any]) -> list[str]:
    """The fields of the built kind in form order: whether it was found follows the taxon."""
    names = []
    for field in spec["fields"]:
        names.append(key(field))
        if field["type"] == "taxon" and absences(spec):
            names.append("occurrence_status")
    return names


def value_of(draw: st.DrawFn, field: dict[str, Any]) -> Any:
    kind = field["type"]
    if kind == "taxon":
        return draw(st.integers(1, 99999999))
    if kind == "text":
        return draw(
            st.text(
                st.characters(codec="utf-8", exclude_categories=["Cs"]),
                min_size=1,
                max_size=field["maxLength"] or TEXT_MAX,
            )
        )
    if kind == "number":
        return draw(
            st.floats(field["min"], field["max"], allow_nan=False, allow_infinity=False)
            | st.integers(field["min"], field["max"])
        )
    if kind == "count":
        return draw(st.integers(*count_bounds(field)))
    if kind == "choice":
        return draw(st.sampled_from([c["value"] for c in field["choices"]]))
    if kind == "choices":
        return draw(st.lists(st.sampled_from([c["value"] for c in field["choices"]]), unique=True))
    if kind == "yesno":
        return draw(st.booleans())
    return draw(st.dates()).isoformat()


def key(field: dict[str, Any]) -> str:
    return "cd_nom" if field["type"] == "taxon" else field["name"]


def shown(field: dict[str, Any], data: dict[str, Any]) -> bool:
    """Whether the form shows `field` for these answers (its condition holds, or it has none)."""
    condition = field.get("showWhen")
    return condition is None or (
        data.get(condition["field"], object()) == condition["value"]
        and type(data.get(condition["field"])) is type(condition["value"])
    )


@st.composite
def examples(draw: st.DrawFn, spec: dict[str, Any]) -> dict[str, Any]:
    """A record the form could produce: required fields given, hidden fields absent (and
    no count on an absence)."""
    data: dict[str, Any] = {}
    status = draw(st.sampled_from([None, "present", "absent"])) if absences(spec) else None
    if status is not None:
        data["occurrence_status"] = status
    for field in spec["fields"]:
        if status == "absent" and field["type"] == "count":
            continue
        if shown(field, data) and (required(spec, field) or draw(st.booleans())):
            data[key(field)] = value_of(draw, field)
    return data


NEVER_VALID = [None, {"a": 1}, ["Not a choice!"], -1_000_000_000, 1_000_000_000]
"""Values no field the builder writes accepts (choice codes are lower case, bounds smaller),
but for a number left without bounds, which takes any number."""
LONG_TEXT = "a sentence longer than the fifty characters any text field here allows"
BAD_VALUES = st.sampled_from(
    [*NEVER_VALID, "text", LONG_TEXT, 2.5, True, "2026-13-40", "", ["no", "no"]]
)


@st.composite
def mutations(
    draw: st.DrawFn, spec: dict[str, Any], data: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """A changed record, and whether the change surely makes it invalid."""
    mutated = dict(data)
    how = draw(st.sampled_from(["typed", "value", "unknown", "drop", "hidden", "shown", "absent"]))
    fields = spec["fields"]
    needed = [
        key(f) for f in fields if required(spec, f) and "showWhen" not in f and key(f) in data
    ]
    conditional = [f for f in fields if "showWhen" in f]
    hidden = [f for f in conditional if not shown(f, data)]
    shown_required = [f for f in conditional if required(spec, f) and shown(f, data)]
    counts = [f for f in fields if f["type"] == "count"]
    if how == "absent" and absences(spec) and counts:  # a count on an absence
        field = draw(st.sampled_from(counts))
        mutated.update({"occurrence_status": "absent", key(field): value_of(draw, field)})
        return mutated, True
    if how == "hidden" and hidden:  # an answer to a field its condition hides
        field = draw(st.sampled_from(hidden))
        mutated[key(field)] = value_of(draw, field)
        return mutated, True
    if how == "shown" and shown_required:  # a field its condition shows, required, left out
        mutated.pop(key(draw(st.sampled_from(shown_required))))
        return mutated, True
    if how == "unknown":
        mutated[draw(names.filter(lambda n: n not in {key(f) for f in fields}))] = draw(BAD_VALUES)
        return mutated, True
    if how == "typed":
        field = draw(st.sampled_from(fields))
        mutated[key(field)] = draw(st.sampled_from(invalid_values(field)))
        return mutated, True
    if how == "drop" and needed:
        mutated.pop(draw(st.sampled_from(needed)))
        return mutated, True
    bad = draw(BAD_VALUES)
    field = draw(st.sampled_from(fields))
    mutated[key(field)] = bad
    unbounded = field["type"] == "number" and isinstance(bad, int)  # ±10⁹: a number like any
    return mutated, bad in NEVER_VALID and not unbounded


TEXT_MAX = 500
COUNT_MAX = 100_000
"""The builder's defaults when the admin leaves a text's length or a count's maximum empty."""


def count_bounds(field: dict[str, Any]) -> tuple[int, int]:
    low = 0 if field["min"] is None else field["min"]
    return low, COUNT_MAX if field["max"] is None else field["max"]


def invalid_values(field: dict[str, Any]) -> list[Any]:
    """Values each builder field type refuses, next to its limits."""
    kind = field["type"]
    if kind == "text":
        return ["", "x" * ((field["maxLength"] or TEXT_MAX) + 1), 3]
    if kind == "count":
        low, high = count_bounds(field)
        return [low - 1, high + 1, "3", 2.5]
    if kind == "number":
        beyond = [field["min"] - 0.5] if field["min"] is not None else []
        beyond += [field["max"] + 0.5] if field["max"] is not None else []
        return [*beyond, "3", True]
    if kind == "choice":
        return ["nope", ["yes"], True]
    if kind == "choices":
        return [["nope"], "yes", [field["choices"][0]["value"]] * 2]
    if kind == "yesno":
        return ["true", 1, None]
    if kind == "date":
        return ["2026-02-30", "0099-13-01", "14/07/2026", "2026-7-14"]
    return [0, 100_000_000, "259"]


def server_errors(schema: dict[str, Any], data: dict[str, Any]) -> set[tuple[str, str]]:
    validator = compiled("built", 1, schema).validator
    return {
        (e.pointer, e.code)
        for error in validator.iter_errors(data)
        for e in schema_errors(error, ("data",))
    }


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_builder_schemas_accept_their_examples_and_refuse_mutations_alike(
    phone: Phone, data: st.DataObject
) -> None:
    spec = data.draw(builder_specs())
    schema = phone.ask({"build": spec})
    assert kind_schema_errors(schema) == []  # the server stores what the builder writes
    example = data.draw(examples(spec))
    assert server_errors(schema, example) == set()
    assert phone.ask({"validate": [schema, example]}) == []
    mutated, surely_invalid = data.draw(mutations(spec, example))
    on_server = server_errors(schema, mutated)
    on_phone = {(e["pointer"], e["code"]) for e in phone.ask({"validate": [schema, mutated]})}
    assert on_phone == on_server
    if surely_invalid:
        assert on_server, f"{mutated} should be refused"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(builder_specs(), st.randoms(use_true_random=False))
def test_a_stored_schema_reopens_in_the_builder_as_it_was_built(
    phone: Phone, spec: dict[str, Any], random: Any
) -> None:
    """Editing version N starts N+1 from the stored schema: reading it back loses nothing,
    not even the field order that the database's JSONB does not keep (`x-order` does)."""
    schema = phone.ask({"build": spec})
    assert schema["x-order"] == order(spec)
    names = list(schema["properties"])
    random.shuffle(names)
    stored = {**schema, "properties": {name: schema["properties"][name] for name in names}}
    reopened = phone.ask({"reopen": stored})
    assert reopened == schema
    assert list(reopened["properties"]) == schema["x-order"]


SPECIES_ANSWERS = st.fixed_dictionaries(
    {"cd_nom": st.sampled_from([259, 61098])},
    optional={
        "occurrence_status": st.sampled_from(["present", "absent", "gone"]),
        "count": st.sampled_from([1, 3, 0, 2.5]),
        "abundance_class": st.sampled_from(["1", "2_10", "many"]),
        "life_stage": st.sampled_from(["adult", "egg", "old"]),
    },
)


@settings(max_examples=150, deadline=None)
@given(SPECIES_ANSWERS)
def test_the_phone_refuses_a_species_absence_with_a_count_as_the_server_does(
    phone: Phone, answers: dict[str, Any]
) -> None:
    species = registry()[("species", 1)]
    on_server = {
        (e.pointer, e.code)
        for error in species.validator.iter_errors(answers)
        for e in schema_errors(error, ("data",))
    }
    on_phone = {
        (e["pointer"], e["code"]) for e in phone.ask({"validate": [species.schema, answers]})
    }
    assert on_phone == on_server
    if answers.get("occurrence_status") == "absent":
        for count in {"count", "abundance_class"} & set(answers):
            assert (f"/data/{count}", "invalid") in on_server
