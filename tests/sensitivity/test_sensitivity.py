"""Sensitivity rules: the level of a record, and background re-projection after a change."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

from cairn.core.db import create_pool
from cairn.sensitivity import service as sensitivity_service
from cairn.sensitivity import store as sensitivity
from cairn.sensitivity.model import CompiledRule, in_period, level_for
from tests.world import (
    Client,
    load_taxa,
    plain_taxon,
    sensitive_taxon,
    submit,
    wait_for,
)

JULY = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[6.5, 44.8], [6.7, 44.8], [6.7, 44.9], [6.5, 44.9], [6.5, 44.8]]],
}


def test_the_highest_matching_rule_wins() -> None:
    rules = [
        CompiledRule(1, None, None),
        CompiledRule(3, box(6.5, 44.8, 6.7, 44.9), None),
        CompiledRule(4, None, ("03-01", "06-30")),
    ]
    assert level_for(rules, 6.6, 44.85, JULY) == 3
    assert level_for(rules, 6.9, 44.85, JULY) == 1
    assert level_for(rules, 6.9, 44.85, JULY.replace(month=4)) == 4
    assert level_for([], 6.6, 44.85, JULY) == 0


def test_periods_wrap_over_the_new_year_and_use_the_local_day() -> None:
    winter = ("11-15", "02-28")
    assert in_period("12-31", winter)
    assert in_period("01-10", winter)
    assert not in_period("07-01", winter)
    rule = [CompiledRule(2, None, ("07-15", "07-15"))]
    late_evening = datetime(2026, 7, 15, 23, 30, tzinfo=timezone(timedelta(hours=2)))
    assert level_for(rule, 6.6, 44.85, late_evening) == 2  # 21:30 UTC, still the 15th locally


days = st.dates(min_value=datetime(2024, 1, 1).date(), max_value=datetime(2024, 12, 31).date()).map(
    lambda d: d.strftime("%m-%d")
)


@given(start=days, end=days, day=days)
def test_a_period_and_its_complement_split_the_year(start: str, end: str, day: str) -> None:
    """Every day is in exactly one of [start, end] and the rest of the year (start ≠ end + 1)."""
    inside = in_period(day, (start, end))
    if start <= end:
        assert inside == (start <= day <= end)
    else:
        assert inside == (not (end < day < start))


async def test_a_new_rule_reprojects_the_records_of_its_taxon(
    client: Client, db: asyncpg.Connection, admin: dict[str, str]
) -> None:
    taxon = plain_taxon()
    await load_taxa(db, [taxon])
    inside = [
        await submit(client, location={"lon": 6.6, "lat": 44.85, "accuracy_m": 10})
        for _ in range(3)
    ]
    outside = await submit(client, location={"lon": 6.9, "lat": 44.7, "accuracy_m": 10})
    untouched = await submit(client)
    await db.execute(
        "UPDATE observation SET taxon_cd_nom = $2, taxon_cd_ref = $2, sensitivity_level = 0"
        " WHERE id = ANY($1)",
        [*inside, outside],
        taxon,
    )
    response = await client.post(
        "/api/v1/sensitivity/rules",
        json={"cd_ref": taxon, "level": 3, "area": SQUARE, "comment": "nesting area"},
        headers=admin,
    )
    assert response.status_code == 202, response.text
    job = await wait_for(client, admin, response.json()["job"]["id"])
    assert (job["state"], job["total"], job["done"], job["changed"]) == ("done", 4, 4, 3)
    levels = dict(await db.fetch("SELECT id, sensitivity_level FROM observation"))
    assert [levels[i] for i in inside] == [3, 3, 3]
    assert levels[outside] == 0
    assert levels[untouched] == 2  # the ibex, under the default rule since intake

    rule_id = response.json()["rule"]["id"]
    removed = await client.delete(f"/api/v1/sensitivity/rules/{rule_id}", headers=admin)
    assert removed.status_code == 202
    job = await wait_for(client, admin, removed.json()["job"]["id"])
    assert job["changed"] == 3
    assert (
        await db.fetchval(
            "SELECT max(sensitivity_level) FROM observation WHERE id = ANY($1)", [*inside, outside]
        )
        == 0
    )
    jobs = (await client.get("/api/v1/sensitivity/jobs", headers=admin)).json()
    assert [j["id"] for j in jobs][:2] == [
        removed.json()["job"]["id"],
        response.json()["job"]["id"],
    ]


async def test_a_job_works_in_small_batches(
    client: Client, db: asyncpg.Connection, dsn: str
) -> None:
    """Each batch commits by itself: progress is visible and locks are short."""
    taxon = plain_taxon()
    ids = [await submit(client) for _ in range(7)]
    await db.execute(
        "UPDATE observation SET taxon_cd_nom = $2, taxon_cd_ref = $2, sensitivity_level = 0"
        " WHERE id = ANY($1)",
        ids,
        taxon,
    )
    await db.execute("INSERT INTO sensitivity_rule (cd_ref, level) VALUES ($1, 2)", taxon)
    pool = await create_pool(dsn, 1, 2)
    try:
        job_id = uuid.UUID((await sensitivity.start_job(pool, "test", [taxon])).id)
        async with pool.acquire() as conn, conn.transaction():
            after = await sensitivity_service.reproject_batch(
                conn, job_id, [taxon], uuid.UUID(int=0), 3
            )
        assert after is not None
        progress = await sensitivity.get_job(pool, job_id)
        assert progress is not None
        assert (progress.done, progress.changed, progress.state) == (3, 3, "running")
        await sensitivity_service.run_job(pool, job_id, batch=3)
        done = await sensitivity.get_job(pool, job_id)
        assert done is not None
        assert (done.done, done.changed, done.state) == (7, 7, "done")
    finally:
        await pool.close()


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        ({"cd_ref": 92, "level": 5}, "/level"),
        ({"cd_ref": 92, "level": 2, "period_start": "03-01"}, "/period_end"),
        (
            {"cd_ref": 92, "level": 2, "period_start": "13-01", "period_end": "03-01"},
            "/period_start",
        ),
        (
            {
                "cd_ref": 92,
                "level": 2,
                "area": {
                    "type": "Polygon",
                    "coordinates": [
                        [[6.5, 44.8], [6.7, 44.9], [6.7, 44.8], [6.5, 44.9], [6.5, 44.8]]
                    ],
                },
            },
            "/area",
        ),
    ],
)
async def test_bad_rules_are_422_and_not_stored(
    client: Client,
    db: asyncpg.Connection,
    admin: dict[str, str],
    rule: dict[str, Any],
    pointer: str,
) -> None:
    before = await db.fetchval("SELECT count(*) FROM sensitivity_rule")
    response = await client.post("/api/v1/sensitivity/rules", json=rule, headers=admin)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == [pointer]
    assert await db.fetchval("SELECT count(*) FROM sensitivity_rule") == before
    assert await db.fetchval("SELECT count(*) FROM sensitivity_job") == 0


async def test_default_rules_are_seeded_from_the_park_list(
    client: Client, db: asyncpg.Connection, admin: dict[str, str]
) -> None:
    rules = (
        await client.get(
            "/api/v1/sensitivity/rules", params={"cd_ref": sensitive_taxon()}, headers=admin
        )
    ).json()
    assert [r["level"] for r in rules] == [2]
    assert (
        await client.get(
            "/api/v1/sensitivity/rules", params={"cd_ref": plain_taxon()}, headers=admin
        )
    ).json() == []


async def test_intake_goes_on_while_a_batch_holds_its_locks(
    client: Client, db: asyncpg.Connection, dsn: str
) -> None:
    """A batch locks only the rows it re-projects: new submissions never wait for it."""
    taxon = plain_taxon()
    ids = [await submit(client) for _ in range(3)]
    await db.execute(
        "UPDATE observation SET taxon_cd_nom = $2, taxon_cd_ref = $2 WHERE id = ANY($1)", ids, taxon
    )
    pool = await create_pool(dsn, 1, 1)
    try:
        job_id = uuid.UUID((await sensitivity.start_job(pool, "test", [taxon])).id)
        async with pool.acquire() as conn, conn.transaction():
            await sensitivity_service.reproject_batch(conn, job_id, [taxon], uuid.UUID(int=0), 500)
            # the batch's transaction is still open, its rows still locked
            submitted = await asyncio.wait_for(submit(client), timeout=5)
            assert submitted not in ids
    finally:
        await pool.close()


async def test_a_rule_on_a_higher_taxon_covers_the_taxa_below_it(
    client: Client, db: asyncpg.Connection, admin: dict[str, str]
) -> None:
    """With TAXREF's parent chain imported, a rule on a genus levels its species too."""
    # Real park-list taxa: the genus Amaurobius and the spider Amaurobius erberi. The park
    # list has no parent chain; the path TAXREF's import would give them is set here.
    genus, species = 189027, 1065
    for cd_nom, path in ((genus, f"{genus}"), (species, f"{genus}.{species}")):
        await db.execute("UPDATE taxon SET path = $2::text::ltree WHERE cd_nom = $1", cd_nom, path)
    before = await submit(client, data={"cd_nom": species, "count": 1})
    assert await db.fetchval("SELECT sensitivity_level FROM observation WHERE id = $1", before) == 0
    response = await client.post(
        "/api/v1/sensitivity/rules", json={"cd_ref": genus, "level": 3}, headers=admin
    )
    assert response.status_code == 202, response.text
    job = await wait_for(client, admin, response.json()["job"]["id"])
    assert (job["total"], job["changed"]) == (1, 1)
    assert await db.fetchval("SELECT sensitivity_level FROM observation WHERE id = $1", before) == 3
    after = await submit(client, data={"cd_nom": species, "count": 2})
    assert await db.fetchval("SELECT sensitivity_level FROM observation WHERE id = $1", after) == 3
