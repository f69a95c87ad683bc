"""A programme's Darwin Core Archive is one publishable GBIF dataset: one licence, its metadata."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import asyncpg
from defusedxml import ElementTree
from dwca.read import DwCAReader
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.records.projection import project_all
from cairn.records.vocabulary import LICENCE_URIS
from cairn.settings import Settings
from tests.factories import observation_payload, signed
from tests.world import Client, plain_taxon, sensitive_taxon

DWC = "http://rs.tdwg.org/dwc/terms/"
ARCHIVE = "/api/v1/exports/dwca?programme=default"


async def seed(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    """Validated records under every licence, one of a sensitive taxon, one heritage."""
    ids = {}
    for name, licence, cd_nom in (
        ("cc0", "CC0-1.0", plain_taxon()),
        ("by", "CC-BY-4.0", plain_taxon()),
        ("nc", "CC-BY-NC-4.0", plain_taxon()),
        ("etalab", "etalab-2.0", plain_taxon()),
        ("sensitive", "CC-BY-4.0", sensitive_taxon()),
    ):
        payload = observation_payload(licence=licence, data={"cd_nom": cd_nom, "count": 2})
        answer = await client.post(
            "/api/v1/observations", json=payload, headers=await signed(client)
        )
        assert answer.status_code == 201, answer.text
        ids[name] = payload["id"]
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    return ids


def read(content: bytes, tmp_path: Path) -> tuple[dict[str, dict[str, str]], Element]:
    path = tmp_path / f"{uuid.uuid4()}.zip"
    path.write_bytes(content)
    with DwCAReader(str(path)) as reader:
        rows = {row.id: row.data for row in reader}
    eml = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("eml.xml"))
    return rows, eml


async def test_a_programme_archive_carries_only_what_its_licence_allows(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    ids = await seed(client, db)
    answer = await client.get(ARCHIVE)
    assert answer.status_code == 200
    rows, eml = read(answer.content, tmp_path)
    assert set(rows) == {f"urn:uuid:{ids[n]}" for n in ("cc0", "by", "sensitive")}
    licences = {row["http://purl.org/dc/terms/license"] for row in rows.values()}
    assert licences == {LICENCE_URIS["CC0-1.0"], LICENCE_URIS["CC-BY-4.0"]}

    rights = eml.find("dataset/intellectualRights")
    assert rights is not None
    link = rights.find("para/ulink")
    assert link is not None
    assert link.get("url") == "http://creativecommons.org/licenses/by/4.0/legalcode"
    assert link.findtext("citetitle") == "Creative Commons Attribution (CC-BY) 4.0 License"
    abstract = " ".join(p.text or "" for p in eml.iterfind("dataset/abstract/para"))
    assert "2 validated records of this programme are left out" in abstract
    assert "1 under CC-BY-NC-4.0, more restrictive than the dataset's CC-BY-4.0" in abstract
    assert "1 under etalab-2.0, not a licence GBIF accepts" in abstract

    dataset = await db.fetchrow("SELECT * FROM dataset WHERE programme = 'default'")
    package = eml.get("packageId") or ""
    assert package.startswith(f"{dataset['id']}/")
    assert [e.text for e in eml.iterfind("dataset/alternateIdentifier")] == [str(dataset["id"])]
    assert eml.findtext("dataset/title") == dataset["title"]
    for party in ("creator", "contact", "metadataProvider"):
        assert eml.findtext(f"dataset/{party}/organizationName") == dataset["producer"]


async def test_dates_and_places_come_from_the_record_and_its_commune(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    ids = await seed(client, db)
    rows, _ = read((await client.get(ARCHIVE)).content, tmp_path)
    precise, sensitive = rows[f"urn:uuid:{ids['by']}"], rows[f"urn:uuid:{ids['sensitive']}"]
    assert precise[DWC + "eventDate"] == "2026-07-14T09:32:00+02:00"
    assert sensitive[DWC + "eventDate"] == "2026-07-14"  # a day, not an instant at midnight
    for row in (precise, sensitive):
        assert row[DWC + "countryCode"] == "FR"
        assert row[DWC + "stateProvince"] == "Provence-Alpes-Côte d'Azur"
        assert row[DWC + "county"] == "Hautes-Alpes"
        assert row[DWC + "occurrenceStatus"] == "present"
    assert precise[DWC + "municipality"] == "Briançon"
    assert sensitive[DWC + "municipality"] == ""  # generalised to the 10 km cell
    # The facts are the reference table's, not literals: change them and the archive follows.
    await db.execute("UPDATE departement SET region_name = 'Région test' WHERE code = '05'")
    rows, _ = read((await client.get(ARCHIVE)).content, tmp_path)
    assert {row[DWC + "stateProvince"] for row in rows.values()} == {"Région test"}


async def test_the_package_version_follows_the_content_and_the_dataset_licence(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    ids = await seed(client, db)
    first = read((await client.get(ARCHIVE)).content, tmp_path)[1].get("packageId")
    again = read((await client.get(ARCHIVE)).content, tmp_path)[1].get("packageId")
    assert first == again
    await db.execute(
        "UPDATE observation SET status = 'probable' WHERE id = $1", uuid.UUID(ids["by"])
    )
    await project_all(db)
    changed = read((await client.get(ARCHIVE)).content, tmp_path)[1].get("packageId")
    assert changed != first
    assert (changed or "").split("/")[0] == (first or "").split("/")[0]

    await db.execute("UPDATE dataset SET gbif_licence = 'CC0-1.0' WHERE programme = 'default'")
    rows, eml = read((await client.get(ARCHIVE)).content, tmp_path)
    assert set(rows) == {f"urn:uuid:{ids['cc0']}"}
    link = eml.find("dataset/intellectualRights/para/ulink")
    assert link is not None
    assert link.get("url") == LICENCE_URIS["CC0-1.0"]
    abstract = " ".join(p.text or "" for p in eml.iterfind("dataset/abstract/para"))
    assert "4 validated records" in abstract


async def test_the_deployment_names_its_title_and_coverage(
    dsn: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {
            "CAIRN_DATA_DIR": str(tmp_path / "data"),
            "CAIRN_DEPLOYMENT_TITLE": "Observations du Queyras",
            "CAIRN_COVERAGE": "Queyras (Hautes-Alpes, France)",
        }
    )
    async with AsyncTestClient(app=create_app(settings, dsn)) as client:
        await seed(client, db)
        rows, eml = read((await client.get("/api/v1/exports/dwca")).content, tmp_path)
        landing: dict[str, Any] = (await client.get("/ogc")).json()
    assert len(rows) == 5  # the whole open data: every record keeps its own licence
    assert eml.findtext("dataset/title") == "Observations du Queyras"
    assert eml.findtext("dataset/coverage/geographicCoverage/geographicDescription") == (
        "Queyras (Hautes-Alpes, France)"
    )
    assert "Each record carries its own licence" in (
        eml.findtext("dataset/intellectualRights/para") or ""
    )
    assert landing["title"] == "Observations du Queyras (OGC API - Features)"
    assert "Queyras (Hautes-Alpes, France)" in landing["description"]
