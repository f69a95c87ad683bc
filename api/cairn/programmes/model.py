"""Organisations and programmes: who runs what, where, for which kinds of record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from cairn.core.errors import FieldError
from cairn.core.geometry import area_errors
from cairn.core.text import BLANK, text
from cairn.records.vocabulary import Kind, Licence, Slug

Name = Annotated[str, text(200, min_length=1)]
Description = Annotated[str, text(4000)]
SchemaVersions = Annotated[list[Annotated[int, Meta(ge=1, le=10_000)]], Meta(min_length=1)]
TargetTaxa = Annotated[
    list[Annotated[int, Meta(gt=0)]], Meta(max_length=10_000, description="TAXREF CD_REF codes")
]
Area = Annotated[dict[str, Any], Meta(description="GeoJSON Polygon or MultiPolygon, WGS84 lon/lat")]


class Texts(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The same text in the territory's three languages."""

    fr: Name
    en: Name
    it: Name


class LongTexts(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A longer text in the territory's three languages."""

    fr: Description
    en: Description
    it: Description


class OrganisationIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A new organisation (a park, the tourism office, an association)."""

    slug: Slug
    name: Name
    website: Annotated[str, Meta(pattern=rf"^https?://[^{BLANK}]+$", max_length=500)] | None = None


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation as the API shows it."""

    slug: str
    name: str
    website: str | None
    created_at: datetime


class ProgrammeIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A new programme; `kinds` maps each accepted kind to its accepted schema versions."""

    slug: Slug
    organisation: Slug
    name: Texts
    description: LongTexts
    territory: Area
    kinds: Annotated[dict[Kind, SchemaVersions], Meta(min_length=1)]
    target_taxa: TargetTaxa | None = None
    default_licence: Licence = "CC-BY-4.0"
    starts_on: date | None = None
    ends_on: date | None = None


class ProgrammePatch(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A change to a programme: only the fields given change; `expected_version` guards it."""

    expected_version: Annotated[int, Meta(ge=1)]
    name: Texts | msgspec.UnsetType = msgspec.UNSET
    description: LongTexts | msgspec.UnsetType = msgspec.UNSET
    territory: Area | msgspec.UnsetType = msgspec.UNSET
    kinds: Annotated[dict[Kind, SchemaVersions], Meta(min_length=1)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    target_taxa: TargetTaxa | msgspec.UnsetType | None = msgspec.UNSET
    default_licence: Licence | msgspec.UnsetType = msgspec.UNSET
    starts_on: date | msgspec.UnsetType | None = msgspec.UNSET
    ends_on: date | msgspec.UnsetType | None = msgspec.UNSET


class Programme(msgspec.Struct, frozen=True, kw_only=True):
    """A programme as the API shows it (public: no personal data in it)."""

    slug: str
    organisation: str
    name: Texts
    description: LongTexts
    territory: dict[str, Any]
    bbox: list[float]
    kinds: dict[str, list[int]]
    target_taxa: list[int] | None
    default_licence: str
    starts_on: date | None
    ends_on: date | None
    is_demo: bool
    version: int
    updated_at: datetime


def programme_errors(
    territory: dict[str, Any] | None, starts_on: date | None, ends_on: date | None
) -> list[FieldError]:
    """Rules a schema cannot say: a usable territory, and dates in order."""
    errors = [] if territory is None else area_errors(territory, ("territory",))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.append(FieldError("/ends_on", "out_of_range", "ends_on is before starts_on"))
    return errors
