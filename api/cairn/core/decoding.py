"""Turn request bytes into typed structs, reporting *every* bad field at once.

msgspec stops at the first error, which is fast but unhelpful to a person
fixing a form. So a body is decoded to plain JSON, checked against the JSON
Schema that msgspec derives from the very struct it will become (one source
of truth), and only then converted. Each schema violation becomes a
`FieldError` with an RFC 6901 pointer and a stable code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import msgspec
from jsonschema import Draft202012Validator, ValidationError

from cairn.core.errors import FieldError, InvalidInputError, pointer

T = TypeVar("T")

_KEYWORD_CODES = {
    "type": "wrong_type",
    "minimum": "out_of_range",
    "maximum": "out_of_range",
    "exclusiveMinimum": "out_of_range",
    "exclusiveMaximum": "out_of_range",
    "format": "invalid_format",
    "pattern": "invalid_format",
    "enum": "not_allowed",
    "const": "not_allowed",
    "maxLength": "too_long",
    "maxItems": "too_long",
    "maxProperties": "too_long",
    "minLength": "too_short",
    "minItems": "too_short",
    "minProperties": "too_short",
}

_MSGSPEC_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")


class MalformedJsonError(ValueError):
    """The body is not JSON at all (or not UTF-8)."""


_VALIDATORS: dict[type[Any], Draft202012Validator] = {}

FieldCheck = Callable[[Any, tuple[str | int, ...]], Iterable[FieldError]]
"""A rule on a plain JSON value that a struct's own schema cannot state (e.g. per-kind data)."""

_FIELD_CHECKS: dict[type[Any], FieldCheck] = {}


def check_with_schema(struct: type[Any], check: FieldCheck) -> None:
    """Run `check` with `struct`'s schema when a body fails it, so one answer lists every field.

    A valid body skips it here: the feature's own validation runs the same rule
    next, with the rules that need the database.
    """
    _FIELD_CHECKS[struct] = check


def _validator(struct: type[Any]) -> Draft202012Validator:
    """The compiled validator of `struct`'s JSON Schema, built once per struct."""
    validator = _VALIDATORS.get(struct)
    if validator is None:
        schema = msgspec.json.schema(struct)
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        _VALIDATORS[struct] = validator
    return validator


def parse_json(body: bytes) -> Any:
    """Decode a JSON body; raise `MalformedJsonError` with a human sentence on failure."""
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise MalformedJsonError(str(exc)) from None
    except RecursionError:
        raise MalformedJsonError("JSON is nested too deeply") from None
    except UnicodeError:
        raise MalformedJsonError("JSON strings must be valid UTF-8") from None


def decode(value: Any, struct: type[T], base: tuple[str | int, ...] = ()) -> T:
    """Check `value` against `struct`'s schema, then convert it; raise `InvalidInputError`."""
    found = {
        e for error in _validator(struct).iter_errors(value) for e in schema_errors(error, base)
    }
    found.update(nul_errors(value, base))
    if found:
        for owner in struct.__mro__:
            if check := _FIELD_CHECKS.get(owner):
                found.update(check(value, base))
    errors = sorted(found, key=lambda e: (e.pointer, e.code))
    if errors:
        raise InvalidInputError(errors)
    # Lax conversion only adds, to a value the struct's own schema has just
    # accepted, that an integral float (`3.0`, an integer to JSON Schema and so
    # to the published contract) fills an `int` field; free values stay as sent.
    try:
        return msgspec.convert(value, struct, strict=False)
    except msgspec.ValidationError as exc:
        raise InvalidInputError([msgspec_error(exc, base)]) from None


def decode_typed_first(value: Any, struct: type[T], base: tuple[str | int, ...] = ()) -> T:
    """`decode`, with the fast path request bodies take (`cairn.core.body`): msgspec's typed
    conversion first, and the schema's full report only for a value it refuses.

    For structs whose every rule msgspec enforces (no check the schema alone states), as
    the body's fast path already assumes of them: an item of a batch is then decoded as
    the same observation alone in a body would be, without a schema pass per valid item.
    """
    if not any(nul_errors(value)):
        try:
            return msgspec.convert(value, struct, strict=True)
        except msgspec.ValidationError:
            pass
    return decode(value, struct, base)


def msgspec_error(exc: msgspec.ValidationError, base: tuple[str | int, ...] = ()) -> FieldError:
    """Map msgspec's single error (`… - at `$.a[0].b``) to a FieldError."""
    message = str(exc)
    match = _MSGSPEC_PATH.search(message)
    parts: list[str | int] = list(base)
    if match:
        message = message[: match.start()]
        for token in re.findall(r"\.([^.\[]+)|\[(\d+)\]", match.group("path")):
            parts.append(token[0] if token[0] else int(token[1]))
    code = "wrong_type" if message.startswith("Expected") else "invalid"
    if "datetime" in message or "uuid" in message.lower():
        code = "invalid_format"
    return FieldError(pointer(*parts), code, message)


def schema_errors(error: ValidationError, base: tuple[str | int, ...] = ()) -> Iterator[FieldError]:
    """Yield the FieldErrors one jsonschema error stands for."""
    path = (*base, *error.absolute_path)
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if keyword == "required" and isinstance(error.instance, dict):
        for name in error.validator_value if isinstance(error.validator_value, list) else []:
            if name not in error.instance:
                yield FieldError(pointer(*path, name), "missing", f"`{name}` is required")
    elif keyword in {"additionalProperties", "unevaluatedProperties"} and isinstance(
        error.instance, dict
    ):
        known = set(schema.get("properties", {}))
        for name in error.instance:
            if name not in known:
                yield FieldError(pointer(*path, name), "unknown_field", f"`{name}` is not a field")
    elif keyword in {"anyOf", "oneOf"} and error.context:
        # Optional[X] is anyOf [X, null]: report why the value is not a valid X.
        useful = [e for e in error.context if not _is_null_schema(e.schema)]
        for sub in useful or error.context:
            yield from schema_errors(sub, base)
    elif keyword == "not" and error.validator_value == {}:
        # A field a condition hides (`{"not": {}}`, see cairn.protocols.model).
        yield FieldError(pointer(*path), "invalid", "this field does not apply to these answers")
    else:
        yield FieldError(pointer(*path), _KEYWORD_CODES.get(keyword, "invalid"), error.message)


def _is_null_schema(schema: object) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def nul_errors(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[FieldError]:
    """NUL characters anywhere (keys or strings): PostgreSQL text and jsonb cannot hold them."""
    if isinstance(value, str):
        if "\x00" in value:
            yield FieldError(pointer(*path), "invalid_character", "NUL characters are not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                yield FieldError(
                    pointer(*path, key), "invalid_character", "NUL characters are not allowed"
                )
            yield from nul_errors(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_errors(item, (*path, index))


def may_hold_nul(body: bytes) -> bool:
    """A JSON text can only carry NUL as the escape `\\u0000`: a cheap pre-check."""
    return b"\\u0000" in body
