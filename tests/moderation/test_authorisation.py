"""The authorisation matrix: role x route x own/other programme.

Staff of programme `default` (admin, moderator, viewer), a moderator of
programme `queyras`, an account with no role, and nobody signed in, each try
every staff route on a record of `default` ("own") and one of `queyras`
("other"). Outside one's programmes the answer is 404, as for an id that does
not exist, so ids cannot be probed; inside, a role too weak is 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from tests.world import Client, add_programme, add_staff, sign_in, submit

PEOPLE = ("admin_a", "moderator_a", "viewer_a", "moderator_b", "no_role", "anonymous")


class World:
    """Records of both programmes and the headers of every person."""

    def __init__(self, own: uuid.UUID, other: uuid.UUID, headers: dict[str, dict[str, str]]):
        self.own = own
        self.other = other
        self.headers = headers


@pytest.fixture
async def world(client: Client, db: asyncpg.Connection) -> World:
    await add_programme(db, "queyras")
    await add_staff(db, "admin_a@pne.fr", "admin", programme="default")
    await add_staff(db, "moderator_a@pne.fr", "moderator", programme="default")
    await add_staff(db, "viewer_a@pne.fr", "viewer", programme="default")
    await add_staff(db, "moderator_b@pnr-queyras.fr", "moderator", programme="queyras")
    await add_staff(db, "no_role@pne.fr", None)
    headers = {
        "admin_a": await sign_in(client, "admin_a@pne.fr"),
        "moderator_a": await sign_in(client, "moderator_a@pne.fr"),
        "viewer_a": await sign_in(client, "viewer_a@pne.fr"),
        "moderator_b": await sign_in(client, "moderator_b@pnr-queyras.fr"),
        "no_role": await sign_in(client, "no_role@pne.fr"),
        "anonymous": {},
    }
    return World(await submit(client), await submit(client, programme="queyras"), headers)


Call = Callable[[Client, asyncpg.Connection, uuid.UUID, dict[str, str]], Awaitable[httpx.Response]]


async def _version(db: asyncpg.Connection, obs: uuid.UUID) -> int:
    return int(await db.fetchval("SELECT version FROM observation WHERE id = $1", obs))


async def staff_view(client: Client, db: Any, obs: uuid.UUID, h: dict[str, str]) -> httpx.Response:
    return await client.get(f"/api/v1/moderation/observations/{obs}", headers=h)


async def history(client: Client, db: Any, obs: uuid.UUID, h: dict[str, str]) -> httpx.Response:
    return await client.get(f"/api/v1/observations/{obs}/history", headers=h)


async def review(client: Client, db: Any, obs: uuid.UUID, h: dict[str, str]) -> httpx.Response:
    body = {"status": "certain", "expected_version": await _version(db, obs)}
    return await client.post(f"/api/v1/observations/{obs}/reviews", json=body, headers=h)


async def guessed_id(client: Client, db: Any, obs: uuid.UUID, h: dict[str, str]) -> httpx.Response:
    """An id that exists nowhere answers exactly like a record of another programme."""
    body = {"status": "certain", "expected_version": 1}
    return await client.post(f"/api/v1/observations/{uuid.uuid4()}/reviews", json=body, headers=h)


# Expected status per person (in the order of PEOPLE), on a record of their own programme
# ("own") and of another one ("other").
READ = ((200, 200, 200, 404, 404, 401), (404, 404, 404, 200, 404, 401))
MATRIX: dict[str, tuple[Call, tuple[int, ...], tuple[int, ...]]] = {
    "staff view": (staff_view, *READ),
    "history": (history, *READ),
    "review": (review, (200, 200, 403, 404, 404, 401), (404, 404, 404, 200, 404, 401)),
    "review of a guessed id": (
        guessed_id,
        (404, 404, 404, 404, 404, 401),
        (404, 404, 404, 404, 404, 401),
    ),
}


@pytest.mark.parametrize("route", list(MATRIX))
@pytest.mark.parametrize("target", ["own", "other"])
async def test_record_routes(
    client: Client, db: asyncpg.Connection, world: World, route: str, target: str
) -> None:
    call, own, other = MATRIX[route]
    expected = dict(zip(PEOPLE, own if target == "own" else other, strict=True))
    obs = world.own if target == "own" else world.other
    got = {
        person: (await call(client, db, obs, world.headers[person])).status_code
        for person in PEOPLE
    }
    assert got == expected


async def test_a_refused_review_leaves_no_trace(
    client: Client, db: asyncpg.Connection, world: World
) -> None:
    for person in ("viewer_a", "moderator_b", "no_role", "anonymous"):
        assert (await review(client, db, world.own, world.headers[person])).status_code != 200
    assert await db.fetchval("SELECT count(*) FROM observation_event") == 0
    assert await db.fetchval("SELECT status FROM observation WHERE id = $1", world.own) == "pending"


async def test_the_queue_shows_only_ones_own_programmes(
    client: Client, db: asyncpg.Connection, world: World
) -> None:
    seen = {}
    for person in PEOPLE:
        response = await client.get("/api/v1/moderation/queue", headers=world.headers[person])
        seen[person] = (
            response.status_code,
            {item["id"] for item in response.json().get("items", [])},
        )
    own, other = {str(world.own)}, {str(world.other)}
    assert seen == {
        "admin_a": (200, own),
        "moderator_a": (200, own),
        "viewer_a": (200, own),
        "moderator_b": (200, other),
        "no_role": (200, set()),
        "anonymous": (401, set()),
    }
    asked_for_other = await client.get(
        "/api/v1/moderation/queue",
        params={"programme": "queyras"},
        headers=world.headers["moderator_a"],
    )
    assert asked_for_other.json()["items"] == []
    assert asked_for_other.json()["counts"] == {}


async def test_bulk_decides_only_where_one_moderates(
    client: Client, db: asyncpg.Connection, world: World
) -> None:
    body = {"ids": [str(world.own), str(world.other)], "status": "doubtful"}
    outcomes = {}
    for person in PEOPLE:
        response = await client.post(
            "/api/v1/reviews/bulk", json=body, headers=world.headers[person]
        )
        outcomes[person] = (
            response.status_code,
            [r["outcome"] for r in response.json().get("results", [])],
        )
    assert outcomes == {
        "admin_a": (200, ["decided", "not_found"]),
        "moderator_a": (200, ["decided", "not_found"]),
        "viewer_a": (403, []),
        "moderator_b": (200, ["not_found", "decided"]),
        "no_role": (403, []),
        "anonymous": (401, []),
    }


async def test_programme_changes_need_its_admin(
    client: Client, db: asyncpg.Connection, world: World
) -> None:
    got = {}
    for slug in ("default", "queyras"):
        for person in PEOPLE:
            version = await db.fetchval("SELECT version FROM programme WHERE slug = $1", slug)
            body = {"expected_version": version, "default_licence": "CC0-1.0"}
            response = await client.patch(
                f"/api/v1/programmes/{slug}", json=body, headers=world.headers[person]
            )
            got[(slug, person)] = response.status_code
    assert got == {
        ("default", "admin_a"): 200,
        ("default", "moderator_a"): 403,
        ("default", "viewer_a"): 403,
        ("default", "moderator_b"): 404,
        ("default", "no_role"): 404,
        ("default", "anonymous"): 401,
        ("queyras", "admin_a"): 404,
        ("queyras", "moderator_a"): 404,
        ("queyras", "viewer_a"): 404,
        ("queyras", "moderator_b"): 403,
        ("queyras", "no_role"): 404,
        ("queyras", "anonymous"): 401,
    }


async def test_sensitivity_rules_are_read_by_staff_and_changed_by_platform_admins(
    client: Client, db: asyncpg.Connection, world: World
) -> None:
    await add_staff(db, "root@petr.fr", "admin")
    headers = {**world.headers, "platform_admin": await sign_in(client, "root@petr.fr")}
    rule = {"cd_ref": 61098, "level": 1}
    got = {}
    for person, h in headers.items():
        read = await client.get("/api/v1/sensitivity/rules", params={"cd_ref": 61098}, headers=h)
        write = await client.post("/api/v1/sensitivity/rules", json=rule, headers=h)
        got[person] = (read.status_code, write.status_code)
    assert got == {
        "admin_a": (200, 403),
        "moderator_a": (200, 403),
        "viewer_a": (200, 403),
        "moderator_b": (200, 403),
        "no_role": (403, 403),
        "anonymous": (401, 401),
        "platform_admin": (200, 202),
    }
