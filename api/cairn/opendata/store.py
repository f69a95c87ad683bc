"""The public projection: written at every change, read by every open endpoint.

`project` recomputes the rows of some observations inside the writer's
transaction, so the open data can never lag behind or forget to generalise.
Reads go through `select` and `stream`, which always restrict to the public
statuses: there is no other way to read this table.
"""

from __future__ import annotations

import base64
import math
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import datetime
from functools import cache
from typing import Any, Final
from uuid import UUID

import msgspec

from cairn.core.db import Connection
from cairn.core.grid import to_lambert93
from cairn.observations.disclosure import (
    PUBLIC_DATA_FIELDS,
    Place,
    RecordFacts,
    SiteFacts,
    local_time,
    public_record,
)
from cairn.photos.model import photo_path


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


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """What an open query may ask for; every field already validated."""

    statuses: tuple[str, ...]
    taxon_path: str | None = None
    taxon_exact: int | None = None
    kind: str | None = None
    programme: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    polygon: list[tuple[str, list[str]]] | None = None
    """Parts as PostgreSQL polygon literals (exterior, holes), see opendata.query.polygon_rings."""
    commune: str | None = None
    observed_from: datetime | None = None
    observed_to: datetime | None = None
    updated_since: datetime | None = None
    grid_10km: str | None = None
    site_id: UUID | None = None
    """Records that name this site (only where the disclosure policy let them)."""


def _where(filters: Filters) -> tuple[str, list[Any]]:
    """The WHERE clause of every open read: public statuses always, then the filters."""
    clauses = ["status = ANY($1)"]
    args: list[Any] = [list(filters.statuses)]

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if filters.taxon_path is not None:
        clauses.append(f"taxon_path <@ {arg(filters.taxon_path)}::ltree")
    if filters.taxon_exact is not None:
        clauses.append(f"taxon_cd_ref = {arg(filters.taxon_exact)}")
    if filters.kind:
        clauses.append(f"kind = {arg(filters.kind)}")
    if filters.programme:
        clauses.append(f"programme = {arg(filters.programme)}")
    if filters.bbox is not None:
        low = f"point({arg(filters.bbox[0])}, {arg(filters.bbox[1])})"
        high = f"point({arg(filters.bbox[2])}, {arg(filters.bbox[3])})"
        clauses.append(f"position <@ box({low}, {high})")
    if filters.polygon is not None:
        parts = []
        for exterior, holes in filters.polygon:
            # The polygon's box first, so the GiST index on `position` does the work.
            inside = [
                f"position <@ box({arg(exterior)}::text::polygon)",
                f"position <@ {arg(exterior)}::text::polygon",
            ]
            inside += [f"NOT position <@ {arg(hole)}::text::polygon" for hole in holes]
            parts.append("(" + " AND ".join(inside) + ")")
        clauses.append("(" + " OR ".join(parts) + ")")
    if filters.commune:
        clauses.append(f"commune_insee = {arg(filters.commune)}")
    if filters.observed_from:
        clauses.append(f"observed_at >= {arg(filters.observed_from)}")
    if filters.observed_to:
        clauses.append(f"observed_at < {arg(filters.observed_to)}")
    if filters.updated_since:
        # A generalised row shows only the day of its last change (see disclosure): it
        # matches from the start of that day, so a harvester never misses it.
        since = arg(filters.updated_since)
        clauses.append(
            f"updated_at >= date_trunc('day', {since}::timestamptz, 'UTC')"
            f" AND (updated_at > {since} OR generalisation IS NOT NULL)"
        )
    if filters.grid_10km:
        clauses.append(f"grid_10km = {arg(filters.grid_10km)}")
    if filters.site_id is not None:
        clauses.append(f"site_id = {arg(filters.site_id)}")
    return " AND ".join(clauses), args


def encode_cursor(last_id: UUID) -> str:
    """An opaque cursor: the last id served (keyset pagination by id)."""
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    """The id a cursor stands for; ValueError when it is not one of ours."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return UUID(bytes=raw)


async def select(conn: Connection, filters: Filters, limit: int, after: UUID | None) -> list[Any]:
    """One page of public rows in id order, after the cursor's id."""
    where, args = _where(filters)
    if after is not None:
        args.append(after)
        where += f" AND id > ${len(args)}"
    args.append(limit)
    return list(
        await conn.fetch(
            f"SELECT * FROM public_observation WHERE {where} ORDER BY id LIMIT ${len(args)}", *args
        )
    )


