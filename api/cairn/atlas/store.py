"""Atlas and impact figures: aggregations over the public projection (and, for staff, intake).

Every open figure reads `public_observation` with the public statuses, so it
can never show a position, an altitude or a comment that the open-data API
withholds. The atlas shows what was found: an absence (searched for, not
found) is in none of its figures, nor in a contributor's species, firsts or cells.
"""

from __future__ import annotations

from typing import Any, Final, Literal
from uuid import UUID

import asyncpg

from cairn.atlas.model import (
    ALTITUDE_BAND_M,
    AtlasCount,
    AtlasHeritage,
    AtlasPages,
    AtlasPhoto,
    Cell,
    ConditionYear,
    Contributor,
    Dashboard,
    Impact,
    Latest,
    SharedImpact,
    TaxonChecklistEntry,
    altitude_bands,
    months,
)
from cairn.contributors.store import same_contributor
from cairn.core.db import Executor
from cairn.core.grid import cell_polygon


async def _aggregate(conn: Executor, sql: str, *args: Any) -> asyncpg.Record:
    """The one row an aggregate query without GROUP BY always returns."""
    row = await conn.fetchrow(sql, *args)
    if row is None:
        raise RuntimeError("an aggregate query returned no row")
    return row


def _counts(rows: list[asyncpg.Record]) -> list[AtlasCount]:
    return [AtlasCount(str(row["key"]), row["n"]) for row in rows]


def _latest(rows: list[asyncpg.Record]) -> list[Latest]:
    return [Latest(str(r["id"]), r["kind"], r["name"], r["observed_at"]) for r in rows]


_FOUND: Final = "occurrence_status = 'present'"
"""A presence: absences never count as one."""
_NAME = "coalesce(p.vernacular_fr, p.scientific_name, p.attributes->>'category')"
_LATEST = f"""SELECT p.id, p.kind, {_NAME} AS name, p.observed_at FROM public_observation p
               WHERE p.status = ANY($1) AND p.{_FOUND} AND {{where}}
               ORDER BY p.observed_at DESC, p.id LIMIT 10"""


async def taxon_figures(conn: Executor, cd_ref: int, statuses: tuple[str, ...]) -> dict[str, Any]:
    """Counts, dates, phenology, altitude bands, 10 km cells and latest photos of a taxon."""
    args = (list(statuses), cd_ref)
    where = f"status = ANY($1) AND taxon_cd_ref = $2 AND {_FOUND}"
    summary = await _aggregate(
        conn,
        f"""SELECT count(*) AS n, min(observed_at) AS first, max(observed_at) AS last,
                   count(*) FILTER (WHERE generalisation IS NOT NULL) AS generalised
              FROM public_observation WHERE {where}""",
        *args,
    )
    by_month = await conn.fetch(
        f"""SELECT extract(month FROM observed_at AT TIME ZONE 'Europe/Paris')::int AS m,
                   count(*) AS n FROM public_observation WHERE {where} GROUP BY 1""",
        *args,
    )
    by_band = await conn.fetch(
        f"""SELECT (floor(altitude_m / {ALTITUDE_BAND_M}) * {ALTITUDE_BAND_M})::int AS floor,
                   count(*) AS n FROM public_observation
             WHERE {where} AND altitude_m IS NOT NULL GROUP BY 1""",
        *args,
    )
    cells = await cell_counts(conn, "taxon", cd_ref, statuses)
    photos = await conn.fetch(
        f"""SELECT photos->>0 AS url, observer, licence, observed_at FROM public_observation
             WHERE {where} AND jsonb_array_length(photos) > 0
             ORDER BY observed_at DESC, id LIMIT 6""",
        *args,
    )
    return {
        "count": summary["n"],
        "first_seen": summary["first"],
        "last_seen": summary["last"],
        "generalised": summary["generalised"],
        "months": months((r["m"], r["n"]) for r in by_month),
        "altitude_bands": altitude_bands((r["floor"], r["n"]) for r in by_band),
        "cells": [Cell(code, count, cell_polygon(code).__geo_interface__) for code, count in cells],
        "photos": [
            AtlasPhoto(r["url"], r["observer"], r["licence"], r["observed_at"]) for r in photos
        ],
    }


AtlasScope = Literal["taxon", "commune", "programme", "heritage"]
"""What an atlas page is about."""
_SCOPE_FILTERS: Final[dict[str, str]] = {
    "taxon": "taxon_cd_ref = $2",
    "commune": "commune_insee = $2",
    "programme": "programme = $2",
    "heritage": "kind = 'heritage' AND attributes->>'category' = $2",
}


