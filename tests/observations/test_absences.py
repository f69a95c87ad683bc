"""An absence: a species (or a programme kind's taxon) searched for and not found.

`data.occurrence_status` is `present` (the default: a record without it is a presence)
or `absent`; an absence refuses every count, each one reported with its pointer and
together with every other bad field, on the kinds shipped and on any kind with a taxon
that records absences. The first-in-commune flag never fires for, nor because of, one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from cairn.core.decoding import schema_errors
from cairn.protocols.kinds import compiled, registry
from cairn.protocols.model import schema_errors as kind_schema_errors
from cairn.records.disclosure import Place, RecordFacts, public_record
from cairn.records.projection import project
from cairn.records.vocabulary import (
    ABSENCE_TEST,
    OCCURRENCE_FIELD,
    count_fields,
    occurrence_status,
    records_absences,
)
from cairn.reference.taxa_store import refresh_profiles
from tests.factories import BRIANCON, observation_payload, signed
from tests.world import plain_taxon

Client = AsyncTestClient[Litestar]
SPECIES = registry()[("species", 1)]
COUNTS = {"count": st.integers(1, 100_000), "abundance_class": st.sampled_from(["1", "2_10"])}


def errors_of(kind: Any, data: dict[str, Any]) -> set[tuple[str, str]]:
    """What intake's structure stage reports for `data` (the kind's validator, as on the wire)."""
    return {
        (e.pointer, e.code)
        for error in kind.validator.iter_errors(data)
        for e in schema_errors(error, ("data",))
    }


def test_the_species_kind_records_absences_and_its_counts_are_the_count_and_the_class() -> None:
    assert records_absences(SPECIES.schema)
    assert count_fields(SPECIES.schema) == ["count", "abundance_class"]
    assert SPECIES.schema["properties"][OCCURRENCE_FIELD]["enum"] == ["present", "absent"]
    assert not records_absences(registry()[("heritage", 1)].schema)


@given(
    st.sampled_from(sorted(COUNTS)).flatmap(lambda name: st.tuples(st.just(name), COUNTS[name])),
    st.sampled_from(["adult", "juvenile"]),
)
def test_a_species_absence_refuses_its_count_with_the_counts_pointer(
    count: tuple[str, Any], life_stage: str
) -> None:
    name, value = count
    absent = {"cd_nom": 61098, OCCURRENCE_FIELD: "absent", name: value, "life_stage": life_stage}
    assert errors_of(SPECIES, absent) == {(f"/data/{name}", "invalid")}
    assert SPECIES.accepts is not None and not SPECIES.accepts(absent)
    for status in ("present", None):  # the same count is fine on a presence
        present = {k: v for k, v in absent.items() if k != OCCURRENCE_FIELD}
        if status:
            present[OCCURRENCE_FIELD] = status
        assert errors_of(SPECIES, present) == set()
        assert SPECIES.accepts(present)


@given(st.data())
def test_an_absence_without_a_count_is_valid(data: st.DataObject) -> None:
    record: dict[str, Any] = {"cd_nom": 61098, OCCURRENCE_FIELD: "absent"}
    for name in data.draw(st.sets(st.sampled_from(["life_stage", "sex", "habitat"]))):
        record[name] = data.draw(st.sampled_from(SPECIES.schema["properties"][name]["enum"]))
    assert errors_of(SPECIES, record) == set()
    assert SPECIES.accepts is not None and SPECIES.accepts(record)


@given(st.one_of(st.none(), st.just("present"), st.just("absent"), st.text(max_size=5)))
def test_only_absent_is_an_absence_and_anything_else_is_refused_or_present(value: Any) -> None:
    data: dict[str, Any] = {"cd_nom": 61098}
    if value is not None:
        data[OCCURRENCE_FIELD] = value
    assert occurrence_status(data) == ("absent" if value == "absent" else "present")
    refused = value is not None and value not in ("present", "absent")
    assert (("/data/occurrence_status", "not_allowed") in errors_of(SPECIES, data)) is refused


def _label(text: str) -> dict[str, Any]:
    return {"title": text, "x-i18n": {lang: {"title": text} for lang in ("fr", "en", "it")}}


def kind_with_taxon(counts: list[str], others: list[str]) -> dict[str, Any]:
    """A programme kind with a taxon that records absences: its counts hidden when absent."""
    properties: dict[str, Any] = {
        "cd_nom": {"type": "integer", "minimum": 1, "maximum": 99999999, **_label("Espèce")},
        OCCURRENCE_FIELD: {
            **SPECIES.schema["properties"][OCCURRENCE_FIELD],
        },
    }
    properties.update(
        {
            name: {"type": "integer", "minimum": 0, "maximum": 1000, **_label(name)}
            for name in counts
        }
    )
    properties.update({name: {"type": "boolean", **_label(name)} for name in others})
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["cd_nom"],
        "properties": properties,
        **_label("Protocole"),
    }
    if counts:
        hidden = {name: {"not": {}} for name in counts}
        schema["allOf"] = [{"if": ABSENCE_TEST, "then": {"properties": hidden}}]
    return schema


field_names = st.lists(
    st.sampled_from(["alive", "crushed", "eggs", "larvae", "adults", "seen", "wet"]),
    min_size=1,
    max_size=5,
    unique=True,
)


@settings(max_examples=80, deadline=None)
@given(field_names, st.data())
def test_any_kind_with_a_taxon_refuses_every_count_of_an_absence(
    names: list[str], data: st.DataObject
) -> None:
    split = data.draw(st.integers(0, len(names)))
    counts, others = names[:split], names[split:]
    schema = kind_with_taxon(counts, others)
    assert kind_schema_errors(schema) == []  # the server stores such a kind
    kind = compiled("protocol", 1, schema, "amphibians")
    given_counts = data.draw(
        st.lists(st.sampled_from(counts), unique=True) if counts else st.just([])
    )
    record = {
        "cd_nom": 259,
        OCCURRENCE_FIELD: "absent",
        **dict.fromkeys(given_counts, 3),
        **{name: True for name in others if data.draw(st.booleans())},
    }
    assert errors_of(kind, record) == {(f"/data/{name}", "invalid") for name in given_counts}
    presence = {**record, OCCURRENCE_FIELD: data.draw(st.sampled_from(["present", None]))}
    if presence[OCCURRENCE_FIELD] is None:
        del presence[OCCURRENCE_FIELD]
    assert errors_of(kind, presence) == set()
    assert occurrence_status(presence) == "present"
    if kind.accepts is not None:
        assert kind.accepts(record) is not bool(given_counts)


def _facts(data: dict[str, Any], level: int) -> RecordFacts:
    place = Place(
        lon=BRIANCON["lon"], lat=BRIANCON["lat"], accuracy_m=10, altitude_m=1300,
        commune="05023", commune_centroid=(6.64, 44.9), commune_radius_m=5000.0,
    )  # fmt: skip
    moment = datetime(2026, 7, 14, 9, 32, tzinfo=UTC)
    return RecordFacts(
        status="certain", sensitivity_level=level, geoprivacy="open", place=place,
        observed_at=moment, observer=None, comment=None, data=data, photo_urls=[],
        updated_at=moment,
    )  # fmt: skip


@given(st.sampled_from([None, "present", "absent"]), st.integers(0, 3))
def test_the_public_projection_carries_the_status_and_never_in_the_attributes(
    status: str | None, level: int
) -> None:
    data: dict[str, Any] = {"cd_nom": 61098}
    if status:
        data[OCCURRENCE_FIELD] = status
    public = public_record(_facts(data, level))
    assert public is not None
    assert public.occurrence_status == (status or "present")
    assert OCCURRENCE_FIELD not in public.attributes


def test_absent_with_a_count_and_a_bad_latitude_are_refused_together(app: Litestar) -> None:
    with TestClient(app) as client:
        token = client.post("/api/v1/devices").json()["token"]
        payload = observation_payload(
            data={"cd_nom": 61098, OCCURRENCE_FIELD: "absent", "count": 2, "abundance_class": "1"}
        )
        payload["location"]["lat"] = 91
        answer = client.post(
            "/api/v1/observations", json=payload, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
        found = {(e["pointer"], e["code"]) for e in answer.json()["errors"]}
        assert found == {
            ("/location/lat", "out_of_range"),
            ("/data/count", "invalid"),
            ("/data/abundance_class", "invalid"),
            ("/data", "invalid"),  # a count and a class together, as before absences
        }


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(count=st.integers(1, 100_000), batch=st.booleans())
async def test_an_absence_with_a_count_changes_nothing(
    client: Client, db: asyncpg.Connection, count: int, batch: bool
) -> None:
    payload = observation_payload(
        data={"cd_nom": 61098, OCCURRENCE_FIELD: "absent", "count": count}
    )
    headers = await signed(client)
    if batch:
        answer = await client.post(
            "/api/v1/observations/batch", json={"observations": [payload]}, headers=headers
        )
        [item] = answer.json()["results"]
        assert item["outcome"] == "invalid"
        assert [e["pointer"] for e in item["problem"]["errors"]] == ["/observations/0/data/count"]
    else:
        answer = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert answer.status_code == 422
        assert [(e["pointer"], e["code"]) for e in answer.json()["errors"]] == [
            ("/data/count", "invalid")
        ]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM observation WHERE id = $1", uuid.UUID(payload["id"])
        )
        == 0
    )


async def test_an_absence_is_stored_under_occurrence_status_and_a_presence_by_default(
    client: Client, db: asyncpg.Connection
) -> None:
    headers = await signed(client)
    absent = observation_payload(data={"cd_nom": 61098, OCCURRENCE_FIELD: "absent"})
    present = observation_payload(data={"cd_nom": 61098, "count": 2})
    for payload in (absent, present):
        answer = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert answer.status_code == 201, answer.text
    again = await client.post("/api/v1/observations", json=absent, headers=headers)
    assert again.status_code == 200  # idempotent as any record
    rows = {
        str(r["id"]): r["status"]
        for r in await db.fetch(
            "SELECT o.id, p.occurrence_status AS status, o.data->>'occurrence_status' AS raw"
            " FROM observation o JOIN public_observation p USING (id)"
        )
    }
    assert rows == {absent["id"]: "absent", present["id"]: "present"}
    assert (
        await db.fetchval(
            "SELECT data->>'occurrence_status' FROM observation WHERE id = $1",
            uuid.UUID(absent["id"]),
        )
        == "absent"
    )


async def _flags(client: Client, payload: dict[str, Any]) -> list[str]:
    answer = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert answer.status_code == 201, answer.text
    return [flag["code"] for flag in answer.json()["flags"]]


async def _staff_flags(db: asyncpg.Connection, observation_id: str) -> list[str]:
    flags = await db.fetchval(
        "SELECT flags FROM observation WHERE id = $1", uuid.UUID(observation_id)
    )
    return [flag["code"] for flag in flags]


async def test_first_in_commune_ignores_absences_before_and_never_flags_one(
    client: Client, db: asyncpg.Connection
) -> None:
    """A validated absence is not a known presence: the next presence is still the first;
    and an absence where the taxon was never recorded is no first record of it."""
    taxon = plain_taxon()
    absence = observation_payload(data={"cd_nom": taxon, OCCURRENCE_FIELD: "absent"})
    await _flags(client, absence)
    assert "first_in_commune" not in await _staff_flags(db, absence["id"])
    await db.execute(
        "UPDATE observation SET status = 'certain' WHERE id = $1", uuid.UUID(absence["id"])
    )
    await project(db, [uuid.UUID(absence["id"])])
    presence = observation_payload(data={"cd_nom": taxon})
    await _flags(client, presence)
    assert "first_in_commune" in await _staff_flags(db, presence["id"])
    await db.execute(
        "UPDATE observation SET status = 'certain' WHERE id = $1", uuid.UUID(presence["id"])
    )
    later = observation_payload(data={"cd_nom": taxon})
    await _flags(client, later)
    assert "first_in_commune" not in await _staff_flags(db, later["id"])  # the control


def _at(altitude: float, when: str, **data: Any) -> dict[str, Any]:
    return observation_payload(
        observed_at=when,
        location={**BRIANCON, "accuracy_m": 10, "altitude_m": altitude},
        data={"cd_nom": 61098, **data},
    )


async def test_absences_shape_no_profile_and_get_no_profile_flags(
    client: Client, db: asyncpg.Connection
) -> None:
    """Where and when a taxon was not found says nothing of where and when it lives."""
    headers = await signed(client)
    presences = [_at(2000 + 20 * day, f"2025-07-{day + 1:02d}T10:00:00+02:00") for day in range(25)]
    absences = [
        _at(900, f"2025-01-{day + 1:02d}T10:00:00+01:00", occurrence_status="absent")
        for day in range(5)
    ]
    for payload in presences + absences:
        answer = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert answer.status_code == 201, answer.text
    await db.execute("UPDATE observation SET status = 'certain'")
    assert await refresh_profiles(db, ("certain", "probable")) == 1
    profile = await db.fetchrow("SELECT * FROM taxon_profile")
    assert profile["observations"] == 25 and profile["altitude_low"] >= 2000
    assert list(profile["months"]) == [7]
    vain = _at(900, "2026-01-20T10:00:00+01:00", occurrence_status="absent")
    seen = _at(900, "2026-01-20T10:00:00+01:00")
    for payload in (vain, seen):
        answer = await client.post("/api/v1/observations", json=payload, headers=headers)
        assert answer.status_code == 201, answer.text
    assert not {"altitude_unusual", "season_unusual"} & set(await _staff_flags(db, vain["id"]))
    assert {"altitude_unusual", "season_unusual"} <= set(await _staff_flags(db, seen["id"]))
