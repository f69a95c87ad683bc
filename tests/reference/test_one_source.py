"""Communes come from the database, and a running server follows an import at once.

Before, widgets and the OGC extent read the bundled files while open data read
the database: after `cairn import-communes` they disagreed until a restart.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.core.db import init_connection
from cairn.reference.files import reference_file
from cairn.reference.importers import import_communes, import_taxa

BRIANCON = "05023"
OPTION = re.compile(r'<option value="(?P<insee>\d{5})"[^>]*>(?P<name>[^<]*)</option>')


async def builder_communes(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    page = await client.get("/widgets", params={"widget": "species-of-the-month"})
    assert page.status_code == 200
    return {m["insee"]: m["name"] for m in OPTION.finditer(page.text)}


async def test_a_commune_import_reaches_the_running_server(
    client: AsyncTestClient[Litestar], dsn: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    stored = {r["insee"]: r["name"] for r in await db.fetch("SELECT insee, name FROM commune")}
    assert await builder_communes(client) == stored, "the widget builder lists the database's"
    extent = (await client.get("/ogc/collections/observations")).json()["extent"]["spatial"]
    bounds = await db.fetchrow(
        "SELECT min(min_lon) w, min(min_lat) s, max(max_lon) e, max(max_lat) n FROM commune"
    )
    assert bounds is not None
    assert extent["bbox"][0] == [bounds["w"], bounds["s"], bounds["e"], bounds["n"]]

    renamed = json.loads(reference_file("petr_communes.geojson").read_text("utf-8"))
    [feature] = [f for f in renamed["features"] if f["properties"]["insee"] == BRIANCON]
    feature["properties"]["name"] = "Briançon (renamed by the test)"
    source = tmp_path / "communes.geojson"
    source.write_text(json.dumps(renamed), "utf-8")
    importer = await asyncpg.connect(dsn)  # the CLI's own connection, not the app's
    try:
        await init_connection(importer)
        async with importer.transaction():
            await import_communes(importer, source)
    finally:
        await importer.close()

    for _ in range(200):  # the NOTIFY arrives within milliseconds; give it up to 20 s
        if (await builder_communes(client)).get(BRIANCON) == "Briançon (renamed by the test)":
            break
        await asyncio.sleep(0.1)
    assert (await builder_communes(client))[BRIANCON] == "Briançon (renamed by the test)"


async def test_a_taxa_import_reaches_the_open_data_filter(
    client: AsyncTestClient[Litestar], dsn: str, db: asyncpg.Connection
) -> None:
    """The taxon filter's look-up is held in the process, and emptied when an import commits."""
    gentian = 99854  # Gentiana acaulis, in the park's list
    await db.execute("DELETE FROM taxon WHERE cd_nom = $1", gentian)
    missing = await client.get("/api/v1/observations", params={"taxon": gentian})
    assert missing.status_code == 400
    assert [e["code"] for e in missing.json()["errors"]] == ["unknown_taxon"]
    still = await client.get("/api/v1/observations", params={"taxon": gentian})
    assert still.status_code == 400, "remembered as unknown until an import says otherwise"

    importer = await asyncpg.connect(dsn)
    try:
        await init_connection(importer)
        async with importer.transaction():
            await import_taxa(importer, reference_file("taxa_pne.csv"))
    finally:
        await importer.close()
    for _ in range(200):  # the NOTIFY arrives within milliseconds; give it up to 20 s
        if (await client.get("/api/v1/observations", params={"taxon": gentian})).is_success:
            break
        await asyncio.sleep(0.1)
    found = await client.get("/api/v1/observations", params={"taxon": gentian})
    assert found.status_code == 200, found.text
