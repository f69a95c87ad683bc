"""Communes and heritage: the territory's places, imported from files."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import asyncpg
from shapely.geometry import shape

from cairn.core.db import Connection
from cairn.reference.files import bundled_commune_names, bundled_communes
from cairn.reference.places import CommuneRecord, HeritageRecord
from cairn.reference.territory import Territory


async def import_communes(conn: Connection, communes: Iterable[CommuneRecord]) -> tuple[int, int]:
    """Upsert communes by INSEE code; return (inserted, updated)."""
    inserted = updated = 0
    for commune in communes:
        created = await conn.fetchval(
            """
            INSERT INTO commune (insee, name, departement, epci_siren, epci_name, population,
                                 geometry, min_lon, min_lat, max_lon, max_lat,
                                 centroid_lon, centroid_lat)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            ON CONFLICT (insee) DO UPDATE SET
                name = EXCLUDED.name, departement = EXCLUDED.departement,
                epci_siren = coalesce(EXCLUDED.epci_siren, commune.epci_siren),
                epci_name = coalesce(EXCLUDED.epci_name, commune.epci_name),
                population = coalesce(EXCLUDED.population, commune.population),
                geometry = EXCLUDED.geometry,
                min_lon = EXCLUDED.min_lon, min_lat = EXCLUDED.min_lat,
                max_lon = EXCLUDED.max_lon, max_lat = EXCLUDED.max_lat,
                centroid_lon = EXCLUDED.centroid_lon, centroid_lat = EXCLUDED.centroid_lat
            RETURNING (xmax = 0)
            """,
            commune.insee,
            commune.name,
            commune.departement,
            commune.epci_siren,
            commune.epci_name,
            commune.population,
            commune.geometry,
            *commune.bbox,
            *commune.centroid,
        )
        inserted += bool(created)
        updated += not created
    return inserted, updated


async def import_heritage(conn: Connection, items: Iterable[HeritageRecord]) -> tuple[int, int]:
    """Upsert heritage items by their stable id; return (inserted, updated)."""
    await conn.execute(
        "CREATE TEMP TABLE heritage_import (LIKE heritage_item INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    await conn.copy_records_to_table(
        "heritage_import",
        records=(
            (
                i.id,
                i.category,
                i.name,
                i.commune_insee,
                i.lon,
                i.lat,
                i.external_ref,
                i.source,
                i.attributes,
            )
            for i in items
        ),
        columns=[
            "id",
            "category",
            "name",
            "commune_insee",
            "lon",
            "lat",
            "external_ref",
            "source",
            "attributes",
        ],
    )
    updated = await conn.execute(
        """
        UPDATE heritage_item h SET category = i.category, name = i.name,
            commune_insee = coalesce(i.commune_insee, h.commune_insee), lon = i.lon, lat = i.lat,
            attributes = i.attributes, updated_at = now()
        FROM heritage_import i WHERE h.id = i.id
        """
    )
    inserted = await conn.execute(
        """
        INSERT INTO heritage_item (id, category, name, commune_insee, lon, lat, external_ref,
                                   source, attributes)
        SELECT id, category, name, commune_insee, lon, lat, external_ref, source, attributes
        FROM heritage_import i WHERE NOT EXISTS (SELECT 1 FROM heritage_item h WHERE h.id = i.id)
        """
    )
    return int(inserted.split()[-1]), int(updated.split()[-1])


async def heritage_categories(conn: Connection) -> set[str]:
    """The slugs of the heritage typology."""
    return {r["slug"] for r in await conn.fetch("SELECT slug FROM heritage_category")}


async def sync_heritage_categories(
    conn: Connection, categories: list[tuple[str, str, str, str]]
) -> None:
    """Make the table match the typology of the heritage schema (slug, fr, en, it)."""
    await conn.executemany(
        """
        INSERT INTO heritage_category (slug, label_fr, label_en, label_it, position)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (slug) DO UPDATE SET label_fr = EXCLUDED.label_fr,
            label_en = EXCLUDED.label_en, label_it = EXCLUDED.label_it,
            position = EXCLUDED.position
        """,
        [(*category, position) for position, category in enumerate(categories)],
    )


REFERENCE_CHANNEL = "cairn_reference"
"""The NOTIFY channel on which an import tells running servers to reload the territory."""


async def load_territory(conn: Connection | asyncpg.Pool) -> Territory:
    """The territory from the imported communes, or from the bundled outlines if none."""
    rows = await conn.fetch("SELECT insee, name, geometry FROM commune ORDER BY insee")
    if rows:
        return Territory.from_communes(
            [(r["insee"], shape(r["geometry"])) for r in rows],
            {r["insee"]: r["name"] for r in rows},
        )
    return Territory.from_communes(bundled_communes(), bundled_commune_names())


async def listen_for_reference_changes(
    dsn: str, on_change: Callable[[], None]
) -> asyncpg.Connection:
    """A connection that calls `on_change` whenever an import commits; close it to stop."""
    listener = await asyncpg.connect(dsn)
    await listener.add_listener(REFERENCE_CHANNEL, lambda *_: on_change())
    return listener


async def announce_reference_change(conn: Connection) -> None:
    """Tell every running server to reload the territory (delivered when the import commits)."""
    await conn.execute(f"NOTIFY {REFERENCE_CHANNEL}")


async def commune_names(conn: Connection) -> dict[str, str]:
    """INSEE code → commune name (dwc:municipality in exports)."""
    return {r["insee"]: r["name"] for r in await conn.fetch("SELECT insee, name FROM commune")}
