"""The observation kinds: versioned JSON Schemas in schemas/kinds/<kind>/<version>.json.

Loaded and compiled once. A published version is immutable: old records
keep validating against the version they were sent with.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import msgspec
from jsonschema import Draft202012Validator

from cairn.core.resources import resource_path


class Kind(msgspec.Struct, frozen=True):
    """One published schema of one observation kind."""

    kind: str
    version: int
    schema: dict[str, Any]
    validator: Draft202012Validator

    def titles(self) -> dict[str, str]:
        """The schema's title in each language."""
        i18n = self.schema.get("x-i18n", {})
        return {
            lang: i18n.get(lang, {}).get("title", self.schema["title"])
            for lang in ("fr", "en", "it")
        }


@cache
def registry() -> dict[tuple[str, int], Kind]:
    """Every schema under schemas/kinds, checked and compiled."""
    kinds: dict[tuple[str, int], Kind] = {}
    for path in sorted((resource_path("schemas") / "kinds").glob("*/*.json")):
        schema = json.loads(path.read_text("utf-8"))
        Draft202012Validator.check_schema(schema)
        key = (path.parent.name, int(path.stem))
        kinds[key] = Kind(
            kind=key[0],
            version=key[1],
            schema=schema,
            validator=Draft202012Validator(
                schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            ),
        )
    return kinds


def enum_labels(kind: str, version: int, field: str) -> list[tuple[str, str, str, str]]:
    """(value, fr, en, it) of an enumerated field, in schema order."""
    prop = registry()[(kind, version)].schema["properties"][field]
    labels = prop.get("x-enum-i18n", {})
    return [
        (value, labels[value]["fr"], labels[value]["en"], labels[value]["it"])
        for value in prop["enum"]
    ]
