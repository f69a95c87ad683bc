"""The disclosure policy: what each caller may learn of an observation, decided here only.

Callers are the public (the open data, widgets, atlas, anyone without a
credential), the record's owner (the devices of its contributor) and the
staff of its programme. Owner and staff see the precise record; the public
sees the projection `public_record` computes at write time, and the owner
sees only the flags `flags_for` lets through.

SINP sensitivity levels (standards.md §3): 0 precise, 1 commune, 2 the 10 km
Lambert-93 cell, 3 the département, 4 nothing. A contributor's own choice
(`geoprivacy: obscured`) counts as level 2. Generalisation snaps to a unit
(never a random offset, which averages out), says what was done
(`data_generalizations`) and what was withheld (`information_withheld`), and
drops everything that would narrow the place down again or link the record
to the same person's precise ones: altitude, the comment, the 1 km cell, the
observer, the time of day, and the exact instant of its last change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any, Final, Literal
from uuid import UUID

import msgspec

from cairn.core.grid import cell_centre, cell_code, cell_codes, half_diagonal_m
from cairn.records.vocabulary import (
    OCCURRENCE_FIELD,
    TAXON_FIELD,
    Flag,
    OccurrenceStatus,
    occurrence_status,
)

DEPARTEMENT_NAMES: Final = {"05": "Hautes-Alpes"}
WITHHELD: Final = 4
OBSCURED_LEVEL: Final = 2
"""The level a contributor's `geoprivacy: obscured` gives: the 10 km cell, like iNaturalist's."""
Caller = Literal["public", "owner", "staff"]
"""Who asks: anyone, the devices of the record's contributor, or staff of its programme."""
SELF_CONTAINED_FLAGS: Final = frozenset(
    {"accuracy_poor", "near_territory_edge", "photo_position_far", "photo_time_far"}
)
"""Flags computed from the submission and its own photos alone, so safe to show its owner.

Every other flag (first record in a commune, unusual altitude, season or
count) is computed against other people's records, hidden and generalised
ones included: shown to a submitter it would be an oracle for where those lie.
"""
PUBLIC_DATA_FIELDS: Final = (
    "count",
    "abundance_class",
    "life_stage",
    "sex",
    "behaviour",
    "certainty",
    "habitat",
    "category",
    "condition",
    "threats",
    "name",
)


class Place(msgspec.Struct, frozen=True):
    """The precise facts generalisation starts from (never published as such)."""

    lon: float
    lat: float
    accuracy_m: float | None
    altitude_m: float | None
    commune: str | None
    commune_centroid: tuple[float, float] | None
    commune_radius_m: float | None


class PublicPlace(msgspec.Struct, frozen=True, kw_only=True):
    """The place as the open data shows it."""

    lon: float | None
    lat: float | None
    uncertainty_m: float | None
    altitude_m: float | None
    grid_10km: str | None
    grid_1km: str | None
    commune: str | None
    departement: str | None
    method: str | None
    code: str | None
    data_generalizations: str | None
    information_withheld: str | None
    comment_allowed: bool


def disclosed_level(sensitivity_level: int, geoprivacy: str) -> int:
    """The level the public projection applies: the rules' or the contributor's, the coarser."""
    return max(sensitivity_level, OBSCURED_LEVEL) if geoprivacy == "obscured" else sensitivity_level


