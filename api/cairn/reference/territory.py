"""Where a point is: which commune, and whether it is inside the territory.

Outlines are simplified (a few tens of metres off near borders), so
"inside" means inside the territory buffered by a tolerance in metres,
measured in Lambert-93; commune assignment falls back to the nearest commune
within that tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import msgspec
import shapely
from pyproj import Transformer
from shapely import STRtree
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

TOLERANCE_M: Final = 500.0
_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


def to_lambert93(geometry: BaseGeometry) -> BaseGeometry:
    """A WGS84 geometry in Lambert-93 metres."""
    return shapely.transform(geometry, _TO_L93.transform, interleaved=False)


class Location(msgspec.Struct, frozen=True):
    """The answer for one point."""

    commune: str | None
    inside: bool
    near_edge: bool
    distance_m: float


class Territory:
    """Communes of the territory, indexed for point lookups in metres, with their names.

    The app holds one, loaded from the database at start and again after each
    reference import, so every feature (intake, widgets, the OGC extent) agrees.
    """

    def __init__(
        self,
        communes: Sequence[tuple[str, BaseGeometry]],
        area: BaseGeometry,
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.names: Mapping[str, str] = dict(names or {})
        """INSEE code → commune name."""
        min_lon, min_lat, max_lon, max_lat = area.bounds
        self.bounds = (min_lon, min_lat, max_lon, max_lat)
        """The outline's WGS84 bounding box (lon, lat, lon, lat)."""
        self._codes = [code for code, _ in communes]
        self._shapes = [to_lambert93(geometry) for _, geometry in communes]
        self._index = STRtree(self._shapes) if self._shapes else None
        self._area = to_lambert93(area)
        self._buffered = self._area.buffer(TOLERANCE_M)

    @classmethod
    def from_communes(
        cls, communes: Sequence[tuple[str, BaseGeometry]], names: Mapping[str, str] | None = None
    ) -> Territory:
        """The territory is the union of its communes."""
        return cls(communes, unary_union([g for _, g in communes]), names)

    @property
    def outline_l93(self) -> BaseGeometry:
        """The territory's outline in Lambert-93 metres (what maps of it draw)."""
        return self._area

    @property
    def communes_l93(self) -> dict[str, BaseGeometry]:
        """INSEE code → the commune's outline in Lambert-93 metres."""
        return dict(zip(self._codes, self._shapes, strict=True))

    def locate(self, lon: float, lat: float) -> Location:
        """Commune and inside-ness of a WGS84 point."""
        point = Point(_TO_L93.transform(lon, lat))
        inside_outline = self._area.contains(point)
        distance = 0.0 if inside_outline else float(self._area.distance(point))
        commune = None
        if self._index is not None:
            hits = [int(i) for i in self._index.query(point, predicate="within")]
            if hits:
                commune = self._codes[hits[0]]
            else:
                nearest = int(self._index.nearest(point))
                if self._shapes[nearest].distance(point) <= TOLERANCE_M:
                    commune = self._codes[nearest]
        return Location(
            commune=commune,
            inside=distance <= TOLERANCE_M,
            near_edge=not inside_outline and distance <= TOLERANCE_M,
            distance_m=round(distance, 1),
        )