async def cell_counts(
    conn: Executor, scope: AtlasScope, key: int | str, statuses: tuple[str, ...]
) -> list[tuple[str, int]]:
    """(10 km cell, public records) of an atlas page, by cell code.

    The cells are the public projection's: a record generalised to its commune
    or its département has none, one generalised to its 10 km cell has that one.
    """
    rows = await conn.fetch(
        f"""SELECT grid_10km AS code, count(*) AS n FROM public_observation
             WHERE status = ANY($1) AND {_SCOPE_FILTERS[scope]} AND grid_10km IS NOT NULL
               AND {_FOUND}
             GROUP BY 1 ORDER BY 1""",
        list(statuses),
        key,
    )
    return [(r["code"], r["n"]) for r in rows]


async def heritage_category(conn: Executor, slug: str) -> dict[str, str] | None:
    """A heritage category's label in each language, or None if the typology has no such slug."""
    row = await conn.fetchrow(
        "SELECT label_fr, label_en, label_it FROM heritage_category WHERE slug = $1", slug
    )
    if row is None:
        return None
    return {"fr": row["label_fr"], "en": row["label_en"], "it": row["label_it"]}


async def atlas_pages(conn: Executor, statuses: tuple[str, ...]) -> AtlasPages:
    """Every atlas page worth listing: taxa with public records, communes, programmes, heritage,
    and the sites whose page is public."""
    taxa = await conn.fetch(
        f"""SELECT DISTINCT taxon_cd_ref FROM public_observation
            WHERE status = ANY($1) AND taxon_cd_ref IS NOT NULL AND {_FOUND} ORDER BY 1""",
        list(statuses),
    )
    communes = await conn.fetch("SELECT insee FROM commune ORDER BY insee")
    programmes = await conn.fetch("SELECT slug FROM programme ORDER BY slug")
    categories = await conn.fetch("SELECT slug FROM heritage_category ORDER BY position, slug")
    sites = await conn.fetch(
        "SELECT id FROM site WHERE NOT archived AND sensitivity_level < 4 ORDER BY created_at, id"
    )
    return AtlasPages(
        taxa=[r["taxon_cd_ref"] for r in taxa],
        communes=[r["insee"] for r in communes],
        programmes=[r["slug"] for r in programmes],
        heritage=[r["slug"] for r in categories],
        sites=[str(r["id"]) for r in sites],
    )


async def commune(conn: Executor, insee: str) -> asyncpg.Record | None:
    """The commune's name and outline."""
    return await conn.fetchrow("SELECT insee, name, geometry FROM commune WHERE insee = $1", insee)


