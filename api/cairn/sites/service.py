"""Sites: staff writes (checked, audited, re-projected together) and the public views.

What the public sees of a site, and of every record made at it, is the
disclosure policy's answer for a sensitive taxon of the site's level; a change
of a site's place or level re-projects its records in the same transaction.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import msgspec
from asyncpg import Pool

from cairn.core.db import Connection, Executor, transaction
from cairn.core.errors import InvalidInputError, NotFoundError
from cairn.programmes import store as programmes
from cairn.records import projection as public
from cairn.reference.territory import Territory
from cairn.sensitivity import store as sensitivity
from cairn.sites import store
from cairn.sites.model import (
    PublicSite,
    Site,
    SiteHistory,
    SiteIn,
    SitePatch,
    anchor,
    geometry_errors,
    nearest_first,
    normalised,
)
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import require, require_visible


def _administer(staff: Staff, slug: str) -> None:
    """The programme's admins only; staff with no role on it get 404, others 403."""
    require_visible(staff, slug)
    require(staff, "administer_programme", slug)


def _fields(territory: Territory, site: Site | SiteIn, **changes: Any) -> dict[str, Any]:
    """The columns a site's content sets (see store.insert)."""
    values = {
        "name": msgspec.to_builtins(site.name),
        "description": msgspec.to_builtins(site.description) or {},
        "geometry": normalised(site.geometry),
        "sensitivity": site.sensitive,
        **changes,
    }
    if "description" in changes:
        values["description"] = msgspec.to_builtins(changes["description"]) or {}
    if "name" in changes:
        values["name"] = msgspec.to_builtins(changes["name"])
    values["geometry"] = normalised(values["geometry"])
    lon, lat = anchor(values["geometry"])
    return {**values, "lon": lon, "lat": lat, "commune": territory.locate(lon, lat).commune}


async def _bounds(conn: Executor, slug: str) -> tuple[float, float, float, float]:
    programme = await programmes.get_programme(conn, slug)
    if programme is None:
        raise NotFoundError(f"no programme {slug}")
    west, south, east, north = programme.bbox
    return west, south, east, north


async def create(pool: Pool, territory: Territory, staff: Staff, slug: str, data: SiteIn) -> Site:
    """A new site of the programme (its admins), audited."""
    _administer(staff, slug)
    async with transaction(pool) as conn:
        errors = geometry_errors(data.geometry, await _bounds(conn, slug))
        if errors:
            raise InvalidInputError(errors, "Invalid site")
        row = await store.insert(conn, uuid4(), slug, _fields(territory, data))
        site = store.to_site(row)
        await audit.record(conn, staff.id, "site_create", f"{slug}/{site.id}", None, site)
    return site


async def edit(
    pool: Pool, territory: Territory, staff: Staff, slug: str, site_id: UUID, patch: SitePatch
) -> Site:
    """Change or archive a site (its programme's admins), audited; its records re-projected.

    An archived site stays on the records that name it; new records may not name it.
    """
    _administer(staff, slug)
    async with transaction(pool) as conn:
        # as a rule change: wait for intakes in flight, and make those that read the
        # site before this commit judge their records again (migration 0018)
        await sensitivity.exclude_level_writers(conn)
        row = await store.get(conn, site_id, lock=True)
        if row is None or row["programme"] != slug:
            raise NotFoundError(f"no site {site_id} in programme {slug}")
        before = store.to_site(row)
        given = {
            name: getattr(patch, name)
            for name in ("name", "description", "geometry", "sensitive", "archived")
            if getattr(patch, name) is not msgspec.UNSET
        }
        if "geometry" in given:
            errors = geometry_errors(given["geometry"], await _bounds(conn, slug))
            if errors:
                raise InvalidInputError(errors, "Invalid site")
        if "sensitive" in given:
            given["sensitivity"] = given.pop("sensitive")
        fields = {"archived": before.archived, **_fields(territory, before, **given)}
        after = store.to_site(await store.update(conn, site_id, fields))
        await _reproject(conn, site_id)
        await audit.record(conn, staff.id, "site_edit", f"{slug}/{site_id}", before, after)
    return after


async def _reproject(conn: Connection, site_id: UUID) -> None:
    """The public rows of the site's records, after its place, level or name changed."""
    await public.project(conn, await store.observations_at(conn, site_id))


async def public_list(pool: Pool, slug: str, near: tuple[float, float] | None) -> list[PublicSite]:
    """The programme's sites in use as the public sees them; with `near`, nearest first."""
    if await programmes.get_programme(pool, slug) is None:
        raise NotFoundError(f"no programme {slug}")
    shown = [s for s in (store.to_public(row) for row in await store.of_programme(pool, slug)) if s]
    return shown if near is None else nearest_first(shown, *near)


async def public_get(pool: Pool, site_id: UUID) -> PublicSite:
    """One site as the public sees it; 404 when it does not exist or nothing of it is public."""
    row = await store.get(pool, site_id)
    shown = None if row is None else store.to_public(row)
    if shown is None:
        raise NotFoundError(f"no site {site_id}")
    return shown


async def history(pool: Pool, site_id: UUID, statuses: tuple[str, ...]) -> SiteHistory:
    """A site's visits per day, from the public projection only (the records that name it)."""
    found = await store.history(pool, site_id, statuses)
    if found is None:
        raise NotFoundError(f"no site {site_id}")
    return found
