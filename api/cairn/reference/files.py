"""The bundled reference data of the first territory (see schemas/reference/README.md)."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cairn.core.resources import resource_path


def reference_file(name: str) -> Path:
    """A file of schemas/reference/."""
    return resource_path("schemas") / "reference" / name


@cache
def territory() -> BaseGeometry:
    """The PETR outline (union of its 36 communes), WGS84."""
    collection = json.loads(reference_file("petr_territory.geojson").read_text("utf-8"))
    return shape(collection["features"][0]["geometry"])


def bundled_communes() -> list[tuple[str, BaseGeometry]]:
    """The 36 PETR communes of the bundled outlines (insee, geometry)."""
    collection = json.loads(reference_file("petr_communes.geojson").read_text("utf-8"))
    return [(f["properties"]["insee"], shape(f["geometry"])) for f in collection["features"]]


@cache
def bundled_commune_names() -> dict[str, str]:
    """INSEE code → name of the 36 PETR communes (seed data; the app reads the database)."""
    with reference_file("petr_communes.csv").open(encoding="utf-8", newline="") as handle:
        return {row["insee"]: row["name"] for row in csv.DictReader(handle)}