def generalise(place: Place, level: int) -> PublicPlace | None:
    """The public place for a sensitivity level; None when nothing may be published (4)."""
    departement = place.commune[:2] if place.commune else None
    if level <= 0:
        grid_10km, grid_1km = cell_codes(place.lon, place.lat)
        return PublicPlace(
            lon=round(place.lon, 6),
            lat=round(place.lat, 6),
            uncertainty_m=place.accuracy_m,
            altitude_m=place.altitude_m,
            grid_10km=grid_10km,
            grid_1km=grid_1km,
            commune=place.commune,
            departement=departement,
            method=None,
            code=None,
            data_generalizations=None,
            information_withheld=None,
            comment_allowed=True,
        )
    withheld = "precise location, altitude, 1 km cell, comment, observer and time of day withheld"
    if level == 1 and place.commune and place.commune_centroid:
        lon, lat = place.commune_centroid
        return PublicPlace(
            lon=lon,
            lat=lat,
            uncertainty_m=place.commune_radius_m,
            altitude_m=None,
            grid_10km=None,
            grid_1km=None,
            commune=place.commune,
            departement=departement,
            method="commune",
            code=place.commune,
            data_generalizations=(
                f"Coordinates generalised to the commune {place.commune} "
                f"(sensitivity level {level})"
            ),
            information_withheld=withheld,
            comment_allowed=False,
        )
    if level <= 2:  # level 2, or level 1 without a known commune: the coarser 10 km cell
        code = cell_code(place.lon, place.lat, "10km")
        lon, lat = cell_centre(code)
        return PublicPlace(
            lon=lon,
            lat=lat,
            uncertainty_m=round(half_diagonal_m(code), 1),
            altitude_m=None,
            grid_10km=code,
            grid_1km=None,
            commune=None,
            departement=departement,
            method="grid_10km",
            code=code,
            data_generalizations=(
                f"Coordinates generalised to the 10 km Lambert-93 grid cell {code} "
                f"(sensitivity level {level})"
            ),
            information_withheld=withheld,
            comment_allowed=False,
        )
    if level == 3:
        return PublicPlace(
            lon=None,
            lat=None,
            uncertainty_m=None,
            altitude_m=None,
            grid_10km=None,
            grid_1km=None,
            commune=None,
            departement=departement,
            method="departement",
            code=departement,
            data_generalizations=(
                f"Location given only as the département (sensitivity level {level})"
            ),
            information_withheld=(
                "coordinates, commune, altitude, comment, observer and time of day withheld"
            ),
            comment_allowed=False,
        )
    return None


