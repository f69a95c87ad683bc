"""Sites: SQL for the staff writes, the public reads and the observations that name one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.core.db import Connection, Executor
from cairn.programmes.model import LongTexts, Texts
from cairn.records.disclosure import SiteFacts, public_site_place
from cairn.records.projection import site_place
from cairn.sites.model import PublicSite, Site, SiteHistory, Visit, public_site

_SITE = """s.id, s.programme, s.name, s.description, s.geometry, s.sensitivity_level,
       s.archived, s.created_at, s.updated_at, s.lon, s.lat, s.commune_insee AS commune,
       c.centroid_lon, c.centroid_lat, c.min_lon, c.min_lat, c.max_lon, c.max_lat"""
_FROM = "site s LEFT JOIN commune c ON c.insee = s.commune_insee"


def to_site(row: asyncpg.Record) -> Site:
    """The staff view of a site row."""
    return Site(
        id=row["id"],
        programme=row["programme"],
        name=msgspec.convert(row["name"], Texts),
        description=None
        if not row["description"]
        else msgspec.convert(row["description"], LongTexts),
        geometry=row["geometry"],
        sensitive=row["sensitivity_level"],
        archived=row["archived"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def to_public(row: asyncpg.Record) -> PublicSite | None:
    """The public view of a site row, as the disclosure policy decides it; None: hidden."""
    facts = SiteFacts(
        id=row["id"],
        name=row["name"]["fr"],
        level=row["sensitivity_level"],
        place=site_place(row, prefix=""),
    )
    return public_site(to_site(row), public_site_place(facts))


async def every_public(conn: Executor) -> list[PublicSite]:
    """Every programme's sites in use, as the public sees them (the offline bundle is public)."""
    rows = await conn.fetch(
        f"SELECT {_SITE} FROM {_FROM} WHERE NOT s.archived ORDER BY s.programme, s.created_at, s.id"
    )
    return [shown for shown in (to_public(row) for row in rows) if shown is not None]


async def insert(
    conn: Connection,
    site_id: UUID,
    programme: str,
    fields: dict[str, Any],
) -> asyncpg.Record:
    """A new site; `fields`: name, description, geometry, lon, lat, commune, sensitivity."""
    await conn.execute(
        """INSERT INTO site (id, programme, name, description, geometry, lon, lat,
                             commune_insee, sensitivity_level)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        site_id,
        programme,
        *(fields[k] for k in ("name", "description", "geometry", "lon", "lat", "commune",
                              "sensitivity")),
    )  # fmt: skip
    row = await get(conn, site_id)
    assert row is not None  # noqa: S101 (just inserted in this transaction)
    return row


async def update(conn: Connection, site_id: UUID, fields: dict[str, Any]) -> asyncpg.Record:
    """Overwrite a (locked) site's fields with `fields` (all of `insert`'s, and archived)."""
    await conn.execute(
        """UPDATE site SET name = $2, description = $3, geometry = $4, lon = $5, lat = $6,
                  commune_insee = $7, sensitivity_level = $8, archived = $9,
                  updated_at = greatest(now(), created_at)
            WHERE id = $1""",
        site_id,
        *(fields[k] for k in ("name", "description", "geometry", "lon", "lat", "commune",
                              "sensitivity", "archived")),
    )  # fmt: skip
    row = await get(conn, site_id)
    assert row is not None  # noqa: S101 (locked by the caller)
    return row


async def get(conn: Executor, site_id: UUID, *, lock: bool = False) -> asyncpg.Record | None:
    """One site with its commune's outline facts (see records.projection.site_place), or None."""
    lock_clause = " FOR UPDATE OF s" if lock else ""
    return await conn.fetchrow(f"SELECT {_SITE} FROM {_FROM} WHERE s.id = $1{lock_clause}", site_id)


async def of_programme(conn: Executor, programme: str) -> list[asyncpg.Record]:
    """A programme's sites in use (not archived), oldest first."""
    return list(
        await conn.fetch(
            f"""SELECT {_SITE} FROM {_FROM} WHERE s.programme = $1 AND NOT s.archived
                ORDER BY s.created_at, s.id""",
            programme,
        )
    )


async def programmes_of(conn: Executor, site_ids: list[UUID]) -> dict[UUID, tuple[str, bool]]:
    """Programme and archived flag of each of these sites that exists."""
    if not site_ids:
        return {}
    rows = await conn.fetch(
        "SELECT id, programme, archived FROM site WHERE id = ANY($1)", list(set(site_ids))
    )
    return {row["id"]: (row["programme"], row["archived"]) for row in rows}


async def observations_at(conn: Connection, site_id: UUID) -> list[UUID]:
    """The observations that name a site (to re-project them when the site changes)."""
    return [
        row["id"]
        for row in await conn.fetch("SELECT id FROM observation WHERE site_id = $1", site_id)
    ]


async def visits(conn: Executor, site_id: UUID, statuses: tuple[str, ...]) -> list[asyncpg.Record]:
    """Public records naming a site, per local day: how many, individuals, last condition.

    Reads the public projection only, which names a site only where the policy let it.
    """
    day = "(observed_at AT TIME ZONE 'UTC' + make_interval(secs => observed_offset_s))::date"
    number = "jsonb_typeof(attributes -> 'count') = 'number'"
    return list(
        await conn.fetch(
            f"""SELECT {day} AS day, count(*) AS records,
                       sum((attributes ->> 'count')::numeric) FILTER (WHERE {number})::bigint
                           AS count,
                       (array_agg(attributes ->> 'condition' ORDER BY observed_at DESC, id DESC)
                           FILTER (WHERE attributes ? 'condition'))[1] AS condition
                  FROM public_observation
                 WHERE site_id = $1 AND status = ANY($2)
                 GROUP BY 1 ORDER BY 1""",
            site_id,
            list(statuses),
        )
    )


async def history(conn: Executor, site_id: UUID, statuses: tuple[str, ...]) -> SiteHistory | None:
    """A site's public view and visits per day; None when nothing of it is public."""
    row = await get(conn, site_id)
    shown = None if row is None else to_public(row)
    if shown is None:
        return None
    return SiteHistory(
        site=shown,
        visits=[
            Visit(date=r["day"], records=r["records"], count=r["count"], condition=r["condition"])
            for r in await visits(conn, site_id, statuses)
        ],
    )
