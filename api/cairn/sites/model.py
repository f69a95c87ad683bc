"""Monitored sites: a pond, a nest box, a sundial, a transect that visitors record again and again.

A site is a GeoJSON Point or Polygon in WGS84, inside its programme's
territory and at most `MAX_EXTENT_M` across, named in fr/en/it. Its
`sensitive` level (SINP 0-4, standards.md §3) makes the public see it, and
every record made at it, as a sensitive taxon of that level would be seen
(records/disclosure.py decides how).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Final
from uuid import UUID

import msgspec
from msgspec import Meta
from shapely import get_coordinates
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.validation import explain_validity

from cairn.core.decoding import check_with_schema
from cairn.core.errors import FieldError, pointer
from cairn.core.grid import to_lambert93
from cairn.programmes.model import LongTexts, Texts
from cairn.records.disclosure import PublicPlace

SITE_TYPES: Final = ("Point", "Polygon")
MAX_EXTENT_M: Final = 10_000.0
"""A site is a place one visits: a transect or a lake shore, not a valley."""
MAX_VERTICES: Final = 2_000
Sensitivity = Annotated[
    int, Meta(ge=0, le=4, description="SINP sensitivity level: 0 precise … 4 nothing public")
]
Geometry = Annotated[dict[str, Any], Meta(description="GeoJSON Point or Polygon, WGS84 lon/lat")]


class SiteIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A new site of a programme."""

    name: Texts
    geometry: Geometry
    description: LongTexts | None = None
    sensitive: Sensitivity = 0