def public_data(data: dict[str, Any], kind_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """Kind attributes safe to publish (no free text that could name a place).

    `kind_schema`: the schema of a programme's kind, whose fields are published
    except free text (and `cd_nom`, published as the record's taxon); None for
    the bundled kinds, whose public fields are listed above.
    """
    allowed = PUBLIC_DATA_FIELDS if kind_schema is None else programme_kind_fields(kind_schema)
    return {k: v for k, v in data.items() if k in allowed}


def programme_kind_fields(kind_schema: dict[str, Any]) -> tuple[str, ...]:
    """The fields of a programme's kind that open data carries, in the schema's order (the
    taxon and the occurrence status are columns of their own)."""
    return tuple(
        name
        for name, field in kind_schema.get("properties", {}).items()
        if name not in {TAXON_FIELD, OCCURRENCE_FIELD}
        and not (field.get("type") == "string" and "enum" not in field and "format" not in field)
    )


def local_time(instant: datetime, offset_s: int) -> datetime:
    """A stored instant in the offset its device sent: the sighting's own calendar and clock.

    Seasonal rules, phenology and day truncation read the local date: 00:30 on
    1 March at +01:00 is 1 March, although it is 28 February in UTC.
    """
    return instant.astimezone(fixed_zone(offset_s))


@cache
def fixed_zone(offset_s: int) -> timezone:
    """The zone of a UTC offset in seconds (few distinct values: each built once)."""
    return timezone(timedelta(seconds=offset_s))


def day_start(moment: datetime) -> datetime:
    """Midnight of `moment`'s own calendar day, in its own offset."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


class SiteFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A monitored site as the policy needs it: its precise point and its sensitivity."""

    id: UUID
    name: str
    level: int
    """SINP level the site's staff gave it (0-4)."""
    place: Place


def public_site_place(site: SiteFacts) -> PublicPlace | None:
    """Where the public may learn a site is: as a sensitive taxon of the site's level would be.

    None (level 4): nothing of the site is public.
    """
    return generalise(site.place, site.level)


def site_linkable(site: SiteFacts, place: PublicPlace) -> bool:
    """Whether a public record may name its site without narrowing its own place down.

    Only when the site's public place is the very unit the record shows (both
    precise, or the same commune, cell or département): a generalised record
    linked to a precise site, or to a site in the next cell, would pin it down.
    """
    shown = public_site_place(site)
    return shown is not None and (shown.method, shown.code) == (place.method, place.code)


class RecordFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the policy needs of a stored record to decide its public projection."""

    status: str
    sensitivity_level: int
    geoprivacy: str
    place: Place
    observed_at: datetime
    """In the device's offset (see `local_time`)."""
    observer: str | None
    comment: str | None
    data: dict[str, Any]
    photo_urls: Sequence[str]
    updated_at: datetime
    cleared_photo_urls: Sequence[str] = ()
    """Those of `photo_urls` a validator judged to show no place (see `public_record`)."""
    kind_schema: dict[str, Any] | None = None
    """The schema of a programme's kind (see `public_data`); None for the bundled kinds."""
    site: SiteFacts | None = None
    """The monitored site the record names: its level raises the record's (see `public_record`)."""
    duplicate_of: UUID | None = None
    """The record a moderator counted this one under: only that one is published."""


class PublicRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the open data shows of a record, besides its taxon, kind and licence."""

    level: int
    place: PublicPlace
    observed_at: datetime
    observer: str | None
    comment: str | None
    attributes: dict[str, Any]
    photos: list[str]
    updated_at: datetime
    site_id: UUID | None = None
    site_name: str | None = None
    occurrence_status: OccurrenceStatus = "present"


def public_record(record: RecordFacts) -> PublicRecord | None:
    """The public projection of a record; None when nothing of it may be published.

    A generalised record keeps its day (in its own offset) but not its time,
    loses its observer (whose precise records would pin it down), and shows
    the day, in UTC, of its last change instead of the instant a batch shared.
    A record made at a sensitive site is disclosed at least at the site's level
    (its position is the site's), and names its site only when `site_linkable`.
    A generalised record's photos are withheld (a ridge or a barn in the picture
    can say more than the 10 km cell) except those a validator marked as showing
    no place.
    """
    if record.status == "withdrawn" or record.duplicate_of is not None:
        return None
    level = disclosed_level(record.sensitivity_level, record.geoprivacy)
    if record.site is not None:
        level = max(level, record.site.level)
    place = generalise(record.place, level)
    if place is None:
        return None
    precise = place.method is None
    site = record.site if record.site is not None and site_linkable(record.site, place) else None
    return PublicRecord(
        level=level,
        place=place,
        observed_at=record.observed_at if precise else day_start(record.observed_at),
        observer=record.observer if precise else None,
        comment=record.comment if place.comment_allowed else None,
        attributes=public_data(record.data, record.kind_schema),
        photos=[
            url for url in record.photo_urls if precise or url in set(record.cleared_photo_urls)
        ],
        updated_at=record.updated_at if precise else day_start(record.updated_at.astimezone(UTC)),
        site_id=None if site is None else site.id,
        site_name=None if site is None else site.name,
        occurrence_status=occurrence_status(record.data),
    )


def flags_for(caller: Caller, flags: Iterable[Flag]) -> list[Flag]:
    """The flags a caller may read: staff all of them, the owner the self-contained ones."""
    if caller == "staff":
        return list(flags)
    if caller == "owner":
        return [flag for flag in flags if flag.code in SELF_CONTAINED_FLAGS]
    return []


PUBLIC_PHOTO_CACHE: Final = "public, max-age=3600"
"""A public record's photo: an hour, so a rejection or erasure empties caches soon after."""
PRIVATE_PHOTO_CACHE: Final = "private, no-store"
"""A photo only its owner or staff may see: never kept by a shared cache."""


def photo_cache_control(*, public: bool, owned: bool, staffed: bool) -> str | None:
    """Whether a photo file may be served, and how it may be cached; None: not to this caller.

    A photo is served while a record using it is visible to the caller: a
    public record's to everyone, any other record's to its owner and to the
    staff of its programme (never through a shared cache).
    """
    if public:
        return PUBLIC_PHOTO_CACHE
    return PRIVATE_PHOTO_CACHE if owned or staffed else None
