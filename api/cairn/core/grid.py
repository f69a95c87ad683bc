"""The national Lambert-93 grids (EPSG:2154): 10 km and 1 km cells named by their corner.

Codes follow the INPN grid files: `10kmL93E{x // 10 000:03d}N{y // 10 000:03d}`
and `1kmL93E{x // 1 000:04d}N{y // 1 000:04d}`, x and y in Lambert-93 metres.
"""

from __future__ import annotations

import math
import re
from typing import Final

from pyproj import Transformer
from shapely.geometry import Polygon

_TO_L93 = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
_CODE = re.compile(r"^(10km|1km)L93E(\d{3,4})N(\d{3,4})$")
SIZES: Final = {"10km": 10_000, "1km": 1_000}


def to_lambert93(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 degrees to Lambert-93 metres."""
    x, y = _TO_L93.transform(lon, lat)
    return float(x), float(y)


def cell_code(lon: float, lat: float, size: str) -> str:
    """The code of the `size` ("10km" or "1km") cell holding a WGS84 point."""
    return _code(*to_lambert93(lon, lat), size)


def cell_codes(lon: float, lat: float) -> tuple[str, str]:
    """The 10 km and 1 km cells of a point, with one projection for both."""
    x, y = to_lambert93(lon, lat)
    return _code(x, y, "10km"), _code(x, y, "1km")


def _code(x: float, y: float, size: str) -> str:
    metres = SIZES[size]
    width = 3 if size == "10km" else 4
    return f"{size}L93E{int(x // metres):0{width}d}N{int(y // metres):0{width}d}"


def cell_origin(code: str) -> tuple[int, int, int]:
    """The Lambert-93 corner (x, y, south-west) of a cell and its side, all in metres."""
    match = _CODE.match(code)
    if match is None:
        raise ValueError(f"not a Lambert-93 cell code: {code!r}")
    metres = SIZES[match.group(1)]
    return int(match.group(2)) * metres, int(match.group(3)) * metres, metres


def cell_polygon(code: str) -> Polygon:
    """The WGS84 outline of a cell (its four corners transformed)."""
    x0, y0, metres = cell_origin(code)
    corners = [(x0, y0), (x0 + metres, y0), (x0 + metres, y0 + metres), (x0, y0 + metres)]
    return Polygon([_TO_WGS84.transform(x, y) for x, y in corners])


def cell_centre(code: str) -> tuple[float, float]:
    """The WGS84 position of a cell's centre."""
    x0, y0, metres = cell_origin(code)
    lon, lat = _TO_WGS84.transform(x0 + metres / 2, y0 + metres / 2)
    return round(float(lon), 6), round(float(lat), 6)


def half_diagonal_m(code: str) -> float:
    """The uncertainty radius of a point published at a cell's centre."""
    return cell_origin(code)[2] * math.sqrt(2) / 2
