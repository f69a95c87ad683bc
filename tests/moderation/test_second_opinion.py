"""Second opinion: taxa a programme wants seen by two validators before they are published.

The programme's admin names the birds; a first "certain" leaves a bird
awaiting a second opinion (not public), the same validator cannot give the
second, another one confirms (published) or disagrees (doubtful). A plant is
decided at once. Both opinions are in the history; bulk decisions follow.
"""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.core.statuses import STATUSES
from cairn.opinions.model import AGREEING, AWAITING, SameValidatorError, outcome
from tests.world import Client, add_staff, sensitive_taxon, sign_in, submit

BIRD = 965  # Grèbe huppé, Oiseaux
PLANT = 79734  # Angiospermes


class Team:
    def __init__(self, headers: dict[str, dict[str, str]]) -> None:
        self.headers = headers


@pytest.fixture
async def team(client: Client, db: asyncpg.Connection) -> Team:
    await add_staff(db, "admin@pne.fr", "admin", programme="default")
    await add_staff(db, "first@pne.fr", "moderator", programme="default")
    await add_staff(db, "second@pne.fr", "moderator", programme="default")
    await add_staff(db, "other@queyras.fr", None)
    headers = {
        name: await sign_in(client, f"{name}@{'queyras' if name == 'other' else 'pne'}.fr")
        for name in ("admin", "first", "second", "other")
    }
    rule = await client.put(
        "/api/v1/programmes/default/second-opinion",
        json={"taxon_groups": ["Oiseaux"]},
        headers=headers["admin"],
    )
    assert rule.status_code == 200, rule.text
    return Team(headers)


async def _decide(
    client: Client,
    db: asyncpg.Connection,
    obs: uuid.UUID,
    h: dict[str, str],
    status: str,
    comment: str | None = None,
    cd_nom: int | None = None,
) -> int:
    version = await db.fetchval("SELECT version FROM observation WHERE id = $1", obs)
    body: dict[str, object] = {"status": status, "expected_version": version}
    if comment:
        body["comment"] = comment
    if cd_nom:
        body["cd_nom"] = cd_nom
    answer = await client.post(f"/api/v1/observations/{obs}/reviews", json=body, headers=h)
    return answer.status_code


async def _public(client: Client, obs: uuid.UUID) -> bool:
    return (await client.get(f"/api/v1/observations/{obs}")).status_code == 200


async def _status(db: asyncpg.Connection, obs: uuid.UUID) -> str:
    return str(await db.fetchval("SELECT status FROM observation WHERE id = $1", obs))


async def test_two_validators_publish_a_bird_and_both_opinions_are_in_the_history(
    client: Client, db: asyncpg.Connection, team: Team
) -> None:
    bird = await submit(client, data={"cd_nom": BIRD})
    first, second = team.headers["first"], team.headers["second"]
    assert await _decide(client, db, bird, first, "certain", "a great crested grebe") == 200
    assert await _status(db, bird) == AWAITING
    assert not await _public(client, bird)
    queue = await client.get(
        "/api/v1/moderation/queue", params={"status": AWAITING}, headers=second
    )
    assert [item["id"] for item in queue.json()["items"]] == [str(bird)]
    # The first validator cannot give the second opinion, one by one or in bulk.
    assert await _decide(client, db, bird, first, "certain") == 409
    bulk = await client.post(
        "/api/v1/reviews/bulk", json={"ids": [str(bird)], "status": "certain"}, headers=first
    )
    assert [r["outcome"] for r in bulk.json()["results"]] == ["conflict"]
    assert await _status(db, bird) == AWAITING
    assert await _decide(client, db, bird, second, "probable", "agreed, the crest shows") == 200
    assert await _status(db, bird) == "probable"
    assert await _public(client, bird)
    history = (await client.get(f"/api/v1/observations/{bird}/history", headers=second)).json()
    ids = {
        name: str(await db.fetchval("SELECT id FROM staff_user WHERE email = $1", f"{name}@pne.fr"))
        for name in ("first", "second")
    }
    assert [(e["action"], e["actor_id"], e["after"]["status"], e["comment"]) for e in history] == [
        ("first_opinion", ids["first"], AWAITING, "a great crested grebe"),
        ("second_opinion", ids["second"], "probable", "agreed, the crest shows"),
    ]


