"""Programme kinds: what a schema built by staff may say, checked before it is stored.

A programme's kind is a JSON Schema 2020-12 document in the restricted
vocabulary the field app renders and validates on the phone
(pwa/src/kind-validation.js): an object of named fields, each a string (text,
single choice, date), a number (with `x-unit`, `minimum`, `maximum`), an
integer (a count, or `cd_nom`: a taxon of the reference list), a boolean, or an
array of choices; `required`; `x-order`, the order the form shows the fields in
(stored as JSONB, `properties` keeps none); and conditions `allOf: [{if, then, else}]` that
show a field only when another one has a given value, or hide some (the counts of
an absence: a kind with a taxon may record absences, see `_absence_errors`). Every title
and every choice is labelled in fr, en and it with the `x-i18n` / `x-enum-i18n`
conventions of schemas/kinds/*. Anything else is refused with the pointer of
the offending node, so a hostile document is a 422, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from msgspec import Meta

from cairn.core.errors import FieldError, pointer
from cairn.core.languages import LANGS
from cairn.records.vocabulary import (
    ABSENCE_TEST,
    OCCURRENCE_FIELD,
    TAXON_FIELD,
    Kind,
    count_fields,
    records_absences,
)

MAX_SCHEMA_BYTES: Final = 64 * 1024
MAX_SCHEMA_DEPTH: Final = 12
MAX_FIELDS: Final = 60
MAX_CHOICES: Final = 100
MAX_CONDITIONS: Final = 60
BUNDLED_KINDS: Final = frozenset({"species", "heritage"})
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
HIDDEN: Final[dict[str, Any]] = {"not": {}}
"""The schema of a field while a condition hides it: any value is refused."""

FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CHOICE_VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
UNIT = re.compile(r"^[^\x00-\x1f]{1,20}$")

_ROOT_KEYWORDS: Final = frozenset(
    {
        "$schema", "$id", "title", "description", "x-i18n", "type", "properties", "required",
        "additionalProperties", "allOf", "x-kind", "x-version", "x-programme", "x-photo-required",
        "x-order",
    }
)  # fmt: skip
_FIELD_KEYWORDS: Final = frozenset(
    {
        "type", "title", "description", "x-i18n", "enum", "x-enum-i18n", "items", "uniqueItems",
        "minItems", "maxItems", "minimum", "maximum", "minLength", "maxLength", "format", "x-unit",
    }
)  # fmt: skip
_TEXT_LIMIT: Final = 2000

State = Literal["draft", "published"]


class KindDraftIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A new version of a programme's kind: a name and its JSON Schema 2020-12."""

    kind: Annotated[Kind, Meta(description="Unique across programmes; not `species`/`heritage`")]
    schema: Annotated[
        dict[str, Any], Meta(description="JSON Schema 2020-12 in the field app's vocabulary")
    ]


class ProgrammeKind(msgspec.Struct, frozen=True, kw_only=True):
    """One version of a programme's kind, as staff see it."""

    programme: str
    kind: str
    version: int
    state: State
    schema: dict[str, Any]
    created_by: UUID | None
    created_at: datetime
    published_at: datetime | None


def stamped(schema: dict[str, Any], programme: str, kind: str, version: int) -> dict[str, Any]:
    """The schema as stored: its dialect, identity and version written by the server."""
    return {
        **schema,
        "$schema": DIALECT,
        "$id": f"https://cairn.example/schemas/kinds/{kind}/{version}.json",
        "x-kind": kind,
        "x-version": version,
        "x-programme": programme,
    }


def schema_errors(schema: Any, base: tuple[str | int, ...] = ("schema",)) -> list[FieldError]:
    """Every reason `schema` may not become a kind; empty when it may."""
    size = len(msgspec.json.encode(schema))
    if size > MAX_SCHEMA_BYTES:
        detail = f"the schema is {size} bytes; at most {MAX_SCHEMA_BYTES} are accepted"
        return [FieldError(pointer(*base), "too_long", detail)]
    too_deep = _deeper_than(schema, MAX_SCHEMA_DEPTH, base)
    if too_deep is not None:
        detail = f"nested deeper than {MAX_SCHEMA_DEPTH} levels"
        return [FieldError(too_deep, "too_deep", detail)]
    remote = list(_remote_references(schema, base))
    if remote:
        return remote
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = pointer(*base, *error.absolute_path)
        return [FieldError(where, "invalid_schema", f"not JSON Schema 2020-12: {error.message}")]
    return sorted(set(_vocabulary_errors(schema, base)), key=lambda e: (e.pointer, e.code))


