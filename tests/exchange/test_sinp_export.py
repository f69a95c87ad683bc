"""The park's SINP export: GeoNature's shipped mappings load it as it is; staff only; audited."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner

from cairn.cli import cli
from cairn.exchange.model import NOMENCLATURE_COLUMNS, SINP_COLUMNS
from tests.exchange.geonature import load, shipped_codes
from tests.factories import new_device, observation_payload
from tests.world import Client, add_staff, plain_taxon, sensitive_taxon, sign_in

EXPORT = "/api/v1/programmes/default/exports/sinp"


async def _send(client: Client, headers: dict[str, str], **overrides: Any) -> str:
    body = observation_payload(
        location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 12.4, "altitude_m": 1326.0},
        data={"cd_nom": plain_taxon(), "count": 3},
        comment="three on the scree",
    )
    body.update(overrides)
    answer = await client.post("/api/v1/observations", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return str(body["id"])


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


@pytest.fixture
async def world(client: Client, db: asyncpg.Connection) -> dict[str, Any]:
    """Records of two contributors (one with a pseudonym), one decided by a moderator."""
    await add_staff(db, "chef@petr.fr", "admin", programme="default")
    await add_staff(db, "modo@petr.fr", "moderator", programme="default")
    admin = await sign_in(client, "chef@petr.fr")
    moderator = await sign_in(client, "modo@petr.fr")
    _, named = await new_device(client)
    assert (
        await client.put("/api/v1/me", json={"pseudonym": "Marmotte"}, headers=named)
    ).is_success
    _, anonymous = await new_device(client)
    counted = await _send(
        client,
        named,
        data={"cd_nom": plain_taxon(), "count": 3, "life_stage": "adult", "sex": "female"},
    )
    estimated = await _send(
        client,
        anonymous,
        observed_at="2026-06-02T18:05:09+02:00",
        data={"cd_nom": plain_taxon(), "abundance_class": "11_100", "behaviour": "dead"},
        location={"lon": 6.62, "lat": 44.9, "accuracy_m": 30},
        comment=None,
    )
    sensitive = await _send(client, anonymous, data={"cd_nom": sensitive_taxon()})
    heritage = await _send(
        client, anonymous, kind="heritage", data={"category": "sundial"}, comment=None
    )
    decided = await client.post(
        f"/api/v1/observations/{counted}/reviews",
        json={"status": "certain", "expected_version": 1, "comment": "Belle observation"},
        headers=moderator,
    )
    assert decided.status_code == 200, decided.text
    return {
        "admin": admin,
        "moderator": moderator,
        "named": named,
        "anonymous": anonymous,
        "ids": {"counted": counted, "estimated": estimated, "sensitive": sensitive},
        "heritage": heritage,
    }


async def test_the_file_holds_every_taxon_record_with_its_codes(
    client: Client, world: dict[str, Any], db: asyncpg.Connection
) -> None:
    answer = await client.get(EXPORT, headers=world["admin"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.text.split("\n", 1)[0] == ";".join(SINP_COLUMNS)
    rows = {row["uuid_perm_sinp"]: row for row in rows_of(answer.text)}
    ids = world["ids"]
    assert set(rows) == set(ids.values())  # the heritage record stays out
    dataset = str(await db.fetchval("SELECT id FROM dataset WHERE programme = 'default'"))
    assert {row["unique_dataset_id"] for row in rows.values()} == {dataset}

    counted = rows[ids["counted"]]
    assert (counted["date_debut"], counted["date_fin"]) == ("2026-07-14", "2026-07-14")
    assert (counted["heure_debut"], counted["heure_fin"]) == ("09:32:00", "09:32:00")
    assert counted["geometrie_wkt_4326"] == "POINT(6.6433 44.8986)"
    assert (counted["precision_geographique"], counted["alti_min"], counted["alti_max"]) == (
        "12", "1326", "1326",
    )  # fmt: skip
    assert (counted["nombre_min"], counted["nombre_max"]) == ("3", "3")
    assert (counted["objet_denombrement"], counted["type_denombrement"]) == ("IND", "Co")
    assert (counted["stade_vie"], counted["sexe"]) == ("2", "2")  # Adulte, Femelle
    assert counted["observateurs"] == "Marmotte"
    assert (counted["niveau_validation"], counted["validateur"]) == ("1", "modo")
    assert counted["comment_validation"] == "Belle observation"
    assert counted["date_validation"].startswith(datetime.now(UTC).date().isoformat()[:4])
    assert (counted["statut_observation"], counted["statut_source"]) == ("Pr", "Te")
    assert (counted["nature_objet_geo"], counted["preuve_existante"]) == ("St", "2")
    assert counted["nom_cite"] == await db.fetchval(
        "SELECT scientific_name FROM taxon WHERE cd_nom = $1", plain_taxon()
    )
    assert counted["comment_occurrence"] == "three on the scree"
    assert counted["champs_additionnels"] == '{"life_stage":"adult","sex":"female"}'

    estimated = rows[ids["estimated"]]
    assert estimated["observateurs"] == "Anonyme"
    assert (estimated["nombre_min"], estimated["nombre_max"]) == ("11", "100")
    assert estimated["type_denombrement"] == "Es"
    assert (estimated["etat_biologique"], estimated["comportement"]) == ("3", "0")  # found dead
    assert (estimated["heure_debut"], estimated["niveau_validation"]) == ("18:05:09", "0")
    assert (estimated["precision_geographique"], estimated["alti_min"]) == ("30", "")

    sensitive = rows[ids["sensitive"]]
    assert sensitive["niveau_sensibilite"] == "2"
    assert sensitive["niveau_precision_diffusion"] == "2"  # the 10 km cell
    assert sensitive["geometrie_wkt_4326"] == "POINT(6.6433 44.8986)"  # precise for the park
    assert counted["niveau_sensibilite"] == "0"
    assert counted["niveau_precision_diffusion"] == "5"  # Précise


async def test_every_nomenclature_cell_is_a_shipped_code(
    client: Client, world: dict[str, Any]
) -> None:
    codes = shipped_codes()
    text = (await client.get(EXPORT, headers=world["admin"])).text
    rows = rows_of(text)
    assert rows
    for row in rows:
        for column, sinp_type in NOMENCLATURE_COLUMNS.items():
            assert row[column] in codes[sinp_type], (column, row[column])


async def test_geonature_loads_the_file_with_its_shipped_mappings(
    client: Client, world: dict[str, Any]
) -> None:
    text = (await client.get(EXPORT, headers=world["admin"])).text
    rows, errors = load(text)
    assert errors == []
    assert len(rows) == 3
    assert {row["unique_id_sinp"] for row in rows} == set(world["ids"].values())
    assert all(row["id_nomenclature_valid_status"] in {"0", "1"} for row in rows)


async def test_only_programme_admins_and_platform_staff_export_and_each_export_is_audited(
    client: Client, world: dict[str, Any], db: asyncpg.Connection
) -> None:
    await add_staff(db, "viewer@petr.fr", "viewer", programme="default")
    await add_staff(db, "elsewhere@petr.fr", "admin", programme="demo")
    await add_staff(db, "platform@petr.fr", "viewer")
    viewer = await sign_in(client, "viewer@petr.fr")
    elsewhere = await sign_in(client, "elsewhere@petr.fr")
    platform = await sign_in(client, "platform@petr.fr")
    assert (await client.get(EXPORT)).status_code == 401
    assert (await client.get(EXPORT, headers=world["moderator"])).status_code == 403
    assert (await client.get(EXPORT, headers=viewer)).status_code == 403
    assert (await client.get(EXPORT, headers=elsewhere)).status_code == 404
    assert (await client.get(EXPORT, headers=platform)).status_code == 200
    assert (await client.get(EXPORT, headers=world["admin"])).status_code == 200
    entries = await db.fetch(
        """SELECT a.*, u.email FROM staff_audit a JOIN staff_user u ON u.id = a.actor_id
            WHERE action = 'sinp_export' ORDER BY a.id"""
    )
    assert [(e["email"], e["subject"], e["after"]["rows"]) for e in entries] == [
        ("platform@petr.fr", "default", 3),
        ("chef@petr.fr", "default", 3),
    ]
    bad = await client.get(EXPORT + "?updated_since=yesterday", headers=world["admin"])
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["pointer"] == "/query/updated_since"


async def test_incremental_exports_list_changes_and_what_to_delete(
    client: Client, world: dict[str, Any], db: asyncpg.Connection
) -> None:
    ids = world["ids"]
    since = await db.fetchval("SELECT now()")
    await asyncio.sleep(0)
    unchanged = await client.get(
        EXPORT, params={"updated_since": since.isoformat()}, headers=world["admin"]
    )
    assert rows_of(unchanged.text) == []
    withdrawn = await client.post(
        f"/api/v1/observations/{ids['estimated']}/withdraw",
        json={"expected_version": 1},
        headers=world["anonymous"],
    )
    assert withdrawn.status_code == 200, withdrawn.text
    decided = await client.post(
        f"/api/v1/observations/{ids['sensitive']}/reviews",
        json={"status": "probable", "expected_version": 1},
        headers=world["moderator"],
    )
    assert decided.status_code == 200
    erased = await client.delete(
        "/api/v1/me", params={"observations": "delete"}, headers=world["named"]
    )
    assert erased.status_code == 204, erased.text
    changed = await client.get(
        EXPORT, params={"updated_since": since.isoformat()}, headers=world["admin"]
    )
    assert [row["uuid_perm_sinp"] for row in rows_of(changed.text)] == [ids["sensitive"]]
    deletions = await client.get(
        EXPORT + "/deletions",
        params={"updated_since": since.isoformat()},
        headers=world["admin"],
    )
    assert deletions.status_code == 200
    gone = {row["uuid_perm_sinp"]: row["motif"] for row in rows_of(deletions.text)}
    assert gone == {ids["estimated"]: "withdrawn", ids["counted"]: "erased"}
    assert (
        await db.fetchval("SELECT count(*) FROM staff_audit WHERE action = 'sinp_deletions_export'")
        == 1
    )


async def test_the_command_line_writes_the_same_file(
    client: Client, world: dict[str, Any], dsn: str, tmp_path: Path
) -> None:
    out = tmp_path / "sinp.csv"
    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["export-sinp", "--programme", "default", str(out)],
        env={"DATABASE_URL": dsn},
    )
    assert result.exit_code == 0, result.output
    assert "3 records" in result.output
    assert out.read_text("utf-8") == (await client.get(EXPORT, headers=world["admin"])).text
    missing = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["export-sinp", "--programme", "nowhere", str(out)],
        env={"DATABASE_URL": dsn},
    )
    assert missing.exit_code != 0
    assert "no programme nowhere" in missing.output
