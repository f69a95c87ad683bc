"""POST /api/v1/observations through the real app on a real database."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
PROBLEM = "application/problem+json"


async def count(db: asyncpg.Connection) -> int:
    return int(await db.fetchval("SELECT count(*) FROM observation"))


async def test_created_then_same_again_then_conflict(
    client: Client, db: asyncpg.Connection
) -> None:
    payload = observation_payload()
    first = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert first.status_code == 201, first.text
    stored = first.json()
    assert stored["id"] == payload["id"]
    assert stored["status"] == "pending"
    assert stored["version"] == 1
    assert stored["observed_at"] == payload["observed_at"]  # offset kept as sent

    again = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert again.status_code == 200
    assert again.json() == stored

    changed = await client.post(
        "/api/v1/observations",
        json={**payload, "comment": "four, not three"},
        headers=await signed(client),
    )
    assert changed.status_code == 409
    assert changed.headers["content-type"].startswith(PROBLEM)
    problem = changed.json()
    assert problem["code"] == "conflict"
    assert problem["extra"]["stored_sha256"] != problem["extra"]["submitted_sha256"]
    assert await count(db) == 1
    row = await db.fetchrow(
        "SELECT comment FROM observation WHERE id = $1", uuid.UUID(payload["id"])
    )
    assert row["comment"] == payload["comment"]


async def test_omitted_defaults_equal_explicit_defaults(
    client: Client, db: asyncpg.Connection
) -> None:
    payload = observation_payload()
    del payload["programme"], payload["licence"]
    assert (
        await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    ).status_code == 201
    explicit = {**payload, "programme": "default", "licence": "CC-BY-4.0"}
    assert (
        await client.post("/api/v1/observations", json=explicit, headers=await signed(client))
    ).status_code == 200
    assert await count(db) == 1


async def test_public_read_back_only_once_validated(client: Client, db: asyncpg.Connection) -> None:
    payload = observation_payload()
    created = (
        await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    ).json()
    pending = await client.get(f"/api/v1/observations/{payload['id']}")
    assert pending.status_code == 404  # pending records are not open data
    await db.execute("UPDATE public_observation SET status = 'certain'")
    read = await client.get(f"/api/v1/observations/{payload['id']}")
    assert read.status_code == 200
    assert read.json()["id"] == created["id"]
    missing = await client.get(f"/api/v1/observations/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    bad = await client.get("/api/v1/observations/not-a-uuid")
    assert bad.status_code in {400, 404}
    assert bad.headers["content-type"].startswith(PROBLEM)


BAD_BODIES: list[tuple[str, Any, int, str, str | None]] = [
    ("malformed", b'{"id": ', 400, "malformed_json", None),
    ("not utf-8", b"\xff\xfe{}", 400, "malformed_json", None),
    ("array", [1, 2], 422, "validation_failed", ""),
    (
        "latitude",
        observation_payload(location={"lon": 6.6, "lat": 91}),
        422,
        "validation_failed",
        "/location/lat",
    ),
    ("unknown", observation_payload(colour="red"), 422, "validation_failed", "/colour"),
    (
        "type",
        observation_payload(schema_version="one"),
        422,
        "validation_failed",
        "/schema_version",
    ),
    (
        "naive date",
        observation_payload(observed_at="2026-07-14T09:32:00"),
        422,
        "validation_failed",
        "/observed_at",
    ),
    ("nan", b'{"location": {"lon": NaN}}', 400, "malformed_json", None),
]


@pytest.mark.parametrize(
    ("name", "body", "status", "code", "pointer"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES]
)
async def test_bad_input_is_a_clear_4xx_and_writes_nothing(
    client: Client,
    db: asyncpg.Connection,
    name: str,
    body: Any,
    status: int,
    code: str,
    pointer: str | None,
) -> None:
    if isinstance(body, bytes):
        response = await client.post(
            "/api/v1/observations",
            content=body,
            headers={"content-type": "application/json", **await signed(client)},
        )
    else:
        response = await client.post(
            "/api/v1/observations", json=body, headers=await signed(client)
        )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["type"].startswith("https://")
    if pointer is not None:
        assert pointer in {e["pointer"] for e in problem["errors"]}
    assert await count(db) == 0


async def test_future_date_is_refused(client: Client, db: asyncpg.Connection) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    response = await client.post(
        "/api/v1/observations",
        json=observation_payload(observed_at=tomorrow),
        headers=await signed(client),
    )
    assert response.status_code == 422
    assert {"pointer": "/observed_at", "code": "in_future"} in [
        {k: e[k] for k in ("pointer", "code")} for e in response.json()["errors"]
    ]
    assert await count(db) == 0


async def test_body_over_the_limit_is_413(client: Client, db: asyncpg.Connection) -> None:
    huge = observation_payload(data={"notes": "x" * 2_000_000})
    response = await client.post("/api/v1/observations", json=huge, headers=await signed(client))
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert await count(db) == 0


async def test_parallel_identical_submissions_store_one_row(
    client: Client, db: asyncpg.Connection
) -> None:
    payload = observation_payload()
    headers = await signed(client)
    answers = await asyncio.gather(
        *(client.post("/api/v1/observations", json=payload, headers=headers) for _ in range(16))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 1
    assert statuses.count(200) == 15
    assert len({a.text for a in answers}) == 1  # every caller sees the same stored record
    assert await count(db) == 1


async def test_parallel_conflicting_submissions_keep_exactly_one(
    client: Client, db: asyncpg.Connection
) -> None:
    ident = str(uuid.uuid4())
    variants = [observation_payload(id=ident, comment=f"variant {i}") for i in range(8)]
    headers = await signed(client)
    answers = await asyncio.gather(
        *(client.post("/api/v1/observations", json=v, headers=headers) for v in variants)
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    winner = next(v for v, a in zip(variants, answers, strict=True) if a.status_code == 201)
    assert await db.fetchval("SELECT comment FROM observation") == winner["comment"]
