"""The near-duplicate rule, as PostgreSQL runs it, against an independent oracle.

Each example stores two records in a transaction that is rolled back, asks the rule
(`duplicates.store.possible_duplicate`) about the first, and compares with what the
issue says: the same taxon in the same programme, within 30 minutes, and positions
100 m apart or less once both uncertainties are taken off (distances on the WGS84
ellipsoid, examples too close to a bound to tell left out); heritage: the same item
on the same local day.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from cairn.demo.seed import load_demo
from cairn.moderation.model import RADIUS_M, WINDOW
from cairn.moderation.store import flagged, possible_duplicate
from cairn.settings import Settings
from tests.world import add_programme

GEOD = Geod(ellps="WGS84")
BASE = datetime(2026, 7, 14, 7, 0, tzinfo=UTC)
TAXA = (61098, 60015)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


async def store_row(db: asyncpg.Connection, **values: Any) -> uuid.UUID:
    """One observation row as intake leaves it, with only what the rule reads varying."""
    row = {
        "id": uuid.uuid4(),
        "kind": "species",
        "programme": "default",
        "observed_at": BASE,
        "observed_offset_s": 7200,
        "accuracy_m": None,
        "status": "pending",
        "data": {"count": 1},
        "taxon_cd_ref": TAXA[0],
        **values,
    }
    await db.execute(
        """INSERT INTO observation (id, kind, schema_version, programme, observed_at,
               observed_offset_s, lon, lat, accuracy_m, data, licence, content_hash, status,
               taxon_cd_nom, taxon_cd_ref)
           VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, 'CC-BY-4.0', $10, $11, $12, $12)""",
        row["id"],
        row["kind"],
        row["programme"],
        row["observed_at"],
        row["observed_offset_s"],
        row["lon"],
        row["lat"],
        row["accuracy_m"],
        row["data"],
        hashlib.sha256(row["id"].bytes).digest(),
        row["status"],
        row["taxon_cd_ref"],
    )
    identifier: uuid.UUID = row["id"]
    return identifier


async def flag_of(db: asyncpg.Connection, observation_id: uuid.UUID) -> uuid.UUID | None:
    found: uuid.UUID | None = await db.fetchval(
        f"SELECT {possible_duplicate('o')} FROM observation o WHERE o.id = $1", observation_id
    )
    return found


async def flagged_pair(
    db: asyncpg.Connection, first: dict[str, Any], second: dict[str, Any]
) -> bool:
    """Store both rows; whether the rule names the second as the first's duplicate. The rows
    are rolled back, so each example starts from the same empty programmes."""
    transaction = db.transaction()
    await transaction.start()
    try:
        ids = [await store_row(db, **first), await store_row(db, **second)]
        found = await flag_of(db, ids[0])
        assert found in (None, ids[1])
        return found is not None
    finally:
        await transaction.rollback()


ACCURACY = st.one_of(st.none(), st.floats(min_value=0, max_value=300))


@pytest.fixture
async def second_programme(db: asyncpg.Connection) -> str:
    await add_programme(db, "lacs")
    return "lacs"


@EXAMPLES
@given(
    lon=st.floats(6.3, 6.9),
    lat=st.floats(44.5, 45.0),
    bearing=st.floats(-180, 180),
    metres=st.floats(0, 900),
    accuracies=st.tuples(ACCURACY, ACCURACY),
    seconds=st.integers(-3 * 3600, 3 * 3600),
    same_taxon=st.booleans(),
    same_programme=st.booleans(),
    withdrawn=st.booleans(),
)
async def test_species_the_rule_flags_exactly_the_same_taxon_near_and_soon(
    db: asyncpg.Connection,
    second_programme: str,
    lon: float,
    lat: float,
    bearing: float,
    metres: float,
    accuracies: tuple[float | None, float | None],
    seconds: int,
    same_taxon: bool,
    same_programme: bool,
    withdrawn: bool,
) -> None:
    other_lon, other_lat, _ = GEOD.fwd(lon, lat, bearing, metres)
    distance = GEOD.inv(lon, lat, other_lon, other_lat)[2]
    gap = distance - (accuracies[0] or 0) - (accuracies[1] or 0)
    assume(abs(gap - RADIUS_M) > 0.01 * distance + 0.05)  # haversine and ellipsoid agree
    assume(abs(abs(seconds) - WINDOW.total_seconds()) >= 1)
    first = {"lon": lon, "lat": lat, "accuracy_m": accuracies[0]}
    second = {
        "lon": other_lon,
        "lat": other_lat,
        "accuracy_m": accuracies[1],
        "observed_at": BASE + timedelta(seconds=seconds),
        "taxon_cd_ref": TAXA[0] if same_taxon else TAXA[1],
        "programme": "default" if same_programme else second_programme,
        "status": "withdrawn" if withdrawn else "pending",
    }
    expected = (
        same_taxon
        and same_programme
        and not withdrawn
        and abs(seconds) <= WINDOW.total_seconds()
        and gap <= RADIUS_M
    )
    assert await flagged_pair(db, first, second) == expected, (gap, seconds)


@EXAMPLES
@given(
    hours=st.floats(-40, 40),
    offsets=st.tuples(st.integers(-12, 14), st.integers(-12, 14)),
    same_item=st.booleans(),
    metres=st.floats(0, 5000),
)
async def test_heritage_the_rule_flags_the_same_item_on_the_same_local_day(
    db: asyncpg.Connection,
    hours: float,
    offsets: tuple[int, int],
    same_item: bool,
    metres: float,
) -> None:
    """Whatever the distance: an item is where it is; its day is each phone's own calendar day."""
    item = str(uuid.uuid4())
    when = BASE + timedelta(hours=hours)
    other_lon, other_lat, _ = GEOD.fwd(6.64, 44.9, 90, metres)
    first = {
        "kind": "heritage",
        "data": {"category": "sundial", "item_id": item},
        "taxon_cd_ref": None,
        "observed_offset_s": offsets[0] * 3600,
        "lon": 6.64,
        "lat": 44.9,
    }
    second = {
        **first,
        "data": {"category": "sundial", "item_id": item if same_item else str(uuid.uuid4())},
        "observed_at": when,
        "observed_offset_s": offsets[1] * 3600,
        "lon": other_lon,
        "lat": other_lat,
    }
    local = [
        (BASE + timedelta(hours=offsets[0])).date(),
        (when + timedelta(hours=offsets[1])).date(),
    ]
    expected = same_item and local[0] == local[1]
    assert await flagged_pair(db, first, second) == expected, local


