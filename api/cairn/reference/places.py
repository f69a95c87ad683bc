"""Communes and heritage items from a park's files: parsing and checks, no I/O."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

import msgspec
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from cairn.core.errors import pointer

INSEE: Final = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
HERITAGE_NAMESPACE: Final = uuid.UUID("6f1c2a4e-3b0d-4f57-9a53-2c7e0b1d9e44")


class PlaceFormatError(ValueError):
    """A feature or row that cannot be imported, with where it is."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


class CommuneRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A commune outline with its derived bounding box and inside point."""

    insee: str
    name: str
    departement: str
    epci_siren: str | None
    epci_name: str | None
    population: int | None
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]
    centroid: tuple[float, float]


def _first(properties: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = properties.get(name)
        if value not in (None, ""):
            return value
    return None


def parse_commune(
    feature: Mapping[str, Any], index: int, extra: Mapping[str, Any]
) -> CommuneRecord:
    """One GeoJSON feature (properties insee/code and name/nom) into a commune record."""
    where = f"feature {index} ({pointer('features', index)})"
    properties = feature.get("properties") or {}
    insee = str(_first(properties, "insee", "code", "INSEE_COM") or "")
    if not INSEE.match(insee):
        raise PlaceFormatError(where, f"INSEE code {insee!r} is not a commune code")
    name = _first(properties, "name", "nom", "NOM")
    if not isinstance(name, str) or not name.strip():
        raise PlaceFormatError(where, "the commune has no name")
    try:
        geometry: BaseGeometry = shape(feature["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PlaceFormatError(where, f"geometry is not GeoJSON: {exc}") from None
    if geometry.geom_type not in {"Polygon", "MultiPolygon"} or geometry.is_empty:
        raise PlaceFormatError(where, "geometry must be a non-empty Polygon or MultiPolygon")
    if not geometry.is_valid:
        raise PlaceFormatError(where, "geometry is not valid (self-intersection?)")
    centroid = geometry.centroid
    inside = centroid if geometry.contains(centroid) else geometry.representative_point()
    min_x, min_y, max_x, max_y = geometry.bounds
    attributes = extra.get(insee, {})
    population = _first(attributes, "population")
    return CommuneRecord(
        insee=insee,
        name=name.strip(),
        departement=insee[:2],
        epci_siren=_first(properties, "epci_siren") or _first(attributes, "epci_siren"),
        epci_name=_first(properties, "epci_name") or _first(attributes, "epci_name"),
        population=int(population) if population is not None else None,
        geometry=dict(mapping(geometry)),
        bbox=(min_x, min_y, max_x, max_y),
        centroid=(round(inside.x, 6), round(inside.y, 6)),
    )


class HeritageRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A known heritage item from a park's or ministry's file."""

    id: uuid.UUID
    category: str
    name: str
    commune_insee: str | None
    lon: float
    lat: float
    external_ref: str | None
    source: str
    attributes: dict[str, str]


HERITAGE_COLUMNS: Final = ("category", "name", "lon", "lat")


def parse_heritage(
    row: Mapping[str, str], line: int, source: str, categories: set[str]
) -> HeritageRecord:
    """A CSV row (category, name, lon, lat, optional insee and ref) into a heritage item."""
    where = f"line {line}"
    category = (row.get("category") or "").strip()
    if category not in categories:
        raise PlaceFormatError(where, f"category {category!r} is not one of the typology's slugs")
    name = (row.get("name") or "").strip()
    if not name or len(name) > 300:
        raise PlaceFormatError(where, "name must have 1 to 300 characters")
    try:
        lon, lat = float(row.get("lon") or ""), float(row.get("lat") or "")
    except ValueError:
        raise PlaceFormatError(where, "lon and lat must be decimal degrees") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise PlaceFormatError(where, "lon/lat out of range")
    insee = (row.get("insee") or "").strip() or None
    if insee is not None and not INSEE.match(insee):
        raise PlaceFormatError(where, f"INSEE code {insee!r} is not a commune code")
    ref = (row.get("ref") or "").strip() or None
    identity = f"{source}|{ref}" if ref else f"{source}|{category}|{name}|{lon:.6f}|{lat:.6f}"
    known = {"category", "name", "lon", "lat", "insee", "ref"}
    return HeritageRecord(
        id=uuid.uuid5(HERITAGE_NAMESPACE, identity),
        category=category,
        name=name,
        commune_insee=insee,
        lon=lon,
        lat=lat,
        external_ref=ref,
        source=source,
        attributes={k: v for k, v in row.items() if k not in known and k and v},
    )
