"""Importers on the real files: idempotent, all-or-nothing, clear about bad lines."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from pathlib import Path

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.db import init_connection
from cairn.reference.files import reference_file
from cairn.reference.importers import import_communes, import_heritage, import_taxa
from cairn.reference.taxa import TaxonFormatError
from tests.platform.test_cli import CAIRN

TAXA = reference_file("taxa_pne.csv")


async def counts(db: asyncpg.Connection) -> tuple[int, int]:
    return (
        int(await db.fetchval("SELECT count(*) FROM taxon")),
        int(await db.fetchval("SELECT count(*) FROM commune")),
    )


async def test_reimporting_the_real_files_changes_nothing(db: asyncpg.Connection) -> None:
    before = await counts(db)
    assert before[0] > 6000 and before[1] == 36  # the template already holds them
    async with db.transaction():
        taxa = await import_taxa(db, TAXA)
        communes = await import_communes(
            db, reference_file("petr_communes.geojson"), reference_file("petr_communes.csv")
        )
    assert taxa.inserted == 0 and taxa.updated == before[0]
    assert communes.inserted == 0 and communes.updated == 36
    assert await counts(db) == before
    population = await db.fetchval("SELECT population FROM commune WHERE insee = '05023'")
    assert population is not None and population > 10_000  # Briançon, from the CSV


async def test_default_sensitivity_follows_the_park_flags(db: asyncpg.Connection) -> None:
    with TAXA.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["nom_pne"].strip()]
    sensitive = {
        int(r["cd_nom"])
        for r in rows
        if r["patrimonial"] == "oui" and r["protection_stricte"] == "oui"
    }
    stored = {
        r["cd_nom"] for r in await db.fetch("SELECT cd_nom FROM taxon WHERE sensitivity_level = 2")
    }
    assert stored == sensitive
    assert 2852 in stored  # the bearded vulture


async def test_a_malformed_line_is_named_and_nothing_is_written(
    db: asyncpg.Connection, tmp_path: Path
) -> None:
    lines = TAXA.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "taxa.csv"
    lines[40] = "notanumber" + lines[40][lines[40].index(",") :]
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = await db.fetchval("SELECT max(updated_at) FROM taxon")
    with pytest.raises(TaxonFormatError, match="line 41"):
        async with db.transaction():
            await import_taxa(db, broken)
    assert await db.fetchval("SELECT max(updated_at) FROM taxon") == before


def taxref_file(rows: list[dict[str, str]]) -> str:
    columns = [
        "CD_NOM",
        "CD_SUP",
        "CD_REF",
        "RANG",
        "LB_NOM",
        "LB_AUTEUR",
        "NOM_COMPLET",
        "NOM_VERN",
        "REGNE",
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# Synthetic trees (codes from 90 000 000 up, names "Synthetica …") test the path
# builder without pretending to be real TAXREF facts.
trees = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.lists(st.integers(min_value=0, max_value=n), min_size=n, max_size=n)
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trees)
async def test_taxref_paths_follow_cd_sup(dsn: str, tmp_path: Path, parents: list[int]) -> None:
    # Every example runs in a transaction that is rolled back, so sharing `dsn` is safe.
    # parents[i] = index of the parent of node i+1 among nodes 0..i, or itself for a root.
    base = 90_000_000
    rows = [
        {
            "CD_NOM": str(base),
            "CD_SUP": "",
            "CD_REF": str(base),
            "RANG": "KD",
            "LB_NOM": "Synthetica",
        }
    ]
    for index, parent in enumerate(parents, start=1):
        up = min(parent, index - 1)
        rows.append(
            {
                "CD_NOM": str(base + index),
                "CD_SUP": str(base + up),
                "CD_REF": str(base + index),
                "RANG": "ES",
                "LB_NOM": f"Synthetica nodus{index}",
            }
        )
    rows.append(
        {
            "CD_NOM": str(base + 999),
            "CD_SUP": "",
            "CD_REF": str(base + len(parents)),
            "RANG": "ES",
            "LB_NOM": "Synthetica synonyma",
        }
    )
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    try:
        tx = conn.transaction()
        await tx.start()
        try:
            path = tmp_path / "taxref.txt"
            path.write_text(taxref_file(rows), encoding="utf-8")
            await import_taxa(conn, path)
            stored = {
                r["cd_nom"]: r["path"]
                for r in await conn.fetch(
                    "SELECT cd_nom, path::text AS path FROM taxon WHERE cd_nom >= $1", base
                )
            }
        finally:
            await tx.rollback()
    finally:
        await conn.close()
    expected = {base: str(base)}
    for index, parent in enumerate(parents, start=1):
        expected[base + index] = f"{expected[base + min(parent, index - 1)]}.{base + index}"
    expected[base + 999] = None  # a synonym has no path of its own
    assert stored == expected


def test_cli_import_names_the_bad_line_and_exits_non_zero(dsn: str, tmp_path: Path) -> None:
    broken = tmp_path / "taxref.txt"
    broken.write_text("CD_NOM\tCD_REF\tLB_NOM\n12\tx\tSynthetica\n", encoding="utf-8")
    result = subprocess.run(
        [CAIRN, "import-taxa", str(broken)],
        env={**os.environ, "DATABASE_URL": dsn},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "line 2" in result.stderr and "CD_REF" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_import_heritage_is_idempotent(dsn: str, tmp_path: Path) -> None:
    items = tmp_path / "heritage.csv"
    # Synthetic test items (no real monument is described): points in Briançon's commune.
    items.write_text(
        "category,name,lon,lat,insee,ref\n"
        "sundial,Test sundial (synthetic),6.64,44.90,05023,TEST-1\n"
        "bread_oven,Test oven (synthetic),6.65,44.89,05023,\n",
        encoding="utf-8",
    )
    env = {**os.environ, "DATABASE_URL": dsn}
    outputs = [
        subprocess.run(
            [CAIRN, "import-heritage", str(items), "--source", "test-fixture"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert "2 added, 0 updated" in outputs[0]
    assert "0 added, 2 updated" in outputs[1]


async def test_heritage_with_an_unknown_category_is_refused(
    db: asyncpg.Connection, tmp_path: Path
) -> None:
    from cairn.reference.places import PlaceFormatError

    items = tmp_path / "heritage.csv"
    items.write_text("category,name,lon,lat\nufo_landing_pad,Nope,6.6,44.9\n", encoding="utf-8")
    with pytest.raises(PlaceFormatError, match="line 2"):
        async with db.transaction():
            await import_heritage(db, items, "test-fixture")
    assert await db.fetchval("SELECT count(*) FROM heritage_item") == 0