async def test_of_several_candidates_the_closest_in_time_is_named(db: asyncpg.Connection) -> None:
    first = await store_row(db, lon=6.64, lat=44.9)
    await store_row(db, lon=6.64, lat=44.9, observed_at=BASE + timedelta(minutes=20))
    closest = await store_row(db, lon=6.6401, lat=44.9, observed_at=BASE - timedelta(minutes=4))
    assert await flag_of(db, first) == closest


async def test_the_demo_data_and_its_flags(db: asyncpg.Connection, settings: Settings) -> None:
    """`cairn demo`'s 200 records: the rule's count equals a brute-force count over the rows."""
    await load_demo(db, settings, 200)
    rows = await db.fetch(
        "SELECT id, taxon_cd_ref, observed_at, lon, lat, accuracy_m FROM observation"
        " WHERE programme = 'demo'"
    )

    def near(a: asyncpg.Record, b: asyncpg.Record) -> bool:
        gap = (
            GEOD.inv(a["lon"], a["lat"], b["lon"], b["lat"])[2]
            - (a["accuracy_m"] or 0)
            - (b["accuracy_m"] or 0)
        )
        return (
            a["taxon_cd_ref"] == b["taxon_cd_ref"]
            and abs(a["observed_at"] - b["observed_at"]) <= WINDOW
            and gap <= RADIUS_M
        )

    expected = sum(any(near(a, b) for b in rows if b["id"] != a["id"]) for a in rows)
    count = await flagged(db, "demo")
    assert count == expected
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "demo-duplicates.json").write_text(
        json.dumps({"demo_records": len(rows), "flagged": count})
    )
