"""The observation kinds: the bundled ones in schemas/kinds, and the ones programmes publish.

Bundled kinds (schemas/kinds/<kind>/<version>.json) are loaded and compiled
once. A programme's kinds come from the database (cairn.protocols, read by
observations.kinds_store, so this module stays pure for validation); a published
version never changes, so each process keeps the versions it has compiled and
asks the database only for those it has not met yet: a version published by
another process is found on first use, and nothing cached can go stale. A
published version is immutable: old records keep validating against the
version they were sent with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

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
    return Kind(kind, version, schema, validator, programme)


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
