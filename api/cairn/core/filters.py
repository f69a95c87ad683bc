"""Filter parameters (bbox, polygon, time) that open data and the moderation queue parse alike,
with the parameter named in each error."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Annotated, Any, Final

import msgspec
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from cairn.core.errors import FieldError

MAX_VERTICES: Final = 10_000
MAX_AREA_KM2: Final = 100_000.0
_GEOD = Geod(ellps="WGS84")


class QueryError(ValueError):
    """One bad query parameter."""

    def __init__(self, name: str, code: str, detail: str) -> None:
        super().__init__(detail)
        self.error = FieldError(f"/query/{name}", code, detail)


MAX_NESTING: Final = 8
"""Bracket levels a polygon parameter may nest: a GeoJSON MultiPolygon needs 5, WKT 3."""


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """`minlon,minlat,maxlon,maxlat` in WGS84 degrees."""
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError:
        raise QueryError(
            "bbox", "invalid_format", "bbox is four numbers: minlon,minlat,maxlon,maxlat"
        ) from None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise QueryError(
            "bbox", "invalid_format", "bbox is four numbers: minlon,minlat,maxlon,maxlat"
        )
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise QueryError(
            "bbox", "out_of_range", "bbox must be within -180..180, -90..90 with min ≤ max"
        )
    return min_lon, min_lat, max_lon, max_lat


def nesting_depth(text: str) -> int:
    """How deeply the brackets of a JSON or WKT text nest (strings skipped), without parsing it.

    Parsers recurse once per level: a document nested thousands deep exhausts
    the stack before any rule of ours can look at it.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif in_string:
            escaped = char == "\\"
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif char in "[{(":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]})":
            depth -= 1
    return deepest


def parse_polygon(raw: str) -> BaseGeometry:
    """A Polygon or MultiPolygon, as GeoJSON or WKT; valid, not empty, within the limits."""
    text = raw.strip()
    if nesting_depth(text) > MAX_NESTING:
        raise QueryError(
            "polygon",
            "invalid_format",
            f"polygon nests deeper than {MAX_NESTING} levels; a (Multi)Polygon needs 5",
        )
    try:
        geometry = shape(json.loads(text)) if text.startswith("{") else shapely.from_wkt(text)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        raise QueryError("polygon", "invalid_format", "polygon must be GeoJSON or WKT") from None
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise QueryError("polygon", "invalid_format", "polygon must be a Polygon or MultiPolygon")
    if geometry.is_empty:
        raise QueryError("polygon", "invalid", "polygon is empty")
    vertices = shapely.get_num_coordinates(geometry)
    if vertices > MAX_VERTICES:
        raise QueryError(
            "polygon", "too_long", f"polygon has {vertices} vertices; the limit is {MAX_VERTICES}"
        )
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise QueryError("polygon", "invalid", f"polygon is not valid: {reason}")
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (min_x >= -180 and max_x <= 180 and min_y >= -90 and max_y <= 90):
        raise QueryError("polygon", "out_of_range", "polygon must lie within -180..180, -90..90")
    area_km2 = abs(_GEOD.geometry_area_perimeter(geometry)[0]) / 1e6
    if area_km2 > MAX_AREA_KM2:
        raise QueryError(
            "polygon",
            "out_of_range",
            f"polygon covers {area_km2:,.0f} km²; the limit is {MAX_AREA_KM2:,.0f}",
        )
    return geometry


def polygon_rings(geometry: BaseGeometry) -> list[tuple[str, list[str]]]:
    """Each part as PostgreSQL polygon literals: (exterior, [holes])."""

    def literal(coords: Any) -> str:
        return "(" + ",".join(f"({x},{y})" for x, y, *_ in coords) + ")"

    parts = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    return [(literal(p.exterior.coords), [literal(h.coords) for h in p.interiors]) for p in parts]


def parse_time(name: str, raw: str) -> datetime:
    """An RFC 3339 date-time with its offset (a date alone means midnight UTC)."""
    try:
        if len(raw) == 10:
            parsed = datetime.fromisoformat(raw).replace(tzinfo=UTC)
        else:
            parsed = msgspec.convert(raw, Annotated[datetime, msgspec.Meta(tz=True)], strict=True)
    except (msgspec.ValidationError, ValueError):
        raise QueryError(
            name, "invalid_format", f"{name} must be an RFC 3339 date-time with offset, or a date"
        ) from None
    return parsed
