"""The observation kinds: the bundled ones in schemas/kinds, and the ones programmes publish.

Bundled kinds (schemas/kinds/<kind>/<version>.json) are loaded and compiled
once. A programme's kinds come from the database (the protocols store, read by
protocols.kinds_store, so this module stays pure for validation); a published
version never changes, so each process keeps the versions it has compiled and
asks the database only for those it has not met yet: a version published by
another process is found on first use, and nothing cached can go stale. A
published version is immutable: old records keep validating against the
version they were sent with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, Final

import msgspec
from jsonschema import Draft202012Validator

from cairn.core.languages import LANGS
from cairn.core.resources import resource_path
from cairn.protocols.model import ProgrammeKind


class Kind(msgspec.Struct, frozen=True):
    """One published schema of one observation kind."""

    kind: str
    version: int
    schema: dict[str, Any]
    validator: Draft202012Validator
    programme: str | None = None
    """The programme that published it; None for the bundled kinds every programme may use."""
    accepts: Callable[[Any], bool] | None = None
    """A fast check that says yes only to data the validator finds valid (see `quick_check`)."""

    def titles(self) -> dict[str, str]:
        """The schema's title in each language."""
        i18n = self.schema.get("x-i18n", {})
        return {lang: i18n.get(lang, {}).get("title", self.schema["title"]) for lang in LANGS}


@cache
def registry() -> dict[tuple[str, int], Kind]:
    """Every schema under schemas/kinds, checked and compiled."""
    kinds: dict[tuple[str, int], Kind] = {}
    for path in sorted((resource_path("schemas") / "kinds").glob("*/*.json")):
        schema = json.loads(path.read_text("utf-8"))
        Draft202012Validator.check_schema(schema)
        key = (path.parent.name, int(path.stem))
        kinds[key] = compiled(key[0], key[1], schema)
    return kinds


def compiled(kind: str, version: int, schema: dict[str, Any], programme: str | None = None) -> Kind:
    """A kind with its validator (formats checked, as on the phone)."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return Kind(kind, version, schema, validator, programme, quick_check(schema))


_ANNOTATIONS: Final = frozenset({"$schema", "$id", "title", "description"})
_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "boolean": (bool,),
    "array": (list,),
}
"""JSON types by the exact Python types msgspec decodes them to (bool is not an integer)."""

Check = Callable[[Any], bool]


def quick_check(schema: dict[str, Any]) -> Check | None:
    """A plain-Python predicate for a kind's schema, or None when it uses more than it knows.

    jsonschema walks a schema with a fresh validator for each level and costs
    most of a record's validation; this compiles the vocabulary the bundled kinds
    use (an object of typed fields with enums, bounds, lengths, formats, arrays
    of those, `required`, `not: {required}`, and the `allOf` conditions of
    programme kinds and absences) into closures. It may say no to valid data (an
    integer written 3.0): the validator then has the last word and names every
    error, so only its yes must be exact.
    """
    known = _ANNOTATIONS | {
        "type", "properties", "required", "additionalProperties", "not", "allOf",
    }  # fmt: skip
    if set(schema) - known - {k for k in schema if k.startswith("x-")}:
        return None
    forbidden = schema.get("not", {"required": []})
    additional = schema.get("additionalProperties", True)
    if (
        schema.get("type") != "object"
        or set(forbidden) != {"required"}
        or additional
        not in (
            True,
            False,
        )
    ):
        return None
    fields = {name: _field(node) for name, node in schema.get("properties", {}).items()}
    if any(check is None for check in fields.values()):
        return None
    conditions = [_condition(c) for c in schema.get("allOf", [])]
    if any(condition is None for condition in conditions):
        return None
    branches: list[Check] = [c for c in conditions if c is not None]
    checks: dict[str, Check] = {k: v for k, v in fields.items() if v is not None}
    required = tuple(schema.get("required", ()))
    together = tuple(forbidden["required"])

    def accepts(data: Any) -> bool:
        if type(data) is not dict or any(name not in data for name in required):
            return False
        if together and all(name in data for name in together):
            return False
        if not all(branch(data) for branch in branches):
            return False
        for name, value in data.items():
            check = checks.get(name)
            if check is None:
                if not additional:
                    return False
            elif not check(value):
                return False
        return True

    return accepts


def _condition(node: Any) -> Check | None:
    """`{"if": {"properties": {A: {"const": v}}, "required": [A]}, "then": …, "else": …}`, each
    branch requiring fields or forbidding them (`{"not": {}}`); None for any other shape."""
    if not isinstance(node, dict) or set(node) - {"if", "then", "else"}:
        return None
    test = node.get("if")
    if not (
        isinstance(test, dict)
        and set(test) == {"properties", "required"}
        and isinstance(test["properties"], dict)
        and len(test["properties"]) == 1
        and test["required"] == list(test["properties"])
    ):
        return None
    [(subject, expected)] = test["properties"].items()
    if not (isinstance(expected, dict) and set(expected) == {"const"}):
        return None
    value = expected["const"]
    then, otherwise = _branch(node.get("then", {})), _branch(node.get("else", {}))
    if then is None or otherwise is None or type(value) not in (str, int, bool):
        return None

    def holds(data: dict[str, Any]) -> bool:
        found = data.get(subject, _MISSING)
        if found is _MISSING or found != value:
            return otherwise(data)
        return type(found) is type(value) and then(data)  # 1.0 or True for 1: the validator's

    return holds


_MISSING: Final = object()


def _branch(node: Any) -> Check | None:
    """A condition's branch: fields it requires, fields it forbids (`{"not": {}}`)."""
    if not isinstance(node, dict) or set(node) - {"required", "properties"}:
        return None
    needed, hidden = node.get("required", []), node.get("properties", {})
    if not (isinstance(needed, list) and isinstance(hidden, dict)):
        return None
    if any(rule != {"not": {}} for rule in hidden.values()):
        return None
    return lambda data: all(n in data for n in needed) and not any(n in data for n in hidden)