async def stream(conn: Connection, filters: Filters, prefetch: int = 2000) -> AsyncIterator[Any]:
    """Every matching public row, through a server-side cursor (memory stays flat)."""
    where, args = _where(filters)
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        async for row in conn.cursor(
            f"SELECT * FROM public_observation WHERE {where} ORDER BY id", *args, prefetch=prefetch
        ):
            yield row


def _safe(expression: str) -> str:
    """A text column that a spreadsheet will not read as a formula (a leading quote if needed)."""
    number = r"^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$"
    return (
        f"CASE WHEN {expression} ~ '^[-=+@\\t\\r]' AND {expression} !~ '{number}' "
        f"THEN chr(39) || {expression} ELSE {expression} END"
    )


def _local(instant: str, offset_s: str) -> str:
    """The wall-clock timestamp of `instant` at `offset_s` seconds from UTC."""
    if offset_s == "0":
        return f"({instant} AT TIME ZONE 'UTC')"
    return f"({instant} AT TIME ZONE 'UTC' + {offset_s} * interval '1 second')"


def _utc_offset(offset_s: str, utc: str) -> str:
    """`+HH:MM` / `-HH:MM` of an offset in seconds; `utc` when it is zero."""
    hours = f"lpad((abs({offset_s}) / 3600)::text, 2, '0')"
    minutes = f"lpad((abs({offset_s}) % 3600 / 60)::text, 2, '0')"
    return (
        f"CASE WHEN {offset_s} = 0 THEN '{utc}' ELSE"
        f" CASE WHEN {offset_s} < 0 THEN '-' ELSE '+' END || {hours} || ':' || {minutes} END"
    )


def _iso(instant: str, offset_s: str) -> str:
    """RFC 3339 text of `instant` at `offset_s` seconds from UTC, as the JSON writes it."""
    whole = f"date_trunc('second', {instant}) = {instant}"
    seconds = 'YYYY-MM-DD"T"HH24:MI:SS'
    return (
        f"to_char({_local(instant, offset_s)},"
        f" CASE WHEN {whole} THEN '{seconds}' ELSE '{seconds}.US' END)"
        f" || {_utc_offset(offset_s, 'Z')}"
    )


def _iso_as_written(instant: str, offset_s: str) -> str:
    """RFC 3339 text by the timestamp's own output (fraction without trailing zeros).

    About twice as cheap as `to_char`; it needs `DateStyle` ISO, which the
    archive's transaction sets.
    """
    return (
        f"replace({_local(instant, offset_s)}::text, ' ', 'T') || {_utc_offset(offset_s, '+00:00')}"
    )


_BESIDES_COUNT: Final = ",".join(f for f in PUBLIC_DATA_FIELDS if f != "count")
"""The attributes a projected row may hold besides the count (see `public_data`)."""

CSV_COLUMNS: Final = {
    "id": "id::text",
    "kind": "kind",
    "programme": "programme",
    "status": "status",
    "observed_at": _iso("observed_at", "observed_offset_s"),
    "taxon_cd_ref": "taxon_cd_ref::text",
    "scientific_name": _safe("scientific_name"),
    "vernacular_fr": _safe("vernacular_fr"),
    "lon": "lon::text",
    "lat": "lat::text",
    "uncertainty_m": "uncertainty_m::text",
    "altitude_m": "altitude_m::text",
    "generalisation": "generalisation",
    "generalisation_code": "generalisation_code",
    "grid_10km": "grid_10km",
    "grid_1km": "grid_1km",
    "commune": "commune_insee",
    "departement": "departement",
    "count": _safe("(attributes->>'count')"),
    "attributes": _safe(
        f"(CASE WHEN attributes ?| '{{{_BESIDES_COUNT}}}' THEN"  # a key test: no jsonb built
        " (SELECT string_agg(key || '=' || value, ';' ORDER BY key)"
        " FROM jsonb_each_text(attributes) WHERE key <> 'count') END)"
    ),
    "comment": _safe("comment"),
    "observer": _safe("observer"),
    "licence": "licence",
    "photos": (  # most records have none: no subquery for them
        "CASE WHEN photos = '[]' THEN ''"
        " ELSE array_to_string(ARRAY(SELECT jsonb_array_elements_text(photos)), ' | ') END"
    ),
    "updated_at": _iso("updated_at", "0"),
    "site_id": "site_id::text",
    "site_name": _safe("site_name"),
}
"""The CSV export's columns, computed by PostgreSQL so `COPY … TO STDOUT` writes the file."""


