"""What the open data may show of an observation: decided here, once, at write time.

SINP sensitivity levels (standards.md §3): 0 precise, 1 commune, 2 the 10 km
Lambert-93 cell, 3 the département, 4 nothing. Generalisation snaps to a
unit (never a random offset, which averages out), says what was done
(`data_generalizations`) and what was withheld (`information_withheld`), and
drops everything that would narrow the place down again: altitude, the
comment, the 1 km cell, and any finer unit than the level allows.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from cairn.core.grid import cell_centre, cell_code, half_diagonal_m

DEPARTEMENT_NAMES: Final = {"05": "Hautes-Alpes"}
WITHHELD: Final = 4
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


def generalise(place: Place, level: int) -> PublicPlace | None:
    """The public place for a sensitivity level; None when nothing may be published (4)."""
    departement = place.commune[:2] if place.commune else None
    if level <= 0:
        return PublicPlace(
            lon=round(place.lon, 6),
            lat=round(place.lat, 6),
            uncertainty_m=place.accuracy_m,
            altitude_m=place.altitude_m,
            grid_10km=cell_code(place.lon, place.lat, "10km"),
            grid_1km=cell_code(place.lon, place.lat, "1km"),
            commune=place.commune,
            departement=departement,
            method=None,
            code=None,
            data_generalizations=None,
            information_withheld=None,
            comment_allowed=True,
        )
    withheld = "precise location, altitude, 1 km cell and comment withheld"
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
            information_withheld="coordinates, commune, altitude and comment withheld",
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
    """The fields of a programme's kind that open data carries, in the schema's order."""
    return tuple(
        name
        for name, field in kind_schema.get("properties", {}).items()
        if name != "cd_nom"
        and not (field.get("type") == "string" and "enum" not in field and "format" not in field)
    )
