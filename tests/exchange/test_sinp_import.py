"""Past records come in: checked like an intake, all of the file or nothing, idempotent."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.cli import cli
from cairn.core.db import database_dsn, ensure_database, init_connection, quote_ident
from cairn.settings import Settings
from tests.conftest import TEMPLATE
from tests.exchange.test_sinp_export import EXPORT, rows_of
from tests.exchange.test_sinp_export import world as world  # noqa: PLC0414 (the fixture)
from tests.world import Client, add_staff, plain_taxon, sign_in

FILES = Path(__file__).parent / "files"
IMPORTS = "/api/v1/programmes/default/imports"
JDD = "5b0fb1e8-4e39-4b36-9c61-2b5a4e0a6d3f"


class Cairn:
    """Another Cairn on its own fresh database, with a signed-in platform admin."""

    def __init__(self, client: Client, db: asyncpg.Connection, admin: dict[str, str]) -> None:
        self.client, self.db, self.admin = client, db, admin


@pytest.fixture
async def empty_cairn(admin_dsn: str, template_dsn: str, tmp_path: Path) -> AsyncIterator[Cairn]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    await ensure_database(admin_dsn, name, TEMPLATE)
    dsn = database_dsn(admin_dsn, name)
    settings = Settings.from_env({"CAIRN_DATA_DIR": str(tmp_path / "other")})
    db = await asyncpg.connect(dsn)
    await init_connection(db)
    try:
        async with AsyncTestClient(app=create_app(settings, dsn)) as client:
            await add_staff(db, "root@parc.fr", "admin")
            yield Cairn(client, db, await sign_in(client, "root@parc.fr"))
    finally:
        await db.close()
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
        finally:
            await admin.close()


async def post_file(
    client: Client, headers: dict[str, str], content: bytes, fmt: str = "sinp", **params: str
) -> dict[str, Any]:
    answer = await client.post(
        IMPORTS,
        params={"format": fmt, "file_name": "export.csv", **params},
        content=content,
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def same_jdd(client: Client, headers: dict[str, str]) -> None:
    """The park registered the programme with the INPN: both Cairns name that JDD."""
    answer = await client.patch(
        "/api/v1/programmes/default/dataset",
        json={"expected_version": 1, "sinp_jdd_uuid": JDD},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text


async def test_a_round_trip_gives_the_same_rows_and_a_second_import_changes_nothing(
    client: Client, world: dict[str, Any], empty_cairn: Cairn
) -> None:
    await same_jdd(client, world["admin"])
    await same_jdd(empty_cairn.client, empty_cairn.admin)
    exported = (await client.get(EXPORT, headers=world["admin"])).text
    report = await post_file(empty_cairn.client, empty_cairn.admin, exported.encode())
    assert report["loaded"] is True, report["refused"]
    assert (report["created"], report["corrected"], report["unchanged"]) == (3, 0, 0)
    again = (await empty_cairn.client.get(EXPORT, headers=empty_cairn.admin)).text
    assert again == exported

    events = await empty_cairn.db.fetchval("SELECT count(*) FROM observation_event")
    versions = await empty_cairn.db.fetch("SELECT id, version, updated_at FROM observation")
    second = await post_file(empty_cairn.client, empty_cairn.admin, exported.encode())
    assert (second["loaded"], second["created"], second["corrected"], second["unchanged"]) == (
        True, 0, 0, 3,
    )  # fmt: skip
    assert await empty_cairn.db.fetchval("SELECT count(*) FROM observation_event") == events
    assert await empty_cairn.db.fetch("SELECT id, version, updated_at FROM observation") == versions

    # Importing its own export into the same Cairn is no change either.
    into_itself = await post_file(client, world["admin"], exported.encode())
    assert (into_itself["created"], into_itself["corrected"], into_itself["unchanged"]) == (0, 0, 3)


async def test_the_open_data_of_imported_records_is_the_policys(
    client: Client, world: dict[str, Any], empty_cairn: Cairn
) -> None:
    exported = (await client.get(EXPORT, headers=world["admin"])).text
    await post_file(empty_cairn.client, empty_cairn.admin, exported.encode())
    public = await empty_cairn.client.get(
        "/api/v1/observations", params={"format": "json", "limit": 100}
    )
    items = {item["id"]: item for item in public.json()["items"]}
    assert set(items) == {world["ids"]["counted"]}  # the only validated one
    original = (await client.get(f"/api/v1/observations/{world['ids']['counted']}")).json()
    imported = items[world["ids"]["counted"]]
    for field in ("taxon", "observed_at", "status", "generalisation"):
        assert imported[field] == original[field], field
    # The SINP file carries whole metres: 12.4 m came back as 12 m.
    assert imported["location"] == {**original["location"], "uncertainty_m": 12.0}
    assert imported["observer"] is None  # an imported observer is not a Cairn pseudonym


async def test_a_changed_row_is_a_correction_in_the_history(
    client: Client, world: dict[str, Any], db: asyncpg.Connection
) -> None:
    exported = (await client.get(EXPORT, headers=world["admin"])).text
    rows = rows_of(exported)
    target = next(r for r in rows if r["uuid_perm_sinp"] == world["ids"]["estimated"])
    target["niveau_validation"] = "2"
    target["validateur"] = "Parc des Écrins"
    target["nombre_min"] = target["nombre_max"] = "7"
    target["type_denombrement"] = "Co"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    report = await post_file(client, world["admin"], buffer.getvalue().encode())
    assert (report["created"], report["corrected"], report["unchanged"]) == (0, 1, 2)
    record = await db.fetchrow(
        "SELECT status, data FROM observation WHERE id = $1", uuid.UUID(target["uuid_perm_sinp"])
    )
    assert record["status"] == "probable"
    assert record["data"]["count"] == 7
    history = (
        await client.get(
            f"/api/v1/observations/{target['uuid_perm_sinp']}/history", headers=world["admin"]
        )
    ).json()
    last = history["events"][-1] if isinstance(history, dict) else history[-1]
    assert last["action"] == "import_correction"
    assert "export.csv" in last["comment"]
    after = rows_of((await client.get(EXPORT, headers=world["admin"])).text)
    changed = next(r for r in after if r["uuid_perm_sinp"] == target["uuid_perm_sinp"])
    assert (changed["niveau_validation"], changed["validateur"], changed["nombre_min"]) == (
        "2", "Parc des Écrins", "7",
    )  # fmt: skip


async def test_geonatures_own_valid_file_loads(client: Client, admin: dict[str, str]) -> None:
    content = (FILES / "geonature_valid_file.csv").read_bytes()
    report = await post_file(client, admin, content, file_name="valid_file.csv")
    assert report["refused"] == []
    assert (report["loaded"], report["rows"], report["created"]) == (True, 2, 2)
    again = await post_file(client, admin, content, file_name="valid_file.csv")
    assert (again["created"], again["unchanged"]) == (0, 2)
    exported = rows_of((await client.get(EXPORT, headers=admin)).text)
    lynx = next(r for r in exported if r["cd_nom"] == "60612")
    assert (lynx["date_debut"], lynx["heure_debut"], lynx["nombre_min"]) == (
        "2017-01-01", "12:05:02", "5",
    )  # fmt: skip
    assert (lynx["stade_vie"], lynx["sexe"], lynx["niveau_validation"]) == ("2", "2", "0")
    assert (lynx["observateurs"], lynx["geometrie_wkt_4326"]) == ("import user", "POINT(6.5 44.85)")


def hostile_file() -> bytes:
    header = (
        "uuid_perm_sinp;date_debut;heure_debut;cd_nom;nom_cite;geometrie_wkt_4326;"
        "precision_geographique"
    )
    taxon = plain_taxon()
    lines = [
        header,
        f"{uuid.uuid4()};2024-05-01;10:00:00;{taxon};ok;POINT(6.6433 44.8986);10",
        f"not-a-uuid;2024-05-01;10:00:00;{taxon};bad id;POINT(6.6433 44.8986);10",
        f"{uuid.uuid4()};2024-05-01;10:00:00;99999999;Bestia inventata;POINT(6.6433 44.8986);10",
        f"{uuid.uuid4()};2099-05-01;10:00:00;{taxon};future;POINT(6.6433 44.8986);10",
        f"{uuid.uuid4()};2024-05-01;10:00:00;{taxon};Paris;POINT(2.3522 48.8566);10",
    ]
    return ("\n".join(lines) + "\n").encode()


async def test_a_hostile_file_is_refused_whole_with_every_reason(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM observation")
    report = await post_file(client, admin, hostile_file())
    assert report["loaded"] is False
    assert report["created"] == 0
    refused = {(r["line"], r["field"]) for r in report["refused"]}
    assert (3, "uuid_perm_sinp") in refused
    assert (4, "cd_nom") in refused
    assert (5, "date_debut") in refused
    assert (6, "geometrie_wkt_4326") in refused
    assert not any(r["line"] == 2 for r in report["refused"])
    unknown = next(r for r in report["refused"] if r["line"] == 4)
    assert "Bestia inventata" in unknown["detail"]
    future = next(r for r in report["refused"] if r["line"] == 5)
    assert future["code"] == "in_future"
    assert await db.fetchval("SELECT count(*) FROM observation") == before
    assert (
        await db.fetchval("SELECT count(*) FROM staff_audit WHERE action = 'observations_import'")
        == 0
    )


async def test_a_one_gigabyte_line_is_refused_after_a_megabyte(
    dsn: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"uuid_perm_sinp;date_debut;cd_nom\n")
        handle.truncate(2**30)  # a sparse gigabyte: one line of NUL bytes, no line break
    before = await db.fetchval("SELECT count(*) FROM observation")
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["import-observations", str(path), "--programme", "default", "--format", "sinp"],
        env={"DATABASE_URL": dsn},
    )
    assert result.exit_code != 0
    assert "line 2, file: the line is longer than 1,000,000 bytes" in result.output
    assert "nothing imported" in result.output
    assert await db.fetchval("SELECT count(*) FROM observation") == before


async def test_the_command_line_imports_as_the_api_does(
    dsn: str, db: asyncpg.Connection, tmp_path: Path
) -> None:
    path = tmp_path / "valid_file.csv"
    path.write_bytes((FILES / "geonature_valid_file.csv").read_bytes())
    command = ["import-observations", str(path), "--programme", "default", "--format", "sinp"]
    first = await asyncio.to_thread(CliRunner().invoke, cli, command, env={"DATABASE_URL": dsn})
    assert first.exit_code == 0, first.output
    assert "2 created, 0 corrected, 0 unchanged" in first.output
    second = await asyncio.to_thread(CliRunner().invoke, cli, command, env={"DATABASE_URL": dsn})
    assert "0 created, 0 corrected, 2 unchanged" in second.output
    history = await db.fetch(
        "SELECT actor_kind, action, comment FROM observation_event WHERE action = 'import'"
    )
    assert len(history) == 2
    assert all(e["actor_kind"] == "system" and "valid_file.csv" in e["comment"] for e in history)


async def test_only_the_programmes_admins_import(
    client: Client, db: asyncpg.Connection, world: dict[str, Any]
) -> None:
    await add_staff(db, "ailleurs@petr.fr", "admin", programme="demo")
    elsewhere = await sign_in(client, "ailleurs@petr.fr")
    content = (FILES / "geonature_valid_file.csv").read_bytes()
    for headers, status in ((world["moderator"], 403), (elsewhere, 404), ({}, 401)):
        answer = await client.post(
            IMPORTS, params={"format": "sinp"}, content=content, headers=headers
        )
        assert answer.status_code == status, answer.text
    report = await post_file(client, world["admin"], content)
    assert report["created"] == 2
    entry = await db.fetchrow(
        """SELECT a.subject, a.after, u.email FROM staff_audit a JOIN staff_user u
             ON u.id = a.actor_id WHERE action = 'observations_import'"""
    )
    assert (entry["subject"], entry["email"], entry["after"]["created"]) == (
        "default", "chef@petr.fr", 2,
    )  # fmt: skip


async def test_a_darwin_core_occurrence_file_loads(client: Client, admin: dict[str, str]) -> None:
    taxon = plain_taxon()
    lines = [
        "occurrenceID\teventDate\tdecimalLatitude\tdecimalLongitude\t"
        "coordinateUncertaintyInMeters\ttaxonID\tscientificName\tindividualCount\t"
        "recordedBy\tlicense\tlifeStage",
        f"obs-1\t2023-06-01T08:15:00+02:00\t44.8986\t6.6433\t25\t{taxon}\tX\t2\tLéa\t"
        "http://creativecommons.org/publicdomain/zero/1.0/legalcode\tadult",
        f"urn:uuid:{uuid.uuid4()}\t2023-06-02\t44.9\t6.62\t100\t{taxon}\tX\t\t\t\t",
        "obs-3\t2023-06-02\t44.9\t6.62\t100\t\tUnknownus nobodyi\t\t\t\t",
    ]
    content = ("\n".join(lines) + "\n").encode()
    refused = await post_file(client, admin, content, fmt="dwc")
    assert [(r["line"], r["field"], r["code"]) for r in refused["refused"]] == [
        (4, "taxonID", "unknown_taxon")
    ]
    assert "Unknownus nobodyi" in refused["refused"][0]["detail"]
    content = ("\n".join(lines[:3]) + "\n").encode()
    report = await post_file(client, admin, content, fmt="dwc")
    assert (report["loaded"], report["created"]) == (True, 2)
    again = await post_file(client, admin, content, fmt="dwc")
    assert (again["created"], again["unchanged"]) == (0, 2)
    rows = rows_of((await client.get(EXPORT, headers=admin)).text)
    first = next(r for r in rows if r["observateurs"] == "Léa")
    assert (first["date_debut"], first["heure_debut"], first["stade_vie"]) == (
        "2023-06-01", "08:15:00", "2",
    )  # fmt: skip
