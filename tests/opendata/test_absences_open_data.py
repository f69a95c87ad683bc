"""An absence in every open format: `occurrence_status` (JSON, GeoJSON, CSV, OGC) and Darwin
Core `occurrenceStatus`, read back by parsers; a filter for each; and the open aggregations
(counts, checklists) count presences only unless absences are asked for."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import asyncpg
from dwca.read import DwCAReader

from cairn.records.projection import project_all
from tests.factories import observation_payload, signed
from tests.world import Client, plain_taxon

DWC = "http://rs.tdwg.org/dwc/terms/"


async def seed(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    """A presence and an absence of the same taxon at the same place, and a heritage record."""
    taxon = plain_taxon()
    payloads = {
        "present": observation_payload(data={"cd_nom": taxon, "count": 2}),
        "absent": observation_payload(data={"cd_nom": taxon, "occurrence_status": "absent"}),
        "stated": observation_payload(data={"cd_nom": taxon, "occurrence_status": "present"}),
        "oven": observation_payload(kind="heritage", data={"category": "bread_oven"}),
    }
    for payload in payloads.values():
        answer = await client.post(
            "/api/v1/observations", json=payload, headers=await signed(client)
        )
        assert answer.status_code == 201, answer.text
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    return {name: payload["id"] for name, payload in payloads.items()}


EXPECTED = {"present": "present", "absent": "absent", "stated": "present", "oven": "present"}


async def test_json_geojson_and_csv_carry_each_records_status(
    client: Client, db: asyncpg.Connection
) -> None:
    ids = await seed(client, db)
    by_name = {value: key for key, value in ids.items()}
    items = (await client.get("/api/v1/observations")).json()["items"]
    assert {by_name[i["id"]]: i["occurrence_status"] for i in items} == EXPECTED
    absent = next(i for i in items if i["id"] == ids["absent"])
    assert "count" not in absent["attributes"] and "occurrence_status" not in absent["attributes"]
    one = (await client.get(f"/api/v1/observations/{ids['absent']}")).json()
    assert one["occurrence_status"] == "absent"
    features = (await client.get("/api/v1/observations?format=geojson")).json()["features"]
    assert {by_name[f["id"]]: f["properties"]["occurrence_status"] for f in features} == EXPECTED
    text = (await client.get("/api/v1/observations?format=csv")).text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {by_name[r["id"]]: r["occurrence_status"] for r in rows} == EXPECTED
    assert next(r for r in rows if r["id"] == ids["absent"])["count"] == ""


async def test_the_filter_gives_presences_or_absences(
    client: Client, db: asyncpg.Connection
) -> None:
    ids = await seed(client, db)
    for status in ("present", "absent"):
        for query in (f"/api/v1/observations?occurrence_status={status}",
                      f"/api/v1/observations?format=csv&occurrence_status={status}"):  # fmt: skip
            answer = await client.get(query)
            assert answer.status_code == 200, answer.text
        found = {
            i["id"]
            for i in (await client.get(f"/api/v1/observations?occurrence_status={status}")).json()[
                "items"
            ]
        }
        assert found == {ids[n] for n, s in EXPECTED.items() if s == status}
    bad = await client.get("/api/v1/observations?occurrence_status=maybe")
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")


async def test_counts_and_checklists_count_presences_unless_absences_are_asked(
    client: Client, db: asyncpg.Connection
) -> None:
    await seed(client, db)
    [entry] = (await client.get("/api/v1/stats/checklist")).json()["items"]
    assert (entry["cd_ref"], entry["observations"]) == (plain_taxon(), 2)  # not the absence
    [unit] = (await client.get("/api/v1/stats/counts?by=commune")).json()["items"]
    assert (unit["observations"], unit["taxa"]) == (3, 1)  # two presences and the oven
    [absent] = (await client.get("/api/v1/stats/checklist?occurrence_status=absent")).json()[
        "items"
    ]
    assert (absent["cd_ref"], absent["observations"]) == (plain_taxon(), 1)
    [unit] = (await client.get("/api/v1/stats/counts?by=commune&occurrence_status=absent")).json()[
        "items"
    ]
    assert (unit["observations"], unit["taxa"]) == (1, 1)


async def test_ogc_items_carry_and_filter_the_status(
    client: Client, db: asyncpg.Connection
) -> None:
    ids = await seed(client, db)
    page = (await client.get("/ogc/collections/observations/items")).json()
    assert {f["id"]: f["properties"]["occurrence_status"] for f in page["features"]} == {
        ids[name]: status for name, status in EXPECTED.items()
    }
    absences = (
        await client.get("/ogc/collections/observations/items?occurrence_status=absent")
    ).json()
    assert [f["id"] for f in absences["features"]] == [ids["absent"]]
    queryables = (await client.get("/ogc/collections/observations/queryables")).json()
    assert queryables["properties"]["occurrence_status"]["enum"] == ["present", "absent"]


async def test_the_archive_says_absent_where_recorded(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    ids = await seed(client, db)
    path = tmp_path / "dwca.zip"
    path.write_bytes((await client.get("/api/v1/exports/dwca")).content)
    with DwCAReader(str(path)) as archive:
        rows = {row.id: row.data for row in archive}
    statuses = {key: row[DWC + "occurrenceStatus"] for key, row in rows.items()}
    assert statuses == {
        f"urn:uuid:{ids['present']}": "present",
        f"urn:uuid:{ids['absent']}": "absent",
        f"urn:uuid:{ids['stated']}": "present",
    }  # the heritage record is no occurrence
    absent = rows[f"urn:uuid:{ids['absent']}"]
    assert absent[DWC + "individualCount"] == ""
    assert (
        await db.fetchval(
            "SELECT occurrence_status FROM public_observation WHERE id = $1",
            uuid.UUID(ids["absent"]),
        )
        == "absent"
    )