def _field(node: Any) -> Check | None:
    """One field's check (see `quick_check`); None for what it does not know."""
    known = _ANNOTATIONS | {
        "type", "enum", "minimum", "maximum", "minLength", "maxLength", "format", "items",
        "uniqueItems", "minItems", "maxItems",
    }  # fmt: skip
    if not isinstance(node, dict) or set(node) - known - {k for k in node if k.startswith("x-")}:
        return None
    kind = node.get("type")
    if not isinstance(kind, str) or kind not in _TYPES:
        return None
    types = _TYPES[kind]
    checks: list[Check] = [lambda v: type(v) in types]
    if "enum" in node:
        if kind != "string" or not all(isinstance(e, str) for e in node["enum"]):
            return None
        choices = frozenset(node["enum"])
        checks.append(lambda v: v in choices)
    bounds = _bounds(kind, node)
    if bounds is None:
        return None
    checks += bounds
    if "format" in node:
        fmt = node["format"]
        checks.append(lambda v: Draft202012Validator.FORMAT_CHECKER.conforms(v, fmt))
    if kind == "array":
        item = _field(node.get("items", {"type": "string"}))
        if item is None or (
            node.get("uniqueItems") and node.get("items", {}).get("type") != "string"
        ):
            return None
        checks.append(lambda v: all(item(x) for x in v))
        if node.get("uniqueItems"):
            checks.append(lambda v: len(set(v)) == len(v))
    elif "items" in node or "uniqueItems" in node:
        return None
    return lambda value: all(check(value) for check in checks)


_BOUNDS: Final = {
    "integer": ("minimum", "maximum"),
    "number": ("minimum", "maximum"),
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
}
"""The bounds each type knows (as lower, upper); a bound of another type means no fast path."""


def _bounds(kind: str, node: dict[str, Any]) -> list[Check] | None:
    """Numeric bounds, and string or array lengths."""
    lower, upper = _BOUNDS.get(kind, ("", ""))
    others = {"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"}
    if set(node) & others - {lower, upper}:
        return None
    measure: Callable[[Any], Any] = len if kind in ("string", "array") else (lambda v: v)
    checks: list[Check] = []
    if (low := node.get(lower)) is not None:
        checks.append(lambda v: measure(v) >= low)
    if (high := node.get(upper)) is not None:
        checks.append(lambda v: measure(v) <= high)
    return checks


_published: dict[tuple[str, int], Kind] = {}
"""Programme kinds this process has compiled: published versions, which never change."""


def forget_published() -> None:
    """Empty the cache: an app starting on a database knows none of its kinds yet.

    The cache is per process, and a process serves one database; tests start
    one app per fresh database in the same process, so each app starts here.
    """
    _published.clear()


def known(key: tuple[str, int]) -> Kind | None:
    """A kind this process has compiled: bundled, or a programme's published version it met."""
    return registry().get(key) or _published.get(key)


def remember(published: Iterable[ProgrammeKind]) -> list[Kind]:
    """Compile published programme kinds once and keep them (publishing calls this too)."""
    kinds = []
    for found in published:
        key = (found.kind, found.version)
        if key not in _published:
            _published[key] = compiled(found.kind, found.version, found.schema, found.programme)
        kinds.append(_published[key])
    return kinds


def enum_labels(kind: str, version: int, field: str) -> list[tuple[str, str, str, str]]:
    """(value, fr, en, it) of an enumerated field, in schema order."""
    prop = registry()[(kind, version)].schema["properties"][field]
    labels = prop.get("x-enum-i18n", {})
    return [
        (value, labels[value]["fr"], labels[value]["en"], labels[value]["it"])
        for value in prop["enum"]
    ]
