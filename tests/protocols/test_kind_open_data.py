"""A programme kind's fields reach researchers: JSON, GeoJSON, CSV, OGC queryables, DwC-A MoF."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import asyncpg
from dwca.read import DwCAReader

from tests.factories import observation_payload, signed
from tests.protocols.examples import (
    COMMON_TOAD,
    amphibian_crossing,
    labels,
    programme_admin,
    publish_kind,
)
from tests.world import Client, add_staff, load_taxa, sign_in

DWC = "http://rs.tdwg.org/dwc/terms/"

WITH_UNIT_AND_NOTES = amphibian_crossing(
    properties={
        **amphibian_crossing()["properties"],
        "water_temperature": {
            "type": "number",
            "minimum": -5,
            "maximum": 40,
            "x-unit": "°C",
            "title": "Température de l'eau",
            "x-i18n": labels("Température de l'eau", "Water temperature", "Temperatura dell'acqua"),
        },
        "notes": {
            "type": "string",
            "maxLength": 500,
            "title": "Notes",
            "x-i18n": labels("Notes", "Notes", "Note"),
        },
    }
)


async def validated_crossing(client: Client, db: asyncpg.Connection) -> str:
    """Publish the kind, record one crossing, and have a moderator validate it."""
    await load_taxa(db, [COMMON_TOAD])
    admin = await programme_admin(client, db, "default")
    await publish_kind(client, admin, "default", "amphibian_crossing", WITH_UNIT_AND_NOTES)
    payload = observation_payload(
        kind="amphibian_crossing",
        data={
            "cd_nom": COMMON_TOAD,
            "alive": 12,
            "crushed": True,
            "crushed_count": 3,
            "water_temperature": 7.5,
            "notes": "by the second lamp post after the bridge",
        },
    )
    sent = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert sent.status_code == 201, sent.text
    await add_staff(db, "mod@petr.fr", "moderator", programme="default")
    moderator = await sign_in(client, "mod@petr.fr")
    decided = await client.post(
        f"/api/v1/observations/{payload['id']}/reviews",
        json={"status": "certain", "expected_version": 1},
        headers=moderator,
    )
    assert decided.status_code == 200, decided.text
    return str(payload["id"])


async def test_fields_in_json_csv_and_queryables(client: Client, db: asyncpg.Connection) -> None:
    record_id = await validated_crossing(client, db)
    [record] = (await client.get("/api/v1/observations?kind=amphibian_crossing")).json()["items"]
    assert record["id"] == record_id
    assert record["schema_version"] == 1
    assert record["taxon"]["cd_ref"] == COMMON_TOAD
    # Free text stays out of open data, as for the bundled kinds.
    assert record["attributes"] == {
        "alive": 12,
        "crushed": True,
        "crushed_count": 3,
        "water_temperature": 7.5,
    }
    geojson = (await client.get("/api/v1/observations?format=geojson")).json()
    assert geojson["features"][0]["properties"]["attributes"]["alive"] == 12

    text = (await client.get("/api/v1/observations?format=csv&programme=default")).text
    [row] = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["amphibian_crossing.alive"] == "12"
    assert row["amphibian_crossing.crushed"] == "true"
    assert row["amphibian_crossing.crushed_count"] == "3"
    assert row["amphibian_crossing.water_temperature"] == "7.5"
    assert "amphibian_crossing.notes" not in row
    assert "amphibian_crossing.cd_nom" not in row  # the taxon has its own columns
    assert row["taxon_cd_ref"] == str(COMMON_TOAD)

    queryables = await client.get("/ogc/collections/observations/queryables")
    assert queryables.status_code == 200
    assert queryables.headers["content-type"].startswith("application/schema+json")
    properties = queryables.json()["properties"]
    assert properties["amphibian_crossing.water_temperature"] == {
        "title": "Water temperature",
        "type": "number",
        "x-unit": "°C",
    }
    assert properties["amphibian_crossing.crushed"]["type"] == "boolean"


async def test_dwca_measurement_or_fact_extension(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    record_id = await validated_crossing(client, db)
    archive = tmp_path / "dwca.zip"
    archive.write_bytes((await client.get("/api/v1/exports/dwca")).content)
    with DwCAReader(str(archive)) as reader:
        [core] = list(reader)
        assert core.id == f"urn:uuid:{record_id}"
        assert core.data[DWC + "scientificName"]
        rows = [
            e.data
            for e in core.extensions
            if e.rowtype == "http://rs.tdwg.org/dwc/terms/MeasurementOrFact"
        ]
    measured = {
        r[DWC + "measurementType"]: (r[DWC + "measurementValue"], r[DWC + "measurementUnit"])
        for r in rows
    }
    assert measured == {
        "Alive": ("12", ""),
        "Crushed ones found": ("true", ""),
        "Crushed": ("3", ""),
        "Water temperature": ("7.5", "°C"),
    }
    remarks = {r[DWC + "measurementRemarks"] for r in rows}
    assert "Cairn kind amphibian_crossing v1, field water_temperature" in remarks
