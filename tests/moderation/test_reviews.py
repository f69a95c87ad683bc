"""Decisions on observations: one, many, concurrent, re-identified, and their history."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from tests.world import (
    Client,
    add_programme,
    add_staff,
    load_taxa,
    plain_taxon,
    sensitive_taxon,
    sign_in,
    submit,
)


async def moderator(
    client: Client, db: asyncpg.Connection, email: str = "mod@pne.fr"
) -> dict[str, str]:
    await add_staff(db, email, "moderator", programme="default")
    return await sign_in(client, email)


async def review(
    client: Client, obs: object, headers: dict[str, str], body: dict[str, object]
) -> httpx.Response:
    return await client.post(f"/api/v1/observations/{obs}/reviews", json=body, headers=headers)


async def test_a_decision_updates_the_record_and_appends_an_event(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await moderator(client, db)
    obs = await submit(client)
    response = await review(
        client,
        obs,
        headers,
        {"status": "certain", "expected_version": 1, "comment": "Clear photo, thanks!"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "certain"
    assert body["version"] == 2
    assert body["moderator_comment"] == "Clear photo, thanks!"
    assert body["validation_method"] == "manual"
    assert body["validated_at"] is not None
    row = await db.fetchrow(
        "SELECT status, version, moderator_comment FROM observation WHERE id = $1", obs
    )
    assert tuple(row) == ("certain", 2, "Clear photo, thanks!")

    history = (await client.get(f"/api/v1/observations/{obs}/history", headers=headers)).json()
    assert len(history) == 1
    event = history[0]
    assert event["actor_kind"] == "staff"
    assert event["action"] == "review"
    assert event["version"] == 2
    assert event["before"]["status"] == "pending"
    assert event["after"]["status"] == "certain"
    assert event["comment"] == "Clear photo, thanks!"


async def test_a_stale_version_is_a_409_with_the_current_state(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await moderator(client, db)
    obs = await submit(client)
    first = await review(client, obs, headers, {"status": "doubtful", "expected_version": 1})
    assert first.status_code == 200
    stale = await review(client, obs, headers, {"status": "certain", "expected_version": 1})
    assert stale.status_code == 409
    problem = stale.json()
    assert problem["code"] == "conflict"
    assert problem["extra"]["current"]["status"] == "doubtful"
    assert problem["extra"]["current"]["version"] == 2
    assert await db.fetchval("SELECT count(*) FROM observation_event") == 1


async def test_two_moderators_deciding_at_once_never_overwrite_each_other(
    client: Client, db: asyncpg.Connection
) -> None:
    first = await moderator(client, db, "a@pne.fr")
    second = await moderator(client, db, "b@pne.fr")
    for _ in range(5):
        obs = await submit(client)
        answers = await asyncio.gather(
            review(client, obs, first, {"status": "certain", "expected_version": 1}),
            review(client, obs, second, {"status": "invalid", "expected_version": 1}),
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409]
        winner = next(a for a in answers if a.status_code == 200).json()
        loser = next(a for a in answers if a.status_code == 409).json()
        assert loser["extra"]["current"]["status"] == winner["status"]
        row = await db.fetchrow("SELECT status, version FROM observation WHERE id = $1", obs)
        assert tuple(row) == (winner["status"], 2)
        assert (
            await db.fetchval(
                "SELECT count(*) FROM observation_event WHERE observation_id = $1", obs
            )
            == 1
        )


async def test_reidentification_to_a_sensitive_taxon_raises_the_sensitivity(
    client: Client, db: asyncpg.Connection
) -> None:
    sensitive, plain = sensitive_taxon(), plain_taxon()
    await load_taxa(db, [sensitive, plain])
    headers = await moderator(client, db)
    obs = await submit(client)
    await db.execute(
        "UPDATE observation SET taxon_cd_nom = $2, taxon_cd_ref = $2 WHERE id = $1", obs, plain
    )
    response = await review(
        client, obs, headers, {"status": "probable", "expected_version": 1, "cd_nom": sensitive}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["taxon"]["cd_nom"] == sensitive
    assert body["taxon"]["cd_ref"] == sensitive
    assert body["sensitivity_level"] == 2
    row = await db.fetchrow(
        "SELECT taxon_cd_nom, taxon_cd_ref, sensitivity_level FROM observation WHERE id = $1", obs
    )
    assert tuple(row) == (sensitive, sensitive, 2)
    event = await db.fetchrow("SELECT action, before, after FROM observation_event")
    assert event["action"] == "reidentify"
    assert event["before"]["taxon_cd_nom"] == plain
    assert event["after"]["taxon_cd_nom"] == sensitive


async def test_an_unknown_taxon_is_refused_and_nothing_changes(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await moderator(client, db)
    obs = await submit(client)
    response = await review(
        client, obs, headers, {"status": "certain", "expected_version": 1, "cd_nom": 999_999_999}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/cd_nom"
    assert await db.fetchval("SELECT version FROM observation WHERE id = $1", obs) == 1


async def test_bad_review_bodies_list_every_bad_field(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await moderator(client, db)
    obs = await submit(client)
    response = await review(
        client,
        obs,
        headers,
        {"status": "withdrawn", "expected_version": 0, "extra": 1, "comment": "a\x00b"},
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/status", "/expected_version", "/extra", "/comment"}


async def test_a_withdrawn_record_cannot_be_decided(client: Client, db: asyncpg.Connection) -> None:
    headers = await moderator(client, db)
    obs = await submit(client)
    await db.execute("UPDATE observation SET status = 'withdrawn' WHERE id = $1", obs)
    response = await review(client, obs, headers, {"status": "certain", "expected_version": 1})
    assert response.status_code == 409
    assert response.json()["extra"]["current"]["status"] == "withdrawn"


async def test_bulk_decides_what_it_may_and_reports_the_rest(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_programme(db, "queyras")
    headers = await moderator(client, db)
    mine = [await submit(client) for _ in range(4)]
    theirs = await submit(client, programme="queyras")
    stale = mine[3]
    await review(client, stale, headers, {"status": "doubtful", "expected_version": 1})
    response = await client.post(
        "/api/v1/reviews/bulk",
        json={
            "ids": [str(i) for i in [*mine, theirs]],
            "status": "certain",
            "comment": "Checked in bulk",
            "expected_versions": {str(mine[0]): 1, str(stale): 1},
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    outcomes = [(r["id"], r["outcome"]) for r in response.json()["results"]]
    assert outcomes == [
        (str(mine[0]), "decided"),
        (str(mine[1]), "decided"),
        (str(mine[2]), "decided"),
        (str(stale), "conflict"),
        (str(theirs), "not_found"),
    ]
    assert response.json()["results"][4]["observation"] is None
    statuses = dict(await db.fetch("SELECT id, status FROM observation"))
    assert [statuses[i] for i in mine] == ["certain", "certain", "certain", "doubtful"]
    assert statuses[theirs] == "pending"


async def test_bulk_refuses_duplicates_and_stray_versions(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await moderator(client, db)
    obs = await submit(client)
    other = "6f1c1f0e-8f5e-4a43-9f4c-1d1b1f1a1b1c"
    response = await client.post(
        "/api/v1/reviews/bulk",
        json={"ids": [str(obs), str(obs)], "status": "certain", "expected_versions": {other: 1}},
        headers=headers,
    )
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json()["errors"]} == {
        "/ids/1",
        f"/expected_versions/{other}",
    }
    assert await db.fetchval("SELECT version FROM observation") == 1
