"""Public records as the API shows them, built from rows of the public projection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from cairn.records.disclosure import fixed_zone
from cairn.records.vocabulary import LICENCE_URIS, OccurrenceStatus


class PublicTaxon(msgspec.Struct, frozen=True):
    """The valid name an observation is attached to."""

    cd_ref: int
    scientific_name: str | None
    vernacular_fr: str | None
    group: str | None
    kingdom: str | None


class PublicLocation(msgspec.Struct, frozen=True):
    """The published position (a unit's centre when generalised)."""

    lon: float
    lat: float
    uncertainty_m: float | None


class Generalisation(msgspec.Struct, frozen=True):
    """What was done to the position, and why."""

    level: int
    method: str
    code: str
    note: str | None


class PublicObservation(msgspec.Struct, frozen=True, kw_only=True):
    """An observation as open data: never more than the projection holds."""

    id: UUID
    kind: str
    schema_version: int
    """The version of the kind's schema `attributes` follow (units, labels: /api/v1/schemas)."""
    programme: str
    status: str
    observed_at: datetime
    taxon: PublicTaxon | None
    attributes: dict[str, Any]
    location: PublicLocation | None
    altitude_m: float | None
    generalisation: Generalisation | None
    grid_10km: str | None
    grid_1km: str | None
    commune: str | None
    departement: str | None
    comment: str | None
    observer: str | None
    licence: str
    licence_url: str
    photos: list[str]
    updated_at: datetime
    site_id: UUID | None = None
    """The monitored site it was made at, when the disclosure policy lets the record name it."""
    site_name: str | None = None
    occurrence_status: OccurrenceStatus = "present"
    """`absent`: the taxon was searched for and not found (Darwin Core `occurrenceStatus`)."""


def to_public(row: Any) -> PublicObservation:
    """One row of public_observation as the API record (a struct msgspec encodes directly)."""
    return PublicObservation(
        id=row["id"],
        kind=row["kind"],
        schema_version=row["schema_version"],
        programme=row["programme"],
        status=row["status"],
        observed_at=row["observed_at"].astimezone(fixed_zone(row["observed_offset_s"])),
        taxon=None
        if row["taxon_cd_ref"] is None
        else PublicTaxon(
            row["taxon_cd_ref"],
            row["scientific_name"],
            row["vernacular_fr"],
            row["taxon_group"],
            row["kingdom"],
        ),
        attributes=row["attributes"],
        location=None
        if row["lon"] is None
        else PublicLocation(row["lon"], row["lat"], row["uncertainty_m"]),
        altitude_m=row["altitude_m"],
        generalisation=None
        if row["generalisation"] is None
        else Generalisation(
            row["sensitivity_level"],
            row["generalisation"],
            row["generalisation_code"],
            row["data_generalizations"],
        ),
        grid_10km=row["grid_10km"],
        grid_1km=row["grid_1km"],
        commune=row["commune_insee"],
        departement=row["departement"],
        comment=row["comment"],
        observer=row["observer"],
        licence=row["licence"],
        licence_url=LICENCE_URIS[row["licence"]],
        photos=row["photos"],
        updated_at=row["updated_at"].astimezone(UTC),
        site_id=row["site_id"],
        site_name=row["site_name"],
        occurrence_status=row["occurrence_status"],
    )


def feature(record: PublicObservation) -> dict[str, Any]:
    """A GeoJSON Feature (geometry null when the place is withheld)."""
    properties = msgspec.to_builtins(record)
    properties.pop("location")
    geometry = (
        None
        if record.location is None
        else {"type": "Point", "coordinates": [record.location.lon, record.location.lat]}
    )
    return {"type": "Feature", "id": str(record.id), "geometry": geometry, "properties": properties}
