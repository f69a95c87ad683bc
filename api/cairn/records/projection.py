"""The public projection's writer: every write path recomputes its records' public rows here.

`project` recomputes the rows of some observations inside the writer's transaction, so the open
data can never lag behind or forget to generalise; every field goes through the disclosure policy.
The open-data feature reads the table; only this module writes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from cairn.core.db import Connection
from cairn.core.grid import to_lambert93
from cairn.records.disclosure import (
    Place,
    RecordFacts,
    SiteFacts,
    local_time,
    public_record,
)
from cairn.records.photos import photo_path


def source_select(relation: str, extra_columns: str = "", extra_joins: str = "") -> str:
    """The SELECT of what `replace` needs from the observations in `relation`.

    `relation` is the table, or a data-modifying CTE's RETURNING rows, so that a
    writer can have its changed rows back ready to project without reading them
    again (see moderation.store). `o.*` comes first; `extra_columns` (each with a
    leading comma) and `extra_joins` add what the writer itself answers with.
    """
    return f"""
SELECT o.*, k.schema AS kind_schema,
       t.path AS taxon_path, t.scientific_name, t.vernacular_fr, t.kingdom,
       coalesce(t.group2_inpn, t.group1_inpn) AS taxon_group,
       c.centroid_lon, c.centroid_lat, c.min_lon, c.min_lat, c.max_lon, c.max_lat,
       d.pseudonym AS observer,
       ARRAY(SELECT p.sha256 FROM photo p WHERE p.observation_id = o.id
              ORDER BY p.created_at, p.id) AS photo_keys,
       ARRAY(SELECT p.sha256 FROM photo p WHERE p.observation_id = o.id AND p.shows_no_place
              ORDER BY p.created_at, p.id) AS cleared_photo_keys,
       s.name ->> 'fr' AS site_name, s.sensitivity_level AS site_level,
       s.lon AS site_lon, s.lat AS site_lat, s.commune_insee AS site_commune,
       sc.centroid_lon AS site_centroid_lon, sc.centroid_lat AS site_centroid_lat,
       sc.min_lon AS site_min_lon, sc.min_lat AS site_min_lat,
       sc.max_lon AS site_max_lon, sc.max_lat AS site_max_lat{extra_columns}
FROM {relation} o
LEFT JOIN site s ON s.id = o.site_id
LEFT JOIN commune sc ON sc.insee = s.commune_insee
LEFT JOIN device d ON d.id = o.device_id
LEFT JOIN taxon t ON t.cd_nom = o.taxon_cd_ref
LEFT JOIN commune c ON c.insee = o.commune_insee
LEFT JOIN programme_kind k ON k.kind = o.kind AND k.version = o.schema_version
{extra_joins}"""


_SOURCE = source_select("observation") + " WHERE o.id = ANY($1)"

_COLUMNS = (
    "id", "kind", "programme", "status", "observed_at", "observed_offset_s", "taxon_cd_ref",
    "taxon_path", "scientific_name", "vernacular_fr", "kingdom", "taxon_group",
    "sensitivity_level", "lon", "lat", "position", "uncertainty_m", "altitude_m", "grid_10km",
    "grid_1km", "commune_insee", "departement", "generalisation", "generalisation_code",
    "data_generalizations", "information_withheld", "attributes", "comment", "observer",
    "licence", "photos", "updated_at", "schema_version", "site_id", "site_name",
    "occurrence_status",
)  # fmt: skip


_QUOTED = ", ".join(f'"{column}"' for column in _COLUMNS)
_PLACES = ", ".join(f"${i}" for i in range(1, len(_COLUMNS) + 1))
_INSERT = f"INSERT INTO public_observation ({_QUOTED}) VALUES ({_PLACES})"
_FROM_JSON = ", ".join(
    "point(p.lon, p.lat)" if column == "position" else f'p."{column}"' for column in _COLUMNS
)
PROJECT_FROM_JSON = f"""
INSERT INTO public_observation ({_QUOTED})
SELECT {_FROM_JSON} FROM jsonb_populate_recordset(NULL::public_observation, {{rows}}) AS p
 WHERE p.id IN (SELECT id FROM {{inserted}})
"""
"""A data-modifying CTE that projects new records in their insert's statement: `rows` is a
jsonb parameter of `as_json` rows, `inserted` the CTE whose RETURNING gives the ids stored."""


def as_json(row: tuple[Any, ...]) -> dict[str, Any]:
    """A `public_row` as `PROJECT_FROM_JSON` reads it (the position is rebuilt from lon, lat)."""
    return {name: value for name, value in zip(_COLUMNS, row, strict=True) if name != "position"}


_COPY_FROM = 20
"""Above this many rows, COPY is faster than a pipelined INSERT."""


def _commune_radius(row: Any, prefix: str = "") -> float | None:
    if row[f"{prefix}min_lon"] is None:
        return None
    return _radius(
        row[f"{prefix}min_lon"], row[f"{prefix}min_lat"],
        row[f"{prefix}max_lon"], row[f"{prefix}max_lat"],
    )  # fmt: skip


@cache
def _radius(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> float:
    """Half the diagonal of a commune's box in metres (a few hundred communes: each once)."""
    x0, y0 = to_lambert93(min_lon, min_lat)
    x1, y1 = to_lambert93(max_lon, max_lat)
    return round(math.hypot(x1 - x0, y1 - y0) / 2, 1)


