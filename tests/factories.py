"""Valid payloads for tests: one plain builder, and hypothesis strategies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from weakref import WeakKeyDictionary

import httpx
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

BRIANCON = {"lon": 6.6433, "lat": 44.8986}


def observation_payload(**overrides: Any) -> dict[str, Any]:
    """A valid species observation as the PWA sends it (Alpine ibex at Briançon)."""
    payload: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "kind": "species",
        "schema_version": 1,
        "programme": "default",
        "observed_at": "2026-07-14T09:32:00+02:00",
        "location": {**BRIANCON, "accuracy_m": 12, "altitude_m": 1326},
        "data": {"cd_nom": 61098, "count": 3},
        "licence": "CC-BY-4.0",
        "comment": "three on the scree above the trail",
    }
    payload.update(overrides)
    return payload


async def new_device(client: AsyncTestClient[Litestar]) -> tuple[str, dict[str, str]]:
    """Register a device; its id and the headers that sign its requests."""
    created = await client.post("/api/v1/devices")
    assert created.status_code == 201
    body = created.json()
    return body["device_id"], {"Authorization": f"Bearer {body['token']}"}


_SIGNED: WeakKeyDictionary[AsyncTestClient[Litestar], dict[str, str]] = WeakKeyDictionary()


async def signed(client: AsyncTestClient[Litestar]) -> dict[str, str]:
    """Headers of one device registered for this client: contributor writes need a token."""
    if client not in _SIGNED:
        _SIGNED[client] = (await new_device(client))[1]
    return _SIGNED[client]


def signed_live(base: str) -> dict[str, str]:
    """The same for a Cairn served at `base` (a live server driven with httpx)."""
    created = httpx.post(base + "/api/v1/devices")
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
# What JSON over UTF-8 can carry and PostgreSQL can store: no surrogates, no NUL.
storable_text = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
past_instants = st.datetimes(
    min_value=datetime(1950, 1, 1), max_value=datetime(2025, 12, 31), timezones=offsets
)


@st.composite
def observation_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid submission: the decoder must accept every one of them."""
    location: dict[str, Any] = {
        "lon": draw(st.floats(-180, 180, allow_nan=False)),
        "lat": draw(st.floats(-90, 90, allow_nan=False)),
    }
    if draw(st.booleans()):
        location["accuracy_m"] = draw(st.floats(0, 100_000, allow_nan=False))
    if draw(st.booleans()):
        location["altitude_m"] = draw(st.floats(-500, 9000, allow_nan=False))
    payload: dict[str, Any] = {
        "id": str(draw(st.uuids())),
        "kind": draw(st.from_regex(r"\A[a-z][a-z0-9_]{0,31}\Z")),
        "schema_version": draw(st.integers(1, 10_000)),
        "observed_at": draw(past_instants).isoformat(),
        "location": location,
        "data": draw(
            st.dictionaries(
                st.text(storable_text, max_size=10),
                st.integers() | st.text(storable_text, max_size=20),
                max_size=4,
            )
        ),
    }
    if draw(st.booleans()):
        payload["programme"] = draw(st.from_regex(r"\A[a-z][a-z0-9_-]{0,20}\Z"))
    if draw(st.booleans()):
        payload["licence"] = draw(
            st.sampled_from(["CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0", "etalab-2.0"])
        )
    if draw(st.booleans()):
        payload["comment"] = draw(st.text(storable_text, max_size=200))
    return payload


def now() -> datetime:
    """Aware UTC now."""
    return datetime.now(UTC)