async def copy_csv(
    conn: Connection,
    filters: Filters,
    output: Callable[[bytes], Coroutine[Any, Any, None]],
    extra_columns: dict[str, str] | None = None,
) -> None:
    """Every matching public row as CSV (with a header line), in id order, into `output`.

    PostgreSQL formats the rows itself; Python only forwards the bytes, which
    is what makes a full export about as fast as a bare COPY. `extra_columns`:
    name → SQL of more columns (programme kinds' fields: numbers, booleans, dates
    and choice codes, which no spreadsheet reads as a formula).
    """
    where, args = _where(filters)
    every = {**CSV_COLUMNS, **(extra_columns or {})}
    columns = ", ".join(f'{sql} AS "{name}"' for name, sql in every.items())
    query = f"SELECT {columns} FROM public_observation WHERE {where} ORDER BY id"
    await conn.copy_from_query(query, *args, output=output, format="csv", header=True)


def _tsv_text(expression: str) -> str:
    """Free text as one cell of a tab-separated file with no quoting.

    Tabs become spaces and every line break `str.splitlines` knows becomes one
    space (a final one is dropped), as the archive has always written them; U+0001 and
    U+0002 go too: they are COPY's quote and delimiter here (see `_DWCA_COPY`).
    """
    breaks = r"\r\n|[\n\r\v\f\x1c-\x1e\u0085\u2028\u2029]"
    cleaned = (
        f"regexp_replace(regexp_replace(translate({expression}, E'\\t\\x01\\x02', ' '),"
        f" '({breaks})$', ''), '{breaks}', ' ', 'g')"
    )
    return (
        f"CASE WHEN {expression} ~ '[\\t\\x01\\x02\\n\\r\\v\\f\\x1c-\\x1e\\u0085\\u2028\\u2029]'"
        f" THEN {cleaned} ELSE {expression} END"
    )


_LOCATED = "lon IS NOT NULL"
_HAS_TAXON = "taxon_cd_ref IS NOT NULL"
_OCCURRENCE = _HAS_TAXON
"""The rows the archive holds: every record that names a taxon (species, and programme
kinds with a taxon field); heritage records are not occurrences."""
_GENERALISED = "generalisation IS NOT NULL"
_WITHHELD = "precise location, altitude and locality withheld"
_RIGHTS_HOLDER = _tsv_text("coalesce(nullif(observer, ''), programme)")

DWCA_OCCURRENCE: Final = {
    "occurrenceID": "'urn:uuid:' || id",
    "basisOfRecord": "'HumanObservation'",
    "eventDate": _iso_as_written("observed_at", "observed_offset_s"),
    "decimalLatitude": "lat::text",
    "decimalLongitude": "lon::text",
    "geodeticDatum": f"CASE WHEN {_LOCATED} THEN 'EPSG:4326' END",
    "coordinateUncertaintyInMeters": f"CASE WHEN {_LOCATED} THEN uncertainty_m::text END",
    "footprintWKT": (
        "CASE WHEN generalisation = 'grid_10km' THEN {footprints} ->> generalisation_code END"
    ),
    "minimumElevationInMeters": "altitude_m::text",
    "maximumElevationInMeters": "altitude_m::text",
    "countryCode": "'FR'",
    "stateProvince": "'Provence-Alpes-Côte d''Azur'",
    "county": "'Hautes-Alpes'",
    "municipality": _tsv_text(
        "((SELECT jsonb_object_agg(insee, name) FROM commune) ->> commune_insee)"
    ),
    "scientificName": f"CASE WHEN {_HAS_TAXON} THEN {_tsv_text('scientific_name')} END",
    "scientificNameID": "'https://inpn.mnhn.fr/espece/cd_nom/' || taxon_cd_ref",
    "taxonID": "taxon_cd_ref::text",
    "kingdom": f"CASE WHEN {_HAS_TAXON} THEN {_tsv_text('kingdom')} END",
    "vernacularName": f"CASE WHEN {_HAS_TAXON} THEN {_tsv_text('vernacular_fr')} END",
    "individualCount": "attributes ->> 'count'",
    "organismQuantity": "attributes ->> 'abundance_class'",
    "organismQuantityType": (
        "CASE WHEN attributes ->> 'abundance_class' <> '' THEN 'abundance class' END"
    ),
    "occurrenceStatus": "'present'",
    "lifeStage": "attributes ->> 'life_stage'",
    "sex": "attributes ->> 'sex'",
    "behavior": "attributes ->> 'behaviour'",
    "recordedBy": _tsv_text("observer"),
    "identificationVerificationStatus": "{status_labels} ->> status",
    "dataGeneralizations": f"CASE WHEN {_GENERALISED} THEN {_tsv_text('data_generalizations')} END",
    "informationWithheld": f"CASE WHEN {_GENERALISED} THEN '{_WITHHELD}' END",
    "datasetName": "programme",
    "license": "{licence_uris} ->> licence",
    "rightsHolder": _RIGHTS_HOLDER,
    "modified": _iso_as_written("updated_at", "0"),
    "associatedMedia": (
        "CASE WHEN photos <> '[]' THEN array_to_string(ARRAY("
        "SELECT {base_url} || url FROM jsonb_array_elements_text(photos) AS url), ' | ') END"
    ),
    "occurrenceRemarks": _tsv_text("comment"),
}  # fmt: skip
"""Darwin Core occurrence terms (standards.md §1) computed by PostgreSQL, by term name.

Numbers and instants are as PostgreSQL writes them: the shortest text that reads back
the same double ("10", not "10.0"), fractions of a second without trailing zeros."""

