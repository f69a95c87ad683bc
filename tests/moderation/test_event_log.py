"""The event log always reproduces the moderation state of the row (property tests)."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import asyncpg
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.db import create_pool
from cairn.core.errors import ConflictError
from cairn.moderation import store as reviews
from cairn.moderation.model import BrokenLogError, Event, ModerationState, replay
from cairn.records.vocabulary import TRACKED
from cairn.staff.scope import RecordScope
from tests.world import Client, load_taxa, plain_taxon, sensitive_taxon, submit

STATUSES = ["pending", "certain", "probable", "doubtful", "invalid", "not_assessable", "unknown"]

decisions = st.lists(
    st.tuples(
        st.sampled_from(STATUSES),
        st.none()
        | st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30),
        st.sampled_from([None, "plain", "sensitive"]),
        st.booleans(),  # send a stale expected version?
        st.booleans(),  # in bulk?
    ),
    max_size=8,
)


def _state(row: asyncpg.Record) -> ModerationState:
    return ModerationState(**{name: row[name] for name in (*TRACKED, "version")})


@pytest.fixture
async def pool(dsn: str) -> Any:
    pool = await create_pool(dsn, 1, 2)
    yield pool
    await pool.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=decisions)
async def test_replaying_the_log_gives_the_row(
    client: Client, db: asyncpg.Connection, pool: Any, steps: list[Any]
) -> None:
    taxa = {"plain": plain_taxon(), "sensitive": sensitive_taxon()}
    await load_taxa(db, list(taxa.values()))
    obs = await submit(client)
    actor = uuid.uuid4()
    for status, comment, taxon, stale, bulk in steps:
        version = await db.fetchval("SELECT version FROM observation WHERE id = $1", obs)
        codes = None if taxon is None else (taxa[taxon], taxa[taxon])
        decision = reviews.Decision(
            status=status,
            comment=comment,
            taxon=codes,
            actor=actor,
            expected_versions={obs: version - 1 if stale and version > 1 else version},
        )
        async with pool.acquire() as conn, conn.transaction():
            if bulk:
                await reviews.apply(conn, [obs], RecordScope(["default"], []), decision)
            else:
                with contextlib.suppress(ConflictError):
                    await reviews.review(conn, obs, RecordScope(["default"], []), decision)
    events = await reviews.history(pool, obs, RecordScope(["default"], []))
    row = await db.fetchrow("SELECT * FROM observation WHERE id = $1", obs)
    replayed = replay(events)
    if replayed is None:
        assert row["version"] == 1
        assert row["status"] == "pending"
    else:
        assert replayed == _state(row)


def _event(n: int, version: int, before: dict[str, Any], after: dict[str, Any]) -> Event:
    return Event(
        id=n,
        occurred_at=datetime(2026, 7, 1, tzinfo=UTC),
        actor_kind="staff",
        actor_id=None,
        action="review",
        version=version,
        before=before,
        after=after,
        comment=None,
    )


states = st.builds(
    dict,
    status=st.sampled_from(STATUSES),
    validation_method=st.sampled_from([None, "manual", "automatic"]),
    moderator_comment=st.none() | st.text(max_size=10),
    taxon_cd_nom=st.none() | st.integers(1, 10**6),
    taxon_cd_ref=st.none() | st.integers(1, 10**6),
)


@given(chain=st.lists(states, min_size=2, max_size=8), start=st.integers(1, 50))
def test_replay_of_a_chained_log_ends_in_the_last_state(
    chain: list[dict[str, Any]], start: int
) -> None:
    events = [
        _event(i, start + i, before, after)
        for i, (before, after) in enumerate(pairwise(chain), start=1)
    ]
    assert replay(events) == msgspec.convert(
        {**chain[-1], "version": start + len(events)}, ModerationState
    )


@given(chain=st.lists(states, min_size=4, max_size=8), data=st.data())
def test_a_gap_in_the_log_is_detected(chain: list[dict[str, Any]], data: st.DataObject) -> None:
    """A missing event between others is always noticed (versions must follow each other)."""
    events = [
        _event(i, i + 1, before, after)
        for i, (before, after) in enumerate(pairwise(chain), start=1)
    ]
    dropped = data.draw(st.integers(1, len(events) - 2))
    broken = events[:dropped] + events[dropped + 1 :]
    with pytest.raises(BrokenLogError):
        replay(broken)


def test_no_events_no_state() -> None:
    assert replay([]) is None
