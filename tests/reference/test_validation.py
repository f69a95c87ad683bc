"""The validation pipeline: references, geography, time and plausibility flags."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from shapely.geometry import Point

from cairn.core.errors import InvalidInputError
from cairn.observations.model import ObservationIn
from cairn.observations.validation import Context, TaxonRef, validate
from cairn.protocols.kinds import registry
from cairn.reference.files import bundled_communes, territory
from cairn.reference.taxa_store import refresh_profiles
from cairn.reference.territory import Territory
from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
TERRITORY = Territory.from_communes(bundled_communes())
OUTLINE = territory()


def errors_of(response: Any) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return {(e["pointer"], e["code"]) for e in response.json()["errors"]}


async def test_a_synonym_is_stored_under_its_valid_name(
    client: Client, db: asyncpg.Connection
) -> None:
    payload = observation_payload(data={"cd_nom": 99989, "count": 1})
    response = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert response.status_code == 201, response.text
    assert response.json()["taxon_cd_ref"] == 92220
    row = await db.fetchrow("SELECT taxon_cd_nom, taxon_cd_ref, commune_insee FROM observation")
    assert (row["taxon_cd_nom"], row["taxon_cd_ref"]) == (99989, 92220)
    assert row["commune_insee"] == "05023"  # Briançon


async def test_every_failing_field_is_reported_in_one_document(client: Client) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    payload = observation_payload(
        observed_at=tomorrow,
        location={"lon": 2.35, "lat": 48.85},  # Paris: far outside, and no accuracy
        data={"cd_nom": 1, "count": 0, "sex": "both"},
    )
    assert errors_of(
        await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    ) >= {
        ("/observed_at", "in_future"),
        ("/location", "outside_territory"),
        ("/location/accuracy_m", "missing"),
        ("/data/cd_nom", "unknown_taxon"),
        ("/data/count", "out_of_range"),
        ("/data/sex", "not_allowed"),
    }


async def test_unknown_kind_version_and_heritage_rules(client: Client) -> None:
    assert ("/schema_version", "unknown_schema") in errors_of(
        await client.post(
            "/api/v1/observations",
            json=observation_payload(schema_version=7),
            headers=await signed(client),
        )
    )
    heritage = observation_payload(
        kind="heritage", data={"category": "sundial", "condition": "fine"}
    )
    assert ("/data/condition", "not_allowed") in errors_of(
        await client.post("/api/v1/observations", json=heritage, headers=await signed(client))
    )
    item = observation_payload(
        kind="heritage", data={"category": "sundial", "item_id": str(uuid.uuid4())}
    )
    assert ("/data/item_id", "unknown_item") in errors_of(
        await client.post("/api/v1/observations", json=item, headers=await signed(client))
    )
    good = observation_payload(
        kind="heritage",
        data={"category": "bread_oven", "condition": "degraded", "threats": ["water"]},
    )
    assert (
        await client.post("/api/v1/observations", json=good, headers=await signed(client))
    ).status_code == 201


async def stored_flags(db: asyncpg.Connection, observation_id: str) -> list[dict[str, Any]]:
    """The flags moderators see, as stored."""
    flags: list[dict[str, Any]] = await db.fetchval(
        "SELECT flags FROM observation WHERE id = $1", uuid.UUID(observation_id)
    )
    return flags


async def test_plausibility_flags_mark_but_do_not_reject(
    client: Client, db: asyncpg.Connection
) -> None:
    payload = observation_payload(
        location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 450, "altitude_m": 1326},
        data={"cd_nom": 61098, "count": 900},
    )
    response = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert response.status_code == 201, response.text
    flags = await stored_flags(db, payload["id"])
    assert {"accuracy_poor", "count_high", "first_in_commune"} <= {f["code"] for f in flags}
    for flag in flags:
        assert flag["message"] and isinstance(flag["detail"], dict)
    # The submitter sees only what its own submission says (see PRIVACY.md).
    assert [f["code"] for f in response.json()["flags"]] == ["accuracy_poor"]


async def test_profiles_from_validated_records_flag_an_unusual_altitude(
    client: Client, db: asyncpg.Connection
) -> None:
    for day in range(25):  # 25 validated ibex records between 2 000 and 2 480 m, in July
        payload = observation_payload(
            observed_at=f"2025-07-{day + 1:02d}T10:00:00+02:00",
            location={
                "lon": 6.6433,
                "lat": 44.8986,
                "accuracy_m": 10,
                "altitude_m": 2000 + 20 * day,
            },
            data={"cd_nom": 61098, "count": 2},
        )
        assert (
            await client.post("/api/v1/observations", json=payload, headers=await signed(client))
        ).status_code == 201
    await db.execute("UPDATE observation SET status = 'certain'")
    assert await refresh_profiles(db, ("certain", "probable")) == 1
    low = observation_payload(
        observed_at="2025-01-15T10:00:00+01:00",
        location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 10, "altitude_m": 900},
        data={"cd_nom": 61098, "count": 2},
    )
    assert (
        await client.post("/api/v1/observations", json=low, headers=await signed(client))
    ).status_code == 201
    codes = {f["code"] for f in await stored_flags(db, low["id"])}
    assert {"altitude_unusual", "season_unusual"} <= codes
    assert "first_in_commune" not in codes


# --- the pure pipeline, property-based -------------------------------------------------

min_x, min_y, max_x, max_y = OUTLINE.bounds
inside_points = st.tuples(st.floats(min_x, max_x), st.floats(min_y, max_y)).filter(
    lambda p: OUTLINE.buffer(-0.01).contains(Point(p))
)
species_data = st.fixed_dictionaries(
    {"cd_nom": st.just(61098)},
    optional={
        "count": st.integers(1, 100_000),
        "life_stage": st.sampled_from(["adult", "juvenile", "unknown"]),
        "sex": st.sampled_from(["female", "male", "mixed", "unknown"]),
        "behaviour": st.sampled_from(["feeding", "resting", "flying"]),
        "certainty": st.sampled_from(["certain", "probable", "uncertain"]),
        "habitat": st.sampled_from(["scree", "rock", "grassland"]),
    },
)


def context_for(obs: ObservationIn, now: datetime) -> Context:
    kind = registry().get((obs.kind, obs.schema_version))
    return Context(
        kind_validator=kind.validator if kind else None,
        taxon=TaxonRef(61098, 61098, "Capra ibex") if obs.data.get("cd_nom") == 61098 else None,
        location=TERRITORY.locate(obs.location.lon, obs.location.lat),
        now=now,
        clock_skew=timedelta(minutes=5),
    )


def observation(point: tuple[float, float], data: dict[str, Any], **changes: Any) -> ObservationIn:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "kind": "species",
        "schema_version": 1,
        "observed_at": datetime(2025, 7, 14, 9, 30, tzinfo=UTC),
        "location": {"lon": point[0], "lat": point[1], "accuracy_m": 10.0},
        "data": data,
        "programme": "default",
        "licence": "CC-BY-4.0",
    }
    fields.update(changes)
    return msgspec.convert(fields, ObservationIn)


@settings(max_examples=60, deadline=None)
@given(inside_points, species_data)
def test_valid_species_observations_pass(point: tuple[float, float], data: dict[str, Any]) -> None:
    result = validate(
        observation(point, data), context_for(observation(point, data), datetime.now(UTC))
    )
    assert result.taxon_cd_ref == 61098
    assert result.commune_insee is not None


MUTATIONS: list[tuple[dict[str, Any], tuple[str, str]]] = [
    ({"data": {"cd_nom": 61098, "count": 0}}, ("/data/count", "out_of_range")),
    ({"data": {"cd_nom": 61098, "count": 2, "abundance_class": "2_10"}}, ("/data", "invalid")),
    ({"data": {"cd_nom": 61098, "colour": "brown"}}, ("/data/colour", "unknown_field")),
    ({"data": {"cd_nom": "61098"}}, ("/data/cd_nom", "wrong_type")),
    ({"data": {"count": 2}}, ("/data/cd_nom", "missing")),
    ({"data": {"cd_nom": 999999999}}, ("/data/cd_nom", "unknown_taxon")),
    ({"observed_at": datetime(2999, 1, 1, tzinfo=UTC)}, ("/observed_at", "in_future")),
    ({"observed_at": datetime(1850, 1, 1, tzinfo=UTC)}, ("/observed_at", "too_old")),
    ({"schema_version": 42}, ("/schema_version", "unknown_schema")),
    ({"location": {"lon": 6.6, "lat": 44.9}}, ("/location/accuracy_m", "missing")),
    (
        {"location": {"lon": 5.37, "lat": 43.30, "accuracy_m": 5.0}},
        ("/location", "outside_territory"),
    ),
    (
        {"location": {"lon": 0.0, "lat": 0.0, "accuracy_m": 5.0}},
        ("/location", "implausible_position"),
    ),
]


@settings(max_examples=60, deadline=None)
@given(inside_points, species_data, st.sampled_from(MUTATIONS))
def test_each_mutation_fails_with_its_code_and_pointer(
    point: tuple[float, float],
    data: dict[str, Any],
    mutation: tuple[dict[str, Any], tuple[str, str]],
) -> None:
    changes, expected = mutation
    obs = observation(
        point, changes.get("data", data), **{k: v for k, v in changes.items() if k != "data"}
    )
    with pytest.raises(InvalidInputError) as caught:
        validate(obs, context_for(obs, datetime.now(UTC)))
    assert expected in {(e.pointer, e.code) for e in caught.value.errors}
