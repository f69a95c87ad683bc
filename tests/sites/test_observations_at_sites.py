"""An observation may name its site: checked with every other field, stored, carried along."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import new_device, observation_payload
from tests.sites.helpers import BRIANCON, make_site, site_admin
from tests.world import Client, add_programme, add_staff, sign_in

OBSERVATIONS = "/api/v1/observations"


@pytest.fixture
async def sites(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    """A site in use, an archived one, and one of another programme."""
    admin = await site_admin(client, db)
    await add_programme(db, "queyras")
    await add_staff(db, "q@petr.fr", "admin", programme="queyras")
    other = await sign_in(client, "q@petr.fr")
    archived = (await make_site(client, admin, name="Ancienne mare"))["id"]
    assert (
        await client.patch(
            f"/api/v1/programmes/default/sites/{archived}", json={"archived": True}, headers=admin
        )
    ).status_code == 200
    return {
        "in_use": (await make_site(client, admin))["id"],
        "archived": archived,
        "elsewhere": (await make_site(client, other, slug="queyras"))["id"],
    }


async def test_a_record_names_its_site_and_keeps_it(
    client: Client, sites: dict[str, str], db: asyncpg.Connection
) -> None:
    _, headers = await new_device(client)
    payload = observation_payload(site_id=sites["in_use"])
    created = await client.post(OBSERVATIONS, json=payload, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["site_id"] == sites["in_use"]
    # The same submission again is the same record (the site is part of its content).
    assert (await client.post(OBSERVATIONS, json=payload, headers=headers)).status_code == 200
    moved = {**payload, "site_id": None}
    assert (await client.post(OBSERVATIONS, json=moved, headers=headers)).status_code == 409
    mine = (await client.get(f"{OBSERVATIONS}/{payload['id']}", headers=headers)).json()
    assert mine["observation"]["site_id"] == sites["in_use"]
    stored = await db.fetchval(
        "SELECT site_id FROM observation WHERE id = $1", uuid.UUID(payload["id"])
    )
    assert str(stored) == sites["in_use"]


async def test_a_record_without_a_site_keeps_its_old_hash(client: Client) -> None:
    # Sent before sites existed (no field at all) and again with an explicit null: one record.
    _, headers = await new_device(client)
    payload = observation_payload()
    assert (await client.post(OBSERVATIONS, json=payload, headers=headers)).status_code == 201
    again = {**payload, "site_id": None}
    assert (await client.post(OBSERVATIONS, json=again, headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("which", "code"),
    [("unknown", "unknown_site"), ("archived", "archived"), ("elsewhere", "other_programme")],
)
async def test_a_bad_site_is_reported_with_every_other_bad_field(
    client: Client, sites: dict[str, str], which: str, code: str, db: asyncpg.Connection
) -> None:
    site_id = sites.get(which, str(uuid.uuid4()))
    payload = observation_payload(
        site_id=site_id, data={"cd_nom": 61098, "count": -1}, observed_at="2999-01-01T00:00:00Z"
    )
    _, headers = await new_device(client)
    refused = await client.post(OBSERVATIONS, json=payload, headers=headers)
    assert refused.status_code == 422, refused.text
    errors = {(e["pointer"], e["code"]) for e in refused.json()["errors"]}
    assert ("/site_id", code) in errors
    assert {"/data/count", "/observed_at"} <= {pointer for pointer, _ in errors}
    assert await db.fetchval("SELECT count(*) FROM observation") == 0


async def test_a_batch_judges_each_items_site(client: Client, sites: dict[str, str]) -> None:
    _, headers = await new_device(client)
    items = [
        observation_payload(site_id=sites["in_use"]),
        observation_payload(site_id=sites["archived"]),
        observation_payload(site_id=sites["elsewhere"]),
    ]
    answer = await client.post(
        f"{OBSERVATIONS}/batch", json={"observations": items}, headers=headers
    )
    results = answer.json()["results"]
    assert [r["outcome"] for r in results] == ["created", "invalid", "invalid"]
    assert [e["pointer"] for e in results[1]["problem"]["errors"]] == ["/observations/1/site_id"]
    assert [e["code"] for e in results[2]["problem"]["errors"]] == ["other_programme"]


async def test_a_correction_changes_the_site_and_the_event_says_so(
    client: Client, sites: dict[str, str], db: asyncpg.Connection
) -> None:
    _, headers = await new_device(client)
    payload = observation_payload()
    assert (await client.post(OBSERVATIONS, json=payload, headers=headers)).status_code == 201
    url = f"{OBSERVATIONS}/{payload['id']}"
    bad = {**payload, "expected_version": 1, "site_id": sites["archived"]}
    refused = await client.put(url, json=bad, headers=headers)
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/site_id"]
    fix = {**payload, "expected_version": 1, "site_id": sites["in_use"]}
    answer = await client.put(url, json=fix, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["site_id"] == sites["in_use"]
    event = await db.fetchrow(
        "SELECT before, after FROM observation_event WHERE observation_id = $1",
        uuid.UUID(payload["id"]),
    )
    assert event["before"]["observation"]["site_id"] is None
    assert event["after"]["observation"]["site_id"] == sites["in_use"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.sampled_from(["in_use", "archived", "elsewhere", "unknown", None]),
    programme=st.sampled_from(["default", "queyras"]),
)
async def test_a_site_is_accepted_exactly_when_it_is_in_use_in_the_records_programme(
    client: Client, sites: dict[str, str], which: str | None, programme: str
) -> None:
    site_id = None if which is None else sites.get(which, str(uuid.uuid4()))
    owner = {"in_use": "default", "archived": "default", "elsewhere": "queyras"}.get(which or "")
    payload: dict[str, Any] = observation_payload(programme=programme, site_id=site_id)
    _, headers = await new_device(client)
    answer = await client.post(OBSERVATIONS, json=payload, headers=headers)
    expected_ok = which is None or (owner == programme and which != "archived")
    assert (answer.status_code == 201) == expected_ok, answer.text
    if not expected_ok:
        assert [e["pointer"] for e in answer.json()["errors"]] == ["/site_id"]


async def test_the_site_position_is_checked_like_any_record(
    client: Client, sites: dict[str, str]
) -> None:
    # The site does not vouch for the record's place: a record far away still answers for it.
    _, headers = await new_device(client)
    far = observation_payload(
        site_id=sites["in_use"], location={"lon": 2.35, "lat": 48.85, "accuracy_m": 5}
    )
    refused = await client.post(OBSERVATIONS, json=far, headers=headers)
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/location"}
    assert BRIANCON  # the site itself is at Briançon (helpers)
