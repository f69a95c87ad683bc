"""Hostile input: every nasty body gets a clear 4xx, quickly, and writes nothing."""

from __future__ import annotations

import time

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
DEEP = 200_000

HOSTILE_BODIES: list[tuple[str, bytes]] = [
    ("deeply nested arrays", b"[" * DEEP + b"]" * DEEP),
    ("deeply nested objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("invalid utf-8 in a string", b'{"kind": "sp\xc3\x28cies"}'),
    ("lone surrogate escape", b'{"kind": "\\ud800"}'),
    ("NaN literal", b'{"location": {"lon": NaN, "lat": 1}}'),
    ("Infinity literal", b'{"location": {"lon": Infinity, "lat": 1}}'),
    ("truncated", b'{"id": "5d0c4b36-8a3e-4c1e-9a55'),
    ("empty", b""),
    ("only whitespace", b"   \n\t "),
    ("a bare string", b'"observation"'),
    ("null", b"null"),
    ("duplicate-key trick", b'{"kind": "species", "kind": {"$ne": 1}}'),
]


@pytest.mark.parametrize(("name", "body"), HOSTILE_BODIES, ids=[n for n, _ in HOSTILE_BODIES])
async def test_hostile_bodies_are_refused_cleanly(
    client: Client, db: asyncpg.Connection, name: str, body: bytes
) -> None:
    started = time.process_time()  # this process's CPU (the app runs in it), not the wall
    response = await client.post(
        "/api/v1/observations",
        content=body,
        headers={"content-type": "application/json", **await signed(client)},
    )
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] in {"malformed_json", "validation_failed", "bad_request"}
    assert time.process_time() - started < 10
    assert await db.fetchval("SELECT count(*) FROM observation") == 0


@pytest.mark.parametrize(
    ("field", "value", "pointer"),
    [
        ("location", {"lon": 1e400, "lat": 1}, "/location/lon"),
        ("location", {"lon": 10**40, "lat": 1}, "/location/lon"),
        ("schema_version", 2**70, "/schema_version"),
        ("schema_version", -(2**70), "/schema_version"),
        ("location", {"lon": 6.6, "lat": -1e-400 - 91}, "/location/lat"),
    ],
)
async def test_huge_numbers_are_out_of_range_not_crashes(
    client: Client, db: asyncpg.Connection, field: str, value: object, pointer: str
) -> None:
    import msgspec

    body = msgspec.json.encode(observation_payload(**{field: value}))
    response = await client.post(
        "/api/v1/observations",
        content=body,
        headers={"content-type": "application/json", **await signed(client)},
    )
    assert response.status_code in {400, 422}, response.text
    if response.status_code == 422:
        assert pointer in {e["pointer"] for e in response.json()["errors"]}
    assert await db.fetchval("SELECT count(*) FROM observation") == 0


INJECTIONS = [
    "'; DROP TABLE observation; --",
    "Robert'); DELETE FROM observation WHERE ('1'='1",
    "<script>alert(document.cookie)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "\u0000null byte",
    "../../etc/passwd",
    "{{7*7}}${7*7}",
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_injection_strings_are_stored_inert(
    client: Client, db: asyncpg.Connection, text: str
) -> None:
    payload = observation_payload(comment=text)
    response = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    if "\u0000" in text:
        # PostgreSQL text cannot hold NUL: refused clearly, never a 500.
        assert response.status_code == 422, response.text
        assert "/comment" in {e["pointer"] for e in response.json()["errors"]}
        assert await db.fetchval("SELECT count(*) FROM observation") == 0
        return
    assert response.status_code == 201, response.text
    assert response.json()["comment"] == text
    assert await db.fetchval("SELECT comment FROM observation") == text
    assert await db.fetchval("SELECT count(*) FROM observation") == 1


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/observations?kind=spe%00cies", "kind"),
        ("/api/v1/taxa?q=gen%00tiana", "q"),
        ("/api/v1/reference/bundle?since=a%00b", "since"),
    ],
)
async def test_nul_in_any_query_parameter_is_a_400_naming_it(
    client: Client, path: str, name: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 400, response.text
    assert f"/query/{name}" in {e["pointer"] for e in response.json()["errors"]}