async def test_a_second_validator_who_disagrees_sends_the_record_back_as_doubtful(
    client: Client, db: asyncpg.Connection, team: Team
) -> None:
    bird = await submit(client, data={"cd_nom": BIRD})
    assert await _decide(client, db, bird, team.headers["first"], "certain") == 200
    assert await _decide(client, db, bird, team.headers["second"], "invalid", "a coot") == 200
    assert await _status(db, bird) == "doubtful"
    assert not await _public(client, bird)


async def test_with_one_validator_a_bird_waits_and_a_plant_is_decided_at_once(
    client: Client, db: asyncpg.Connection, team: Team
) -> None:
    bird = await submit(client, data={"cd_nom": BIRD})
    plant = await submit(client, data={"cd_nom": PLANT})
    bulk = await client.post(
        "/api/v1/reviews/bulk",
        json={"ids": [str(bird), str(plant)], "status": "certain"},
        headers=team.headers["first"],
    )
    assert [r["outcome"] for r in bulk.json()["results"]] == ["decided", "decided"]
    assert [await _status(db, bird), await _status(db, plant)] == [AWAITING, "certain"]
    assert [await _public(client, bird), await _public(client, plant)] == [False, True]
    again = await client.post(
        "/api/v1/reviews/bulk",
        json={"ids": [str(bird)], "status": "certain"},
        headers=team.headers["first"],
    )
    assert [r["outcome"] for r in again.json()["results"]] == ["conflict"]
    assert await _status(db, bird) == AWAITING


async def test_protected_taxa_and_reidentifications_into_them_need_two(
    client: Client, db: asyncpg.Connection, team: Team
) -> None:
    rule = await client.put(
        "/api/v1/programmes/default/second-opinion",
        json={"protected": True},
        headers=team.headers["admin"],
    )
    assert rule.json() == {"taxa": [], "taxon_groups": [], "protected": True, "patrimonial": False}
    plain = await submit(client)  # an ibex: not strictly protected in the park's list
    assert (
        await _decide(client, db, plain, team.headers["first"], "certain", cd_nom=sensitive_taxon())
        == 200
    )
    assert await _status(db, plain) == AWAITING
    assert not await _public(client, plain)


async def test_the_rule_is_the_programme_admins_and_audited(
    client: Client, db: asyncpg.Connection, team: Team
) -> None:
    url = "/api/v1/programmes/default/second-opinion"
    assert (
        await client.put(url, json={"taxa": [BIRD]}, headers=team.headers["first"])
    ).status_code == 403
    assert (await client.get(url, headers=team.headers["other"])).status_code == 404
    bad = await client.put(
        url,
        json={"taxa": [BIRD, 999999999], "taxon_groups": ["Dragons"]},
        headers=team.headers["admin"],
    )
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["/taxa/1", "/taxon_groups/0"]
    assert (await client.get(url, headers=team.headers["first"])).json()["taxon_groups"] == [
        "Oiseaux"
    ]
    trail = await db.fetch(
        "SELECT before, after FROM staff_audit WHERE action = 'second_opinion_rule' ORDER BY id"
    )
    assert [(r["before"]["taxon_groups"], r["after"]["taxon_groups"]) for r in trail] == [
        ([], ["Oiseaux"])
    ]


@given(
    current=st.sampled_from([s for s in STATUSES if s != "withdrawn"]),
    requested=st.sampled_from(
        ["pending", "certain", "probable", "doubtful", "invalid", "not_assessable", "unknown"]
    ),
    needs_two=st.booleans(),
    actor=st.sampled_from(["a", "b"]),
    first=st.sampled_from(["a", "b", None]),
    reidentified=st.booleans(),
)
def test_no_record_needing_two_is_published_on_one_validators_word(
    current: str,
    requested: str,
    needs_two: bool,
    actor: str,
    first: str | None,
    reidentified: bool,
) -> None:
    try:
        status, action = outcome(current, requested, needs_two, actor, first, reidentified)
    except SameValidatorError:
        assert current == AWAITING and first == actor and requested != "pending"
        return
    if requested == "pending":
        assert status == "pending"
    elif current == AWAITING:
        assert action == "second_opinion" and first != actor
        assert status == (requested if requested in AGREEING else "doubtful")
    elif needs_two and requested in AGREEING:
        assert (status, action) == (AWAITING, "first_opinion")
    else:
        assert status == requested
        assert action == ("reidentify" if reidentified else "review")
    assert not (needs_two and status in AGREEING and action != "second_opinion")
