"""A programme kind that records absences ("records absences" in the builder): checked when
it is stored, then an absence recorded with it refuses its counts and is published as one."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import asyncpg

from cairn.protocols.kinds import registry
from cairn.records.projection import project_all
from cairn.records.vocabulary import ABSENCE_TEST
from tests.factories import observation_payload, signed
from tests.protocols.examples import (
    AMPHIBIAN_CROSSING,
    COMMON_TOAD,
    programme_admin,
    publish_kind,
)
from tests.world import Client, load_taxa

FOUND = registry()[("species", 1)].schema["properties"]["occurrence_status"]


def pond_survey() -> dict[str, Any]:
    """The amphibian count, searching the pond too: an absence hides both counts."""
    schema = copy.deepcopy(AMPHIBIAN_CROSSING)
    schema["required"] = ["cd_nom"]
    schema["properties"] = {"occurrence_status": FOUND, **schema["properties"]}
    schema["allOf"].append(
        {
            "if": ABSENCE_TEST,
            "then": {"properties": {"alive": {"not": {}}, "crushed_count": {"not": {}}}},
        }
    )
    return schema


async def draft(client: Client, headers: dict[str, str], schema: dict[str, Any]) -> Any:
    return await client.post(
        "/api/v1/programmes/default/kinds",
        json={"kind": "pond_survey", "schema": schema},
        headers=headers,
    )


async def test_the_kind_checks_name_each_broken_rule_of_absences(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await programme_admin(client, db, "default")
    without_taxon = pond_survey()
    del without_taxon["properties"]["cd_nom"]
    without_taxon["required"] = []
    counts_shown = pond_survey()
    counts_shown["allOf"][-1]["then"]["properties"].pop("alive")
    count_required = pond_survey()
    count_required["required"] = ["cd_nom", "alive"]
    other_values = pond_survey()
    other_values["properties"]["occurrence_status"] = {**FOUND, "enum": ["present", "gone"]}
    cases = {
        "/schema/properties/occurrence_status": without_taxon,
        "/schema/allOf": counts_shown,
        "/schema/required/1": count_required,
        "/schema/properties/occurrence_status/enum": other_values,
    }
    for where, schema in cases.items():
        answer = await draft(client, headers, schema)
        assert answer.status_code == 422, (where, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert where in {e["pointer"] for e in answer.json()["errors"]}, answer.text
    assert await db.fetchval("SELECT count(*) FROM programme_kind") == 0


async def test_a_protocol_absence_refuses_its_counts_and_is_published_absent(
    client: Client, db: asyncpg.Connection
) -> None:
    await load_taxa(db, [COMMON_TOAD])
    headers = await programme_admin(client, db, "default")
    version = await publish_kind(client, headers, "default", "pond_survey", pond_survey())
    device = await signed(client)

    def record(**data: Any) -> dict[str, Any]:
        return observation_payload(
            kind="pond_survey", schema_version=version, data={"cd_nom": COMMON_TOAD, **data}
        )

    refused = record(occurrence_status="absent", alive=0, crushed=True, crushed_count=2)
    answer = await client.post("/api/v1/observations", json=refused, headers=device)
    assert answer.status_code == 422
    assert {(e["pointer"], e["code"]) for e in answer.json()["errors"]} == {
        ("/data/alive", "invalid"),
        ("/data/crushed_count", "invalid"),
    }
    absent, present = record(occurrence_status="absent", crushed=False), record(alive=4)
    for payload in (absent, present):
        answer = await client.post("/api/v1/observations", json=payload, headers=device)
        assert answer.status_code == 201, answer.text
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    items = {
        item["id"]: item
        for item in (await client.get("/api/v1/observations?kind=pond_survey")).json()["items"]
    }
    assert items[absent["id"]]["occurrence_status"] == "absent"
    assert items[present["id"]]["occurrence_status"] == "present"
    assert "occurrence_status" not in items[absent["id"]]["attributes"]  # a column of its own
    assert items[present["id"]]["attributes"]["alive"] == 4
    assert (
        await db.fetchval(
            "SELECT count(*) FROM observation WHERE id = $1", uuid.UUID(refused["id"])
        )
        == 0
    )