DWCA_MULTIMEDIA: Final = {
    "coreid": "'urn:uuid:' || id",
    "identifier": "{base_url} || photo.url",
    "type": "'StillImage'",
    "format": "'image/jpeg'",
    "license": "{licence_uris} ->> licence",
    "rightsHolder": _RIGHTS_HOLDER,
}
"""Simple Multimedia terms, one row per photo of an occurrence, by term name."""

DWCA_MEASUREMENT: Final = {
    "coreid": "'urn:uuid:' || id",
    "measurementType": _tsv_text("field.title"),
    "measurementValue": _tsv_text(
        "CASE jsonb_typeof(field_value.value) WHEN 'array' THEN array_to_string(ARRAY("
        "SELECT jsonb_array_elements_text(field_value.value)), ' | ')"
        " ELSE field_value.value #>> '{{}}' END"
    ),
    "measurementUnit": _tsv_text("field.unit"),
    "measurementRemarks": (
        "'Cairn kind ' || field.field_kind || ' v' || field.field_version"
        " || ', field ' || field.field_name"
    ),
}
"""MeasurementOrFact terms, one row per public field a programme kind's record holds
(see opendata.measurements): the field's English title, its value as sent (true/false,
numbers as written, several choices `|`-separated), its unit, which kind, version and
field it is."""


class DwcaConstants(msgspec.Struct, frozen=True, kw_only=True):
    """What the archive's SQL looks up besides the public rows."""

    base_url: str
    footprints: dict[str, str]
    """10 km cell code → its WGS84 outline as WKT."""
    status_labels: dict[str, str]
    licence_uris: dict[str, str]
    measured: list[dict[str, Any]] = msgspec.field(default_factory=list)
    """The public fields of programme kinds (opendata.measurements.measurement_fields)."""


def _tsv_query(
    columns: dict[str, str], terms: Sequence[str], source: str, filters: Filters, order: str,
    constants: DwcaConstants, condition: str = "TRUE",
) -> tuple[str, list[Any]]:  # fmt: skip
    """A SELECT of one text column per occurrence row: its `terms` cells joined by tabs.

    One column, not one per term: COPY then checks each line once instead of each
    cell, and `concat` writes NULL as the empty cell the archive wants.
    """
    where, args = _where(filters)
    used = "".join(columns[term] for term in terms) + source
    names: dict[str, str] = {}
    for name in ("base_url", "footprints", "status_labels", "licence_uris", "measured"):
        if "{" + name + "}" in used:  # a parameter no cell uses would have no type
            args.append(getattr(constants, name))
            names[name] = f"${len(args)}::" + ("text" if name == "base_url" else "jsonb")
    line = ", E'\\t', ".join(columns[term].format(**names) for term in terms)
    query = (
        f"SELECT concat({line}) FROM {source.format(**names)}"
        f" WHERE {where} AND {_OCCURRENCE} AND {condition} ORDER BY {order}"
    )
    return query, args


_DWCA_COPY: Final[dict[str, Any]] = {"format": "csv", "delimiter": "\x02", "quote": "\x01"}
"""Lines exactly as the query writes them: a line holds no line break (every cell is
cleaned), nor U+0001 or U+0002, so this one-column CSV never quotes anything."""


_DWCA_FILES: Final = {
    "occurrence.txt": (DWCA_OCCURRENCE, "public_observation", "id", "TRUE"),
    "multimedia.txt": (
        DWCA_MULTIMEDIA,
        "public_observation, jsonb_array_elements_text(photos) WITH ORDINALITY AS photo(url, n)",
        "id, photo.n",
        "photos <> '[]'",  # most records have none: no function call for them
    ),
    "measurementorfact.txt": (
        DWCA_MEASUREMENT,
        "public_observation"
        " JOIN jsonb_to_recordset({measured})"
        " AS field(field_kind text, field_version integer, field_name text, title text,"
        " unit text, n integer)"
        " ON field.field_kind = public_observation.kind"
        " AND field.field_version = public_observation.schema_version"
        " JOIN jsonb_each(public_observation.attributes) AS field_value(key, value)"
        " ON field_value.key = field.field_name",
        "id, field.n",
        "TRUE",
    ),
}
"""Each data file of the archive: its cells, rows, order and the rows worth reading."""


