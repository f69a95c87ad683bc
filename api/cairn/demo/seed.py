"""Filling a fresh database: the bundled reference data, then labelled demo observations."""

from __future__ import annotations

from cairn.core.clock import now
from cairn.core.db import Connection
from cairn.demo.model import demo_observations
from cairn.moderation import store as reviews
from cairn.observations.service import Accepted, accept_many
from cairn.records import projection as public
from cairn.reference import places_store as places
from cairn.reference.files import territory as territory_outline
from cairn.reference.importers import ImportSummary, import_bundled_reference, reference_is_empty
from cairn.settings import Settings


async def ensure_reference(conn: Connection) -> list[ImportSummary]:
    """Import the bundled reference data when the database has none; [] otherwise."""
    if not await reference_is_empty(conn):
        return []
    async with conn.transaction():
        return await import_bundled_reference(conn)


DEMO_VALIDATION = "Demo data, validated automatically to show the open data: not a real decision."


async def load_demo(conn: Connection, settings: Settings, count: int) -> int:
    """`count` demo observations through the real validation pipeline; returns how many stored."""
    taxa = [
        r["cd_nom"]
        for r in await conn.fetch(
            "SELECT cd_nom FROM taxon WHERE cd_nom = cd_ref AND vernacular_fr IS NOT NULL "
            "ORDER BY cd_nom"
        )
    ]
    if not taxa:
        raise RuntimeError("no taxa: import the reference data first (cairn import-reference)")
    territory = await places.load_territory(conn)
    instant = now()
    demo = list(
        demo_observations(count, territory_outline(), taxa, int(instant.timestamp()), instant)
    )
    async with conn.transaction():
        # A random point on the outline's very edge may be refused: it is simply not stored.
        results = await accept_many(conn, territory, settings, demo, None)
        created = [
            r.stored.observation.id
            for r in results
            if isinstance(r, Accepted) and r.outcome == "created"
        ]
        # Two thirds are validated, so the open map, atlas and widgets have something to show;
        # the rest waits in the moderation queue. Each carries a comment that says so.
        shown = created[: len(created) * 2 // 3]
        await reviews.validate_automatically(conn, shown, DEMO_VALIDATION)
        await public.project(conn, shown)
    return len(created)


async def has_observations(conn: Connection) -> bool:
    """True when any observation is stored."""
    return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM observation)"))
