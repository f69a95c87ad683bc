"""Two hikers photograph the same ibex: staff see the pair, mark one, the open data counts one.

And what the contributor learns: their record, counted under another, never which one, nor
that the rule found one (it depends on someone else's record; PRIVACY.md).
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import new_device, observation_payload
from tests.world import Client, add_programme, add_staff, sign_in

NEAR = {"lon": 6.6433, "lat": 44.8986, "accuracy_m": 12}
PLUS_TWO = timezone(timedelta(hours=2))
BESIDE = {"lon": 6.6437, "lat": 44.8988, "accuracy_m": 20}  # ~40 m away


async def sent(client: Client, device: dict[str, str], **overrides: Any) -> uuid.UUID:
    payload = observation_payload(**overrides)
    response = await client.post("/api/v1/observations", json=payload, headers=device)
    assert response.status_code == 201, response.text
    return uuid.UUID(payload["id"])


async def two_hikers(client: Client) -> tuple[dict[str, str], uuid.UUID, dict[str, str], uuid.UUID]:
    """The same ibex herd, five minutes and 40 m apart, from two phones."""
    _, first = await new_device(client)
    _, second = await new_device(client)
    a = await sent(client, first, location=NEAR, observed_at="2026-07-14T09:32:00+02:00")
    b = await sent(client, second, location=BESIDE, observed_at="2026-07-14T09:37:00+02:00")
    return first, a, second, b


async def record_elsewhere(client: Client, db: asyncpg.Connection) -> uuid.UUID:
    """A record of another programme of the same organisation."""
    await add_programme(db, "lacs")
    _, device = await new_device(client)
    return await sent(client, device, programme="lacs")


async def open_ids(client: Client) -> set[str]:
    return {item["id"] for item in (await client.get("/api/v1/observations")).json()["items"]}


async def moderator(
    client: Client, db: asyncpg.Connection, role: str = "moderator"
) -> dict[str, str]:
    email = f"{role}@pne.fr"
    await add_staff(db, email, role, programme="default")
    return await sign_in(client, email)


async def staff_view(client: Client, headers: dict[str, str], obs: uuid.UUID) -> dict[str, Any]:
    response = await client.get(f"/api/v1/observations/{obs}", headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def mark(
    client: Client, headers: dict[str, str], obs: uuid.UUID, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/api/v1/observations/{obs}/duplicate", json=body, headers=headers)


async def test_the_queue_names_each_of_a_pair_as_the_others_possible_duplicate(
    client: Client, db: asyncpg.Connection
) -> None:
    _, a, _, b = await two_hikers(client)
    headers = await moderator(client, db)
    queue = (await client.get("/api/v1/moderation/queue", headers=headers)).json()
    flags = {item["id"]: item["possible_duplicate"] for item in queue["items"]}
    assert flags == {str(a): str(b), str(b): str(a)}


async def test_a_moderator_marks_one_under_the_other_and_the_open_data_counts_one(
    client: Client, db: asyncpg.Connection
) -> None:
    first, a, second, b = await two_hikers(client)
    headers = await moderator(client, db)
    for obs in (a, b):
        decided = await client.post(
            f"/api/v1/observations/{obs}/reviews",
            json={"status": "certain", "expected_version": 1},
            headers=headers,
        )
        assert decided.status_code == 200
    assert await open_ids(client) == {str(a), str(b)}
    marked = await mark(client, headers, b, {"of": str(a), "expected_version": 2})
    assert marked.status_code == 200, marked.text
    assert marked.json()["duplicate_of"] == str(a) and marked.json()["version"] == 3
    assert await open_ids(client) == {str(a)}
    assert await db.fetchval("SELECT count(*) FROM public_observation") == 1  # atlas, counts
    assert (await staff_view(client, headers, a))["possible_duplicate"] is None  # pair resolved
    history = (await client.get(f"/api/v1/observations/{b}/history", headers=headers)).json()
    last = history[-1]
    assert (last["action"], last["actor_kind"], last["version"]) == ("mark_duplicate", "staff", 3)
    assert (last["before"], last["after"]) == ({"duplicate_of": None}, {"duplicate_of": str(a)})
    mine = (await client.get("/api/v1/me/observations", headers=second)).json()["items"]
    assert [(m["observation"]["id"], m["counted_under_another"]) for m in mine] == [(str(b), True)]
    theirs = (await client.get("/api/v1/me/observations", headers=first)).json()["items"]
    assert [m["counted_under_another"] for m in theirs] == [False]
    undone = await mark(client, headers, b, {"of": None, "expected_version": 3})
    assert undone.status_code == 200 and undone.json()["duplicate_of"] is None
    assert await open_ids(client) == {str(a), str(b)}


async def test_a_wrong_mark_is_refused_with_its_field_and_changes_nothing(
    client: Client, db: asyncpg.Connection
) -> None:
    _, a, _, b = await two_hikers(client)
    elsewhere = await record_elsewhere(client, db)
    headers = await moderator(client, db)
    await db.execute("UPDATE observation SET duplicate_of = $1 WHERE id = $2", a, b)
    cases = {
        "itself": (a, {"of": str(a), "expected_version": 1}, 422, "invalid"),
        "unknown": (a, {"of": str(uuid.uuid4()), "expected_version": 1}, 422, "not_found"),
        "another programme's": (a, {"of": str(elsewhere), "expected_version": 1}, 422, "not_found"),
        "outside my programmes": (elsewhere, {"of": str(b), "expected_version": 1}, 404, None),
    }
    before = await db.fetch("SELECT id, version, duplicate_of FROM observation ORDER BY id")
    for name, (target, body, status, code) in cases.items():
        response = await mark(client, headers, target, body)
        assert response.status_code == status, (name, response.text)
        if code is not None:
            problem = response.json()
            assert [(e["pointer"], e["code"]) for e in problem["errors"]] == [("/of", code)], name
    _, other_device = await new_device(client)
    c = await sent(client, other_device, location=NEAR)
    chained = await mark(client, headers, c, {"of": str(b), "expected_version": 1})
    assert [e["code"] for e in chained.json()["errors"]] == ["is_duplicate"]
    stale = await mark(client, headers, a, {"of": str(c), "expected_version": 7})
    assert stale.status_code == 409 and stale.json()["extra"]["current"]["version"] == 1
    viewer = await moderator(client, db, "viewer")
    refused = await mark(client, viewer, a, {"of": str(c), "expected_version": 1})
    assert refused.status_code == 403
    after = await db.fetch(
        "SELECT id, version, duplicate_of FROM observation WHERE id <> $1 ORDER BY id", c
    )
    assert after == before


async def test_the_other_programmes_record_is_a_422_for_a_moderator_of_both(
    client: Client, db: asyncpg.Connection
) -> None:
    _, a, _, _ = await two_hikers(client)
    elsewhere = await record_elsewhere(client, db)
    await add_staff(db, "chief@petr.fr", "moderator", organisation="petr")
    headers = await sign_in(client, "chief@petr.fr")
    response = await mark(client, headers, a, {"of": str(elsewhere), "expected_version": 1})
    assert [e["code"] for e in response.json()["errors"]] == ["other_programme"]


async def everything_the_owner_reads(
    client: Client, device: dict[str, str], obs: uuid.UUID, payload: dict[str, Any]
) -> str:
    """Every channel a contributor reads their record through, as raw text."""
    mine = await client.get("/api/v1/me/observations", headers=device)
    one = await client.get(f"/api/v1/observations/{obs}", headers=device)
    again = await client.post("/api/v1/observations", json=payload, headers=device)
    batch = await client.post(
        "/api/v1/observations/batch", json={"observations": [payload]}, headers=device
    )
    export = await client.get("/api/v1/me/export", headers=device)
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        exported = [
            archive.read(name).decode() for name in archive.namelist() if name.endswith(".json")
        ]
    assert {r.status_code for r in (mine, one, again, batch, export)} == {200}
    return "\n".join([mine.text, one.text, again.text, batch.text, *exported])


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    minutes=st.integers(0, 45),  # inside the window and past it
    metres_east=st.floats(0, 300),
    marked=st.booleans(),
)
async def test_the_owners_view_never_names_the_other_record(
    client: Client, db: asyncpg.Connection, minutes: int, metres_east: float, marked: bool
) -> None:
    """Near or not, marked or not: no owner's channel names the rule's flag or the other id."""
    _, first = await new_device(client)
    _, second = await new_device(client)
    a = await sent(client, first, location=NEAR)
    payload = observation_payload(
        location={**NEAR, "lon": NEAR["lon"] + metres_east / 78_900},
        observed_at=(
            datetime(2026, 7, 14, 9, 32, tzinfo=PLUS_TWO) + timedelta(minutes=minutes)
        ).isoformat(),
    )
    created = await client.post("/api/v1/observations", json=payload, headers=second)
    assert created.status_code == 201
    b = uuid.UUID(payload["id"])
    if marked:
        await db.execute("UPDATE observation SET duplicate_of = $1 WHERE id = $2", a, b)
        await db.execute(
            """INSERT INTO observation_event (observation_id, actor_kind, actor_id, action,
                   version, before, after)
               VALUES ($1, 'staff', 'x', 'mark_duplicate', 2, $2, $3)""",
            b,
            {"duplicate_of": None},
            {"duplicate_of": str(a)},
        )
    text = await everything_the_owner_reads(client, second, b, payload)
    assert str(a) not in text
    assert "possible_duplicate" not in text and "duplicate_of" not in text
    assert json.loads(text.split("\n")[0])["items"][0]["counted_under_another"] is marked
