"""Area checks for programme territories and sensitivity rules (GeoJSON, WGS84).

An area must be a valid, non-empty Polygon or MultiPolygon: a self-intersecting
ring would make "is this point inside?" meaningless, so it is refused with the
place shapely found, never silently repaired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shapely import get_coordinates
from shapely.errors import GEOSException
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from cairn.core.errors import FieldError, pointer

AREA_TYPES = ("Polygon", "MultiPolygon")


def area_errors(value: dict[str, Any], at: tuple[str | int, ...]) -> list[FieldError]:
    """Why the GeoJSON `value` (found at pointer `at`) is not a usable area; [] if it is."""
    where = pointer(*at)
    if value.get("type") not in AREA_TYPES:
        return [
            FieldError(pointer(*at, "type"), "not_allowed", "type must be Polygon or MultiPolygon")
        ]
    try:
        geometry = shape(value)
    except (GEOSException, ValueError, TypeError, IndexError, AttributeError) as exc:
        return [FieldError(pointer(*at, "coordinates"), "invalid", f"not a {value['type']}: {exc}")]
    if geometry.is_empty:
        return [FieldError(where, "invalid", "the area is empty")]
    coordinates = get_coordinates(geometry)
    if not ((coordinates[:, 0] >= -180).all() and (coordinates[:, 0] <= 180).all()) or not (
        (coordinates[:, 1] >= -90).all() and (coordinates[:, 1] <= 90).all()
    ):
        return [FieldError(pointer(*at, "coordinates"), "out_of_range", "not WGS84 lon/lat")]
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        return [FieldError(where, "invalid", f"invalid geometry: {reason}")]
    return []


def bounds(value: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a checked area."""
    min_x, min_y, max_x, max_y = shape(value).bounds
    return float(min_x), float(min_y), float(max_x), float(max_y)


def contains(area: BaseGeometry, lon: float, lat: float) -> bool:
    """Whether the point is inside the area or on its boundary."""
    return bool(area.covers(Point(lon, lat)))


def month_day(moment: datetime) -> str:
    """`MM-DD` of a moment in its own offset: the local calendar day of the sighting."""
    return moment.strftime("%m-%d")