async def copy_dwca(
    conn: Connection,
    file: str,
    filters: Filters,
    constants: DwcaConstants,
    terms: Sequence[str],
    output: Callable[[bytes], Coroutine[Any, Any, None]],
) -> None:
    """One data file of the archive (see `_DWCA_FILES`) by COPY, with its header line.

    One line per occurrence row in id order (per photo of one, for multimedia.txt; per
    public field of a programme kind, in the schema's order, for measurementorfact.txt).
    Run inside a transaction: it sets DateStyle for it.
    """
    columns, source, order, condition = _DWCA_FILES[file]
    query, args = _tsv_query(columns, terms, source, filters, order, constants, condition)
    await output(("\t".join(terms) + "\n").encode())
    await conn.execute("SET LOCAL datestyle = 'ISO'")  # see _iso_as_written
    await conn.copy_from_query(query, *args, output=output, **_DWCA_COPY)


async def dwca_coverage(conn: Connection, filters: Filters) -> list[Any]:
    """What the archive's occurrence rows cover (eml.xml), and the 10 km cells they name.

    One scan, grouped by the few values eml.xml lists (kingdom, licence, cell);
    `first` and `last` are the local dates of the earliest and latest observations
    (the first in id order among equal instants), from the index on observed_at.
    """
    where, args = _where(filters)
    species = f"FROM public_observation WHERE {where} AND {_OCCURRENCE}"
    local_date = "(observed_at AT TIME ZONE 'UTC' + make_interval(secs => observed_offset_s))::date"
    return list(
        await conn.fetch(
            f"""SELECT count(*) AS count, min(lon) AS west, max(lon) AS east,
                       min(lat) AS south, max(lat) AS north,
                       CASE WHEN taxon_cd_ref IS NOT NULL THEN kingdom END AS kingdom, licence,
                       CASE WHEN generalisation = 'grid_10km' THEN generalisation_code END AS cell,
                       (SELECT {local_date} {species} ORDER BY observed_at, id LIMIT 1) AS first,
                       (SELECT {local_date} {species} ORDER BY observed_at DESC, id LIMIT 1) AS last
                {species} GROUP BY 6, 7, 8""",
            *args,
        )
    )


async def get(conn: Connection, observation_id: UUID, statuses: tuple[str, ...]) -> Any:
    """One public row, or None when it is not public."""
    return await conn.fetchrow(
        "SELECT * FROM public_observation WHERE id = $1 AND status = ANY($2)",
        observation_id,
        list(statuses),
    )


_GROUPINGS = {
    "grid_10km": "grid_10km",
    "grid_1km": "grid_1km",
    "commune": "commune_insee",
    "month": "to_char(observed_at AT TIME ZONE 'UTC' + make_interval(secs => observed_offset_s),"
    " 'YYYY-MM')",
}


async def counts(conn: Connection, filters: Filters, by: str) -> list[Any]:
    """Observations and distinct taxa per unit; a record counts only where it is public.

    A generalised record has no 1 km cell (and no commune at the 10 km level),
    so it contributes to coarser units only, at its published precision.
    """
    key = _GROUPINGS[by]
    where, args = _where(filters)
    return list(
        await conn.fetch(
            f"""SELECT {key} AS unit, count(*) AS observations,
                       count(DISTINCT taxon_cd_ref) AS taxa
                FROM public_observation WHERE {where} AND {key} IS NOT NULL
                GROUP BY 1 ORDER BY 1""",
            *args,
        )
    )


async def checklist(conn: Connection, filters: Filters) -> list[Any]:
    """Taxa recorded under the filters, with counts and first and last dates."""
    where, args = _where(filters)
    return list(
        await conn.fetch(
            f"""SELECT taxon_cd_ref, min(scientific_name) AS scientific_name,
                       min(vernacular_fr) AS vernacular_fr, min(taxon_group) AS taxon_group,
                       count(*) AS observations, min(observed_at) AS first_seen,
                       max(observed_at) AS last_seen
                FROM public_observation WHERE {where} AND taxon_cd_ref IS NOT NULL
                GROUP BY taxon_cd_ref ORDER BY count(*) DESC, taxon_cd_ref""",
            *args,
        )
    )
