"""Darwin Core Archive read back with python-dwca-reader, over HTTP and from the CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import asyncpg
from dwca.read import DwCAReader
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.records.projection import project_all
from tests.factories import observation_payload, signed
from tests.platform.test_cli import CAIRN

Client = AsyncTestClient[Litestar]
DWC = "http://rs.tdwg.org/dwc/terms/"


async def seed(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    records = {
        "gentian": observation_payload(data={"cd_nom": 99854, "count": 4}),
        "vulture": observation_payload(
            location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 5, "altitude_m": 2100},
            data={"cd_nom": 2852, "count": 1},
            comment="above the chapel",
        ),
        "oven": observation_payload(kind="heritage", data={"category": "bread_oven"}),
    }
    for payload in records.values():
        assert (
            await client.post("/api/v1/observations", json=payload, headers=await signed(client))
        ).status_code == 201
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    return {name: str(p["id"]) for name, p in records.items()}


def read_archive(path: Path) -> dict[str, dict[str, str]]:
    with DwCAReader(str(path)) as archive:
        assert archive.metadata is not None
        assert "Cairn" in archive.metadata.find("dataset/title").text
        assert archive.metadata.find("additionalMetadata/metadata/gbif/citation").text
        return {row.id: row.data for row in archive}


async def test_dwca_over_http_is_readable_and_generalised(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    ids = await seed(client, db)
    response = await client.get("/api/v1/exports/dwca")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    path = tmp_path / "export.zip"
    path.write_bytes(response.content)
    rows = read_archive(path)
    assert set(rows) == {f"urn:uuid:{ids['gentian']}", f"urn:uuid:{ids['vulture']}"}  # no heritage
    gentian = rows[f"urn:uuid:{ids['gentian']}"]
    assert gentian[DWC + "basisOfRecord"] == "HumanObservation"
    assert gentian[DWC + "taxonID"] == "99854"
    assert gentian[DWC + "individualCount"] == "4"
    assert gentian[DWC + "municipality"] == "Briançon"
    vulture = rows[f"urn:uuid:{ids['vulture']}"]
    assert "10kmL93E098N642" in vulture[DWC + "dataGeneralizations"]
    assert vulture[DWC + "informationWithheld"]
    assert vulture[DWC + "footprintWKT"].startswith("POLYGON")
    assert vulture[DWC + "minimumElevationInMeters"] == ""
    assert vulture[DWC + "occurrenceRemarks"] == ""
    assert not vulture[DWC + "decimalLatitude"].startswith("44.8986")


def test_cli_export_writes_the_same_archive(dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "cli.zip"
    result = subprocess.run(
        [CAIRN, "export-dwca", str(out)],
        env={**os.environ, "DATABASE_URL": dsn},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert read_archive(out) == {}  # a fresh database has nothing public yet