def _deeper_than(value: Any, limit: int, path: tuple[str | int, ...]) -> str | None:
    """The pointer of the first node deeper than `limit`, or None (iterative: no recursion)."""
    stack: list[tuple[Any, tuple[str | int, ...], int]] = [(value, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > limit:
            return pointer(*where)
        if isinstance(node, dict):
            stack.extend((v, (*where, k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*where, i), depth + 1) for i, v in enumerate(node))
    return None


def _remote_references(value: Any, path: tuple[str | int, ...]) -> Iterator[FieldError]:
    """`$ref`, `$dynamicRef` and friends that leave the document (only `#…` may stay)."""
    if isinstance(value, dict):
        for key, item in value.items():
            reference = key in {"$ref", "$dynamicRef", "$recursiveRef"}
            if reference and not (isinstance(item, str) and item.startswith("#")):
                yield FieldError(
                    pointer(*path, key),
                    "remote_reference",
                    "only references inside the document (`#/…`) are allowed",
                )
            else:
                yield from _remote_references(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _remote_references(item, (*path, index))


def _vocabulary_errors(schema: Any, base: tuple[str | int, ...]) -> Iterator[FieldError]:
    if not isinstance(schema, dict):
        yield FieldError(pointer(*base), "wrong_type", "a kind's schema is a JSON object")
        return
    yield from _unsupported(schema, _ROOT_KEYWORDS, base)
    if schema.get("type") != "object":
        yield FieldError(pointer(*base, "type"), "not_allowed", 'a kind\'s `type` is "object"')
    if schema.get("additionalProperties") is not False:
        yield FieldError(
            pointer(*base, "additionalProperties"),
            "not_allowed",
            "`additionalProperties` must be false: every field is declared",
        )
    if not isinstance(schema.get("x-photo-required", False), bool):
        yield FieldError(pointer(*base, "x-photo-required"), "wrong_type", "true or false")
    yield from _label_errors(schema, base, needs_title=True)
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        yield FieldError(pointer(*base, "properties"), "missing", "a kind has at least one field")
        return
    if len(properties) > MAX_FIELDS:
        yield FieldError(pointer(*base, "properties"), "too_long", f"at most {MAX_FIELDS} fields")
    for name, field in properties.items():
        yield from _field_errors(name, field, (*base, "properties", name))
    yield from _order_errors(schema.get("x-order"), properties, (*base, "x-order"))
    for index, name in enumerate(schema.get("required", [])):
        if name not in properties:
            yield FieldError(
                pointer(*base, "required", index), "not_allowed", f"`{name}` is not a field"
            )
    conditions = schema.get("allOf", [])
    if len(conditions) > MAX_CONDITIONS:
        yield FieldError(pointer(*base, "allOf"), "too_long", f"at most {MAX_CONDITIONS}")
    for index, condition in enumerate(conditions):
        yield from _condition_errors(condition, properties, (*base, "allOf", index))
    if records_absences(schema):
        yield from _absence_errors(schema, base)


def _absence_errors(schema: dict[str, Any], base: tuple[str | int, ...]) -> Iterator[FieldError]:
    """A kind that records absences ("records absences" in the builder): `occurrence_status`
    is `present` or `absent`, the kind names a taxon, and an absence refuses every count."""
    field = schema["properties"][OCCURRENCE_FIELD]
    where = (*base, "properties", OCCURRENCE_FIELD)
    if not (isinstance(field, dict) and field.get("type") == "string"):
        yield FieldError(pointer(*where, "type"), "not_allowed", '`occurrence_status` is "string"')
    elif field.get("enum") != ["present", "absent"]:
        yield FieldError(pointer(*where, "enum"), "not_allowed", '["present", "absent"]')
    if TAXON_FIELD not in schema["properties"]:
        detail = "only a kind with a taxon (`cd_nom`) records absences"
        yield FieldError(pointer(*where), "not_allowed", detail)
    counts = count_fields(schema)
    required = schema.get("required", [])
    for index, name in enumerate(required if isinstance(required, list) else []):
        if name in counts:
            detail = f"an absence has no count: `{name}` cannot be required"
            yield FieldError(pointer(*base, "required", index), "not_allowed", detail)
    hidden: set[str] = set()
    for condition in schema.get("allOf", []):
        if isinstance(condition, dict) and condition.get("if") == ABSENCE_TEST:
            then = condition.get("then")
            fields = then.get("properties") if isinstance(then, dict) else None
            hidden.update(fields if isinstance(fields, dict) else {})
    if missing := [name for name in counts if name not in hidden]:
        detail = (
            "a kind that records absences hides its counts when `occurrence_status` is "
            f"`absent`: {', '.join(missing)}"
        )
        yield FieldError(pointer(*base, "allOf"), "missing", detail)


def _order_errors(
    order: Any, properties: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[FieldError]:
    """`x-order`: the fields in the order the form shows them, each once (JSONB keeps no order)."""
    if order is None:
        return
    names = order if isinstance(order, list) and all(isinstance(n, str) for n in order) else None
    if names is None or sorted(names) != sorted(properties):
        yield FieldError(pointer(*path), "invalid", "every field's name, once each")


def _unsupported(
    node: dict[str, Any], allowed: frozenset[str], path: tuple[str | int, ...]
) -> Iterator[FieldError]:
    for key in node:
        if key not in allowed:
            yield FieldError(
                pointer(*path, key),
                "unsupported_keyword",
                f"`{key}` is not in the vocabulary the field app renders",
            )


def _label_errors(
    node: dict[str, Any], path: tuple[str | int, ...], *, needs_title: bool
) -> Iterator[FieldError]:
    """`title` and `x-i18n.{fr,en,it}.title` (and description, when given) as non-empty text."""
    if needs_title and not _text(node.get("title")):
        yield FieldError(pointer(*path, "title"), "missing", "a title is required")
    i18n = node.get("x-i18n")
    if not isinstance(i18n, dict):
        yield FieldError(pointer(*path, "x-i18n"), "missing", "titles in fr, en and it")
        return
    for lang in LANGS:
        texts = i18n.get(lang)
        if not isinstance(texts, dict) or not _text(texts.get("title")):
            yield FieldError(pointer(*path, "x-i18n", lang, "title"), "missing_label", lang)
            continue
        for key, value in texts.items():
            if key not in {"title", "description"} or not _text(value):
                yield FieldError(pointer(*path, "x-i18n", lang, key), "not_allowed", "text")
    for lang in i18n:
        if lang not in LANGS:
            yield FieldError(pointer(*path, "x-i18n", lang), "not_allowed", "fr, en or it")


def _text(value: object) -> bool:
    return isinstance(value, str) and len(value.strip()) > 0 and len(value) <= _TEXT_LIMIT


def _field_errors(name: str, field: Any, path: tuple[str | int, ...]) -> Iterator[FieldError]:
    if not FIELD_NAME.match(name):
        yield FieldError(
            pointer(*path), "invalid_format", "field names: a-z, 0-9 and _, at most 40"
        )
    if not isinstance(field, dict):
        yield FieldError(pointer(*path), "wrong_type", "a field is a JSON object")
        return
    yield from _unsupported(field, _FIELD_KEYWORDS, path)
    yield from _label_errors(field, path, needs_title=True)
    kind = field.get("type")
    if name == TAXON_FIELD and (kind != "integer" or "enum" in field):
        yield FieldError(pointer(*path, "type"), "not_allowed", "`cd_nom` is a TAXREF code")
    if kind == "array":
        items = field.get("items")
        if not (isinstance(items, dict) and set(items) == {"type", "enum"}):
            yield FieldError(
                pointer(*path, "items"), "not_allowed", 'choices: {"type": "string", "enum": […]}'
            )
        else:
            yield from _choice_errors(field, items, path)
        if field.get("uniqueItems") is not True:
            yield FieldError(pointer(*path, "uniqueItems"), "not_allowed", "choices are unique")
    elif kind in {"string", "number", "integer", "boolean"}:
        for keyword in ("items", "uniqueItems", "minItems", "maxItems"):
            if keyword in field:
                yield FieldError(pointer(*path, keyword), "not_allowed", "only for choices")
        if "enum" in field:
            yield from _choice_errors(field, field, path)
        if "format" in field and (kind != "string" or field["format"] != "date"):
            yield FieldError(pointer(*path, "format"), "not_allowed", 'only "date" on text')
        free_text = kind == "string" and "format" not in field and "enum" not in field
        if free_text and not (
            isinstance(field.get("maxLength"), int) and field["maxLength"] <= _TEXT_LIMIT
        ):
            detail = f"a text field needs maxLength ≤ {_TEXT_LIMIT}"
            yield FieldError(pointer(*path, "maxLength"), "missing", detail)
        if ("minimum" in field or "maximum" in field or "x-unit" in field) and kind not in {
            "number",
            "integer",
        }:
            yield FieldError(pointer(*path, "type"), "not_allowed", "bounds and units: numbers")
        if "x-unit" in field and not (
            isinstance(field["x-unit"], str) and UNIT.match(field["x-unit"])
        ):
            yield FieldError(pointer(*path, "x-unit"), "invalid_format", "a unit, ≤ 20 characters")
    else:
        yield FieldError(
            pointer(*path, "type"),
            "not_allowed",
            "a field's type is string, number, integer, boolean or array",
        )


def _choice_errors(
    field: dict[str, Any], holder: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[FieldError]:
    """Choices are short slugs, each labelled in fr, en and it under the field's `x-enum-i18n`."""
    where = (*path, "items") if holder is not field else path
    values = holder.get("enum")
    if holder.get("type") != "string" or not isinstance(values, list) or not values:
        yield FieldError(pointer(*where, "enum"), "not_allowed", "choices are text values")
        return
    if len(values) > MAX_CHOICES:
        yield FieldError(pointer(*where, "enum"), "too_long", f"at most {MAX_CHOICES} choices")
    labels = field.get("x-enum-i18n")
    if not isinstance(labels, dict):
        yield FieldError(pointer(*path, "x-enum-i18n"), "missing", "labels of every choice")
        return
    for index, value in enumerate(values):
        if not (isinstance(value, str) and CHOICE_VALUE.match(value)):
            detail = "choice values: a-z, 0-9, _ and -, at most 64"
            yield FieldError(pointer(*where, "enum", index), "invalid_format", detail)
            continue
        label = labels.get(value)
        for lang in LANGS:
            if not (isinstance(label, dict) and _text(label.get(lang))):
                yield FieldError(pointer(*path, "x-enum-i18n", value, lang), "missing_label", lang)
    for value in labels:
        if value not in values:
            yield FieldError(pointer(*path, "x-enum-i18n", value), "not_allowed", "not a choice")


def _condition_errors(
    condition: Any, properties: dict[str, Any], path: tuple[str | int, ...]
) -> Iterator[FieldError]:
    """`{"if": {"properties": {A: {"const": v}}, "required": [A]}, "then": …, "else": …}`.

    `then` may require fields or forbid them; `else` may only forbid them
    (`"properties": {B: {"not": {}}}`): a field shown when A is v, or hidden when A is v
    (the counts of an absence). (Not `B: false`, whose error jsonschema reports without
    the field's path.)
    """
    shape = 'a condition is {"if": {"properties": {A: {"const": v}}, "required": [A]}, …}'
    if not isinstance(condition, dict) or not set(condition) <= {"if", "then", "else"}:
        yield FieldError(pointer(*path), "unsupported_keyword", shape)
        return
    test = condition.get("if")
    ok = (
        isinstance(test, dict)
        and set(test) == {"properties", "required"}
        and isinstance(test["properties"], dict)
        and len(test["properties"]) == 1
        and test["required"] == list(test["properties"])
    )
    if not ok or not isinstance(test, dict):
        yield FieldError(pointer(*path, "if"), "unsupported_keyword", shape)
        return
    [(subject, expected)] = test["properties"].items()
    if subject not in properties:
        yield FieldError(pointer(*path, "if", "properties", subject), "not_allowed", "no field")
    if not (isinstance(expected, dict) and set(expected) == {"const"}):
        yield FieldError(pointer(*path, "if", "properties", subject), "unsupported_keyword", shape)
    then = condition.get("then", {})
    if not _branch_shape(then, {"required", "properties"}):
        detail = "`then` requires fields or hides them"
        yield FieldError(pointer(*path, "then"), "unsupported_keyword", detail)
    else:
        for index, name in enumerate(then.get("required", [])):
            if name not in properties:
                yield FieldError(pointer(*path, "then", "required", index), "not_allowed", name)
        for name in then.get("properties", {}):
            if name not in properties:
                yield FieldError(pointer(*path, "then", "properties", name), "not_allowed", name)
    otherwise = condition.get("else", {})
    if not _branch_shape(otherwise, {"properties"}):
        yield FieldError(pointer(*path, "else"), "unsupported_keyword", "`else` hides fields")
    else:
        for name in otherwise.get("properties", {}):
            if name not in properties:
                yield FieldError(pointer(*path, "else", "properties", name), "not_allowed", name)


def _branch_shape(branch: Any, allowed: set[str]) -> bool:
    """A branch made of `required` (a list of names) and hidden fields (`{"not": {}}`)."""
    if not (isinstance(branch, dict) and set(branch) <= allowed):
        return False
    hidden, needed = branch.get("properties", {}), branch.get("required", [])
    return (
        isinstance(hidden, dict)
        and all(value == HIDDEN for value in hidden.values())
        and isinstance(needed, list)
        and all(isinstance(name, str) for name in needed)
    )