class SitePatch(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A change to a site: only the fields given change (`archived: true` archives it)."""

    name: Texts | msgspec.UnsetType = msgspec.UNSET
    geometry: Geometry | msgspec.UnsetType = msgspec.UNSET
    description: LongTexts | msgspec.UnsetType | None = msgspec.UNSET
    sensitive: Sensitivity | msgspec.UnsetType = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET


class Site(msgspec.Struct, frozen=True, kw_only=True):
    """A site as its programme's staff see it: precise."""

    id: UUID
    programme: str
    name: Texts
    description: LongTexts | None
    geometry: dict[str, Any]
    sensitive: int
    archived: bool
    created_at: datetime
    updated_at: datetime


class SiteGeneralisation(msgspec.Struct, frozen=True):
    """What was done to a sensitive site's position, and why."""

    level: int
    method: str
    code: str | None
    note: str | None


class PublicSite(msgspec.Struct, frozen=True, kw_only=True):
    """A site as anyone sees it: generalised as its sensitivity says."""

    id: UUID
    programme: str
    name: Texts
    description: LongTexts | None
    """Withheld for a sensitive site (free text can name the place)."""
    geometry: dict[str, Any] | None
    """The site's own shape when not sensitive; the centre of its unit when generalised;
    null at the département level."""
    generalisation: SiteGeneralisation | None
    archived: bool
    distance_m: float | None = None
    """With `near`: metres to the public position (never to the precise one)."""


class Visit(msgspec.Struct, frozen=True, kw_only=True):
    """The public records of one day at a site."""

    date: date
    records: int
    count: int | None
    """Individuals counted that day (the records' `count`s added), when any says one."""
    condition: str | None
    """The condition the last record of the day gave (heritage), when any did."""


class SiteHistory(msgspec.Struct, frozen=True, kw_only=True):
    """A site's visits over time, from the open data only."""

    site: PublicSite
    visits: list[Visit]


def geometry_errors(
    value: dict[str, Any], bounds: tuple[float, float, float, float] | None, at: str = "/geometry"
) -> list[FieldError]:
    """Why `value` is not a usable site inside `bounds` (lon, lat, lon, lat); [] if it is.

    `bounds` None: the shape alone (a body whose other fields are already invalid).
    """
    if value.get("type") not in SITE_TYPES:
        return [FieldError(f"{at}/type", "not_allowed", "type must be Point or Polygon")]
    if not _numbers_only(value.get("coordinates")):
        return [FieldError(f"{at}/coordinates", "invalid", "coordinates must be numbers")]
    try:
        geometry = shape(value)
        coordinates = get_coordinates(geometry)
    except (GEOSException, ValueError, TypeError, IndexError, AttributeError, KeyError) as exc:
        return [FieldError(f"{at}/coordinates", "invalid", f"not a {value['type']}: {exc}")]
    if geometry.is_empty:
        return [FieldError(at, "invalid", "the site is empty")]
    lons, lats = coordinates[:, 0], coordinates[:, 1]
    if not (((lons >= -180) & (lons <= 180)).all() and ((lats >= -90) & (lats <= 90)).all()):
        return [FieldError(f"{at}/coordinates", "out_of_range", "not WGS84 lon/lat")]
    if len(coordinates) > MAX_VERTICES:
        return [FieldError(f"{at}/coordinates", "too_large", f"at most {MAX_VERTICES} vertices")]
    if not geometry.is_valid:
        return [FieldError(at, "invalid", f"invalid geometry: {explain_validity(geometry)}")]
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    x0, y0 = to_lambert93(min_lon, min_lat)
    x1, y1 = to_lambert93(max_lon, max_lat)
    if math.hypot(x1 - x0, y1 - y0) > MAX_EXTENT_M:
        return [FieldError(at, "too_large", f"a site is at most {MAX_EXTENT_M / 1000:g} km across")]
    if bounds is not None and not (
        bounds[0] <= min_lon
        and bounds[1] <= min_lat
        and max_lon <= bounds[2]
        and max_lat <= bounds[3]
    ):
        return [FieldError(at, "outside_territory", "the site is outside the programme's area")]
    return []


def _numbers_only(value: Any, depth: int = 0) -> bool:
    """Nested lists (at most a polygon's depth) whose leaves are JSON numbers, not text or bools."""
    if isinstance(value, list):
        return depth < 3 and all(_numbers_only(item, depth + 1) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool)


def normalised(value: dict[str, Any]) -> dict[str, Any]:
    """A checked geometry as stored: its type and coordinates only (no foreign members)."""
    return {"type": value["type"], "coordinates": value["coordinates"]}


def raw_geometry_errors(raw: Any, base: tuple[str | int, ...] = ()) -> Iterator[FieldError]:
    """The geometry's own errors in a body whose other fields are invalid (all at once)."""
    if isinstance(raw, dict) and isinstance(raw.get("geometry"), dict):
        yield from geometry_errors(raw["geometry"], None, pointer(*base, "geometry"))


check_with_schema(SiteIn, raw_geometry_errors)
check_with_schema(SitePatch, raw_geometry_errors)


def anchor(value: dict[str, Any]) -> tuple[float, float]:
    """A point on a checked site (the point, or one inside the polygon): where it is."""
    point = shape(value).representative_point()
    return float(point.x), float(point.y)


def public_site(site: Site, place: PublicPlace | None) -> PublicSite | None:
    """The public view of a site, given the public place the disclosure policy gave it.

    None (nothing public): the site is hidden altogether.
    """
    if place is None:
        return None
    if place.method is None:
        geometry: dict[str, Any] | None = site.geometry
        generalisation = None
    else:
        geometry = (
            None if place.lon is None else {"type": "Point", "coordinates": [place.lon, place.lat]}
        )
        generalisation = SiteGeneralisation(
            site.sensitive, place.method, place.code, place.data_generalizations
        )
    return PublicSite(
        id=site.id,
        programme=site.programme,
        name=site.name,
        description=site.description if place.comment_allowed else None,
        geometry=geometry,
        generalisation=generalisation,
        archived=site.archived,
    )


def distance_m(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p0, p1 = math.radians(lat0), math.radians(lat1)
    dp, dl = p1 - p0, math.radians(lon1 - lon0)
    h = math.sin(dp / 2) ** 2 + math.cos(p0) * math.cos(p1) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(h)))


def nearest_first(sites: list[PublicSite], lon: float, lat: float) -> list[PublicSite]:
    """Sites with their distance to (lon, lat), nearest first; those with no position last.

    Measured to the public geometry only, so ranking never hints at a precise place.
    """
    measured = [
        msgspec.structs.replace(
            s,
            distance_m=None
            if s.geometry is None
            else round(distance_m(lon, lat, *anchor(s.geometry)), 1),
        )
        for s in sites
    ]
    return sorted(measured, key=lambda s: (s.distance_m is None, s.distance_m or 0.0, str(s.id)))