def site_place(row: Any, prefix: str = "site_") -> Place:
    """The precise place of a site from a row that joined it and its commune (`prefix`ed)."""
    centroid = (row[f"{prefix}centroid_lon"], row[f"{prefix}centroid_lat"])
    return Place(
        lon=row[f"{prefix}lon"],
        lat=row[f"{prefix}lat"],
        accuracy_m=None,
        altitude_m=None,
        commune=row[f"{prefix}commune"],
        commune_centroid=centroid if centroid[0] is not None else None,
        commune_radius_m=_commune_radius(row, prefix),
    )


def public_row(row: Any) -> tuple[Any, ...] | None:
    """The public_observation row (in `_COLUMNS` order) of a `_SOURCE` row, as the disclosure
    policy decides it; intake builds its source rows itself (see `PROJECT_FROM_JSON`)."""
    place = Place(
        lon=row["lon"],
        lat=row["lat"],
        accuracy_m=row["accuracy_m"],
        altitude_m=row["altitude_m"],
        commune=row["commune_insee"],
        commune_centroid=(
            (row["centroid_lon"], row["centroid_lat"]) if row["centroid_lon"] is not None else None
        ),
        commune_radius_m=_commune_radius(row),
    )
    public = public_record(
        RecordFacts(
            status=row["status"],
            sensitivity_level=row["sensitivity_level"],
            geoprivacy=row["geoprivacy"],
            place=place,
            observed_at=local_time(row["observed_at"], row["observed_offset_s"]),
            observer=row["observer"],
            comment=row["comment"],
            data=row["data"],
            photo_urls=[photo_path(key, "large") for key in row["photo_keys"]],
            cleared_photo_urls=[photo_path(key, "large") for key in row["cleared_photo_keys"]],
            updated_at=row["updated_at"],
            kind_schema=row["kind_schema"],
            duplicate_of=row.get("duplicate_of"),  # intake's own rows: new records, none
            site=None
            if row["site_id"] is None
            else SiteFacts(
                id=row["site_id"],
                name=row["site_name"],
                level=row["site_level"],
                place=site_place(row),
            ),
        )
    )
    if public is None:
        return None
    where = public.place
    position = None if where.lon is None else (where.lon, where.lat)
    return (
        row["id"], row["kind"], row["programme"], row["status"], public.observed_at,
        row["observed_offset_s"], row["taxon_cd_ref"], row["taxon_path"], row["scientific_name"],
        row["vernacular_fr"], row["kingdom"], row["taxon_group"], public.level,
        where.lon, where.lat, position, where.uncertainty_m, where.altitude_m,
        where.grid_10km, where.grid_1km, where.commune, where.departement, where.method,
        where.code, where.data_generalizations, where.information_withheld,
        public.attributes, public.comment, public.observer, row["licence"], public.photos,
        public.updated_at, row["schema_version"], public.site_id, public.site_name,
        public.occurrence_status,
    )  # fmt: skip


async def project(conn: Connection, ids: Sequence[UUID]) -> None:
    """Recompute the public rows of `ids` (deleting those that may not be public)."""
    if ids:
        await replace(conn, ids, await conn.fetch(_SOURCE, list(ids)))


async def replace(conn: Connection, ids: Sequence[UUID], sources: Sequence[Any]) -> None:
    """Replace the public rows of `ids` by those of their `source_select` rows."""
    rows = [r for r in (public_row(s) for s in sources) if r]
    await conn.execute("DELETE FROM public_observation WHERE id = ANY($1)", list(ids))
    if len(rows) > _COPY_FROM:
        await conn.copy_records_to_table("public_observation", records=rows, columns=list(_COLUMNS))
    elif rows:  # a few rows: one pipelined INSERT costs fewer round trips than COPY
        await conn.executemany(_INSERT, rows)


async def project_all(conn: Connection, batch: int = 5000) -> int:
    """Re-project every observation, in batches (after a rule or a setting changed)."""
    done = 0
    last = UUID(int=0)
    while True:
        ids = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM observation WHERE id > $1 ORDER BY id LIMIT $2", last, batch
            )
        ]
        if not ids:
            return done
        await project(conn, ids)
        done += len(ids)
        last = ids[-1]