async def commune_figures(conn: Executor, insee: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    """What was seen in a commune: by kind, the species checklist, heritage, the latest."""
    args = (list(statuses), insee)
    where = f"p.status = ANY($1) AND p.commune_insee = $2 AND p.{_FOUND}"
    by_kind = await conn.fetch(
        f"SELECT p.kind AS key, count(*) AS n FROM public_observation p WHERE {where} "
        "GROUP BY 1 ORDER BY 2 DESC",
        *args,
    )
    species = await conn.fetch(
        f"""SELECT p.taxon_cd_ref AS cd_ref, min(p.scientific_name) AS scientific_name,
                   min(p.vernacular_fr) AS vernacular_fr, count(*) AS n,
                   max(p.observed_at) AS last_seen
              FROM public_observation p
             WHERE {where} AND p.taxon_cd_ref IS NOT NULL
             GROUP BY p.taxon_cd_ref ORDER BY n DESC, scientific_name LIMIT 500""",
        *args,
    )
    heritage = await conn.fetch(
        f"""SELECT p.attributes->>'category' AS key, count(*) AS n FROM public_observation p
             WHERE {where} AND p.kind = 'heritage' GROUP BY 1 ORDER BY 2 DESC""",
        *args,
    )
    latest = await conn.fetch(_LATEST.format(where="p.commune_insee = $2"), *args)
    return {
        "by_kind": _counts(by_kind),
        "species": [_checklist(r) for r in species],
        "heritage": _counts(heritage),
        "latest": _latest(latest),
    }


def _checklist(row: asyncpg.Record) -> TaxonChecklistEntry:
    return TaxonChecklistEntry(
        row["cd_ref"], row["scientific_name"], row["vernacular_fr"], row["n"], row["last_seen"]
    )


async def programme_figures(
    conn: Executor, slug: str, targets: list[int], statuses: tuple[str, ...]
) -> dict[str, Any]:
    """Progress of a programme: records per month, targets seen, contributors by pseudonym."""
    args = (list(statuses), slug)
    where = f"status = ANY($1) AND programme = $2 AND {_FOUND}"
    total = await conn.fetchval(f"SELECT count(*) FROM public_observation WHERE {where}", *args)
    by_month = await conn.fetch(
        f"""SELECT to_char(observed_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS key,
                   count(*) AS n FROM public_observation WHERE {where} GROUP BY 1 ORDER BY 1""",
        *args,
    )
    seen = await conn.fetch(
        f"""SELECT DISTINCT taxon_cd_ref FROM public_observation
             WHERE {where} AND taxon_cd_ref = ANY($3) ORDER BY 1""",
        *args,
        targets,
    )
    contributors = await conn.fetch(
        f"""SELECT observer, count(*) AS n FROM public_observation
             WHERE {where} AND observer IS NOT NULL
             GROUP BY observer ORDER BY n DESC, observer LIMIT 10""",
        *args,
    )
    anonymous = await conn.fetchval(
        f"SELECT count(*) FROM public_observation WHERE {where} AND observer IS NULL", *args
    )
    return {
        "count": total,
        "by_month": _counts(by_month),
        "targets_seen": [r["taxon_cd_ref"] for r in seen],
        "top_contributors": [Contributor(r["observer"], r["n"]) for r in contributors],
        "anonymous_records": anonymous,
    }


async def heritage_figures(
    conn: Executor, category: str, statuses: tuple[str, ...]
) -> AtlasHeritage:
    """A heritage type: where it was recorded and the conditions reported, year by year."""
    args = (list(statuses), category)
    where = "p.status = ANY($1) AND p.kind = 'heritage' AND p.attributes->>'category' = $2"
    total = await conn.fetchval(f"SELECT count(*) FROM public_observation p WHERE {where}", *args)
    communes = await conn.fetch(
        f"""SELECT coalesce(c.name, p.commune_insee, '?') AS key, count(*) AS n
              FROM public_observation p LEFT JOIN commune c ON c.insee = p.commune_insee
             WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1""",
        *args,
    )
    conditions = await conn.fetch(
        f"""SELECT extract(year FROM p.observed_at)::int AS year,
                   coalesce(p.attributes->>'condition', 'unknown') AS key, count(*) AS n
              FROM public_observation p WHERE {where} GROUP BY 1, 2 ORDER BY 1, 3 DESC""",
        *args,
    )
    years: dict[int, list[AtlasCount]] = {}
    for row in conditions:
        years.setdefault(row["year"], []).append(AtlasCount(row["key"], row["n"]))
    latest = await conn.fetch(
        _LATEST.format(where="p.kind = 'heritage' AND p.attributes->>'category' = $2"), *args
    )
    return AtlasHeritage(
        category=category,
        count=total,
        communes=_counts(communes),
        conditions_by_year=[ConditionYear(year, counts) for year, counts in years.items()],
        latest=_latest(latest),
    )


async def impact(conn: Executor, device_id: UUID, statuses: tuple[str, ...]) -> Impact:
    """A contributor's figures: their statuses, and what their public records add up to."""
    mine = same_contributor("o.device_id", "$1")
    public = f"{mine} AND p.status = ANY($2) AND p.{_FOUND}"
    args = (device_id, list(statuses))
    by_status = await conn.fetch(
        f"SELECT o.status AS key, count(*) AS n FROM observation o WHERE {mine} "
        "GROUP BY 1 ORDER BY 2 DESC",
        device_id,
    )
    taxa = await conn.fetch(
        f"""SELECT p.taxon_cd_ref AS cd_ref, min(p.scientific_name) AS scientific_name,
                   min(p.vernacular_fr) AS vernacular_fr, count(*) AS n,
                   max(p.observed_at) AS last_seen
              FROM observation o JOIN public_observation p ON p.id = o.id
             WHERE {public} AND p.taxon_cd_ref IS NOT NULL
             GROUP BY 1 ORDER BY n DESC, scientific_name""",
        *args,
    )
    heritage = await conn.fetch(
        f"""SELECT p.attributes->>'category' AS key, count(*) AS n
              FROM observation o JOIN public_observation p ON p.id = o.id
             WHERE {public} AND p.kind = 'heritage' GROUP BY 1 ORDER BY 2 DESC""",
        *args,
    )
    firsts = await conn.fetch(
        f"""SELECT concat_ws(' — ', p.scientific_name, c.name) AS key, count(*) AS n
              FROM observation o JOIN public_observation p ON p.id = o.id
              LEFT JOIN commune c ON c.insee = p.commune_insee
             WHERE {public} AND o.flags @> '[{{"code": "first_in_commune"}}]'
             GROUP BY 1 ORDER BY 1""",
        *args,
    )
    cells = await conn.fetch(
        f"""SELECT DISTINCT p.grid_10km FROM observation o JOIN public_observation p ON p.id = o.id
             WHERE {public} AND p.grid_10km IS NOT NULL ORDER BY 1""",
        *args,
    )
    counted = _counts(by_status)
    return Impact(
        sent=sum(c.count for c in counted),
        validated=sum(c.count for c in counted if c.key in statuses),
        by_status=counted,
        taxa=[_checklist(r) for r in taxa],
        heritage=_counts(heritage),
        firsts=_counts(firsts),
        cells=[r["grid_10km"] for r in cells],
    )


async def dashboard(conn: Executor, programmes: list[str]) -> Dashboard:
    """Staff figures over intake (all statuses) for `programmes`; identities never leave."""
    where = "o.programme = ANY($1)"
    by_month = await conn.fetch(
        f"""SELECT to_char(o.received_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS key,
                   count(*) AS n FROM observation o WHERE {where} GROUP BY 1 ORDER BY 1""",
        programmes,
    )
    contributors = await conn.fetchval(
        f"SELECT count(DISTINCT o.device_id) FROM observation o WHERE {where}", programmes
    )
    by_status = await conn.fetch(
        f"SELECT o.status AS key, count(*) AS n FROM observation o WHERE {where} "
        "GROUP BY 1 ORDER BY 2 DESC",
        programmes,
    )
    top_taxa = await conn.fetch(
        f"""SELECT coalesce(t.scientific_name, o.taxon_cd_ref::text) AS key, count(*) AS n
              FROM observation o LEFT JOIN taxon t ON t.cd_nom = o.taxon_cd_ref
             WHERE {where} AND o.taxon_cd_ref IS NOT NULL
             GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20""",
        programmes,
    )
    by_commune = await conn.fetch(
        f"""SELECT coalesce(c.name, o.commune_insee, 'outside') AS key, count(*) AS n
              FROM observation o LEFT JOIN commune c ON c.insee = o.commune_insee
             WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1""",
        programmes,
    )
    backlog = await _aggregate(
        conn,
        f"""SELECT count(*) AS n, min(o.received_at) AS oldest FROM observation o
             WHERE {where} AND o.status = 'pending'""",
        programmes,
    )
    return Dashboard(
        programmes=programmes,
        received_by_month=_counts(by_month),
        contributors=contributors,
        by_status=_counts(by_status),
        top_taxa=_counts(top_taxa),
        by_commune=_counts(by_commune),
        pending=backlog["n"],
        oldest_pending=backlog["oldest"],
    )


async def impact_share_of(conn: Executor, device_id: UUID) -> str | None:
    """The id of the device's shared impact link, if it has one."""
    share: str | None = await conn.fetchval(
        "SELECT id FROM impact_share WHERE device_id = $1", device_id
    )
    return share


async def create_impact_share(conn: Executor, device_id: UUID, share_id: str) -> str:
    """Give the device a shared impact link (`share_id`), or keep the one it has; its id."""
    await conn.execute(
        """INSERT INTO impact_share (id, device_id) VALUES ($1, $2)
           ON CONFLICT (device_id) DO NOTHING""",
        share_id,
        device_id,
    )
    current = await impact_share_of(conn, device_id)
    if current is None:
        raise RuntimeError("the impact share was neither created nor found")
    return current


async def delete_impact_share(conn: Executor, device_id: UUID) -> bool:
    """Revoke the device's shared impact link; whether it had one."""
    status: str = await conn.execute("DELETE FROM impact_share WHERE device_id = $1", device_id)
    return status != "DELETE 0"


async def shared_impact(
    conn: Executor, share_id: str, statuses: tuple[str, ...]
) -> SharedImpact | None:
    """The public counts behind a shared impact link, or None when it was revoked or never was.

    Only records of the public projection count. The cells are those of records
    published at full precision: a generalised (sensitive) record adds to the
    counts but never puts the contributor's name on its cell.
    """
    owner = await conn.fetchrow(
        "SELECT s.device_id, d.pseudonym FROM impact_share s JOIN device d ON d.id = s.device_id"
        " WHERE s.id = $1",
        share_id,
    )
    if owner is None:
        return None
    mine = f"{same_contributor('o.device_id', '$1')} AND p.status = ANY($2)"
    args = (owner["device_id"], list(statuses))
    totals = await _aggregate(
        conn,
        f"""SELECT count(*) AS records,
                   count(DISTINCT p.taxon_cd_ref) FILTER (WHERE p.{_FOUND}) AS species,
                   count(*) FILTER (WHERE p.kind = 'heritage') AS heritage
              FROM observation o JOIN public_observation p ON p.id = o.id WHERE {mine}""",
        *args,
    )
    cells = await conn.fetch(
        f"""SELECT DISTINCT p.grid_10km FROM observation o JOIN public_observation p ON p.id = o.id
             WHERE {mine} AND p.generalisation IS NULL AND p.grid_10km IS NOT NULL
               AND p.{_FOUND} ORDER BY 1""",
        *args,
    )
    return SharedImpact(
        pseudonym=owner["pseudonym"],
        records=totals["records"],
        species=totals["species"],
        heritage=totals["heritage"],
        cells=[r["grid_10km"] for r in cells],
    )
