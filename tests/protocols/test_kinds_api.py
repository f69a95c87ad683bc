"""Programme kinds through the API: drafts, publication, immutability, hostile schemas."""

from __future__ import annotations

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.protocols.model import MAX_SCHEMA_BYTES, schema_errors
from tests.factories import observation_payload, signed
from tests.protocols.examples import (
    AMPHIBIAN_CROSSING,
    COMMON_TOAD,
    amphibian_crossing,
    labels,
    programme_admin,
    publish_kind,
)
from tests.world import Client, add_staff, load_taxa, sign_in

KINDS = "/api/v1/programmes/default/kinds"


@pytest.fixture
async def admin(client: Client, db: asyncpg.Connection) -> dict[str, str]:
    await load_taxa(db, [COMMON_TOAD])
    return await programme_admin(client, db, "default")


def crossing(**data: object) -> dict[str, object]:
    return observation_payload(kind="amphibian_crossing", data=data)


async def test_a_draft_is_invisible_until_published(client: Client, admin: dict[str, str]) -> None:
    created = await client.post(
        KINDS, json={"kind": "amphibian_crossing", "schema": AMPHIBIAN_CROSSING}, headers=admin
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    assert (draft["version"], draft["state"], draft["published_at"]) == (1, "draft", None)
    assert draft["schema"]["x-kind"] == "amphibian_crossing"
    assert draft["schema"]["x-version"] == 1

    listed = (await client.get("/api/v1/schemas")).json()["items"]
    assert [k["kind"] for k in listed] == ["heritage", "species"]
    assert (await client.get("/api/v1/schemas/amphibian_crossing/1")).status_code == 404
    refused = await client.post(
        "/api/v1/observations",
        json=crossing(cd_nom=COMMON_TOAD, alive=3),
        headers=await signed(client),
    )
    assert refused.status_code == 422
    assert {e["pointer"] for e in refused.json()["errors"]} == {"/kind", "/schema_version"}

    published = await client.post(f"{KINDS}/amphibian_crossing/1/publish", headers=admin)
    assert published.status_code == 200, published.text
    assert published.json()["state"] == "published"
    listed = (await client.get("/api/v1/schemas")).json()["items"]
    assert listed[-1] == {
        "kind": "amphibian_crossing",
        "version": 1,
        "url": "/api/v1/schemas/amphibian_crossing/1",
        "title": {
            "fr": "Comptage amphibiens — passage route",
            "en": "Amphibian count — road crossing",
            "it": "Conteggio anfibi — attraversamento stradale",
        },
        "programme": "default",
    }
    assert "programme" not in listed[0]  # the bundled kinds keep their shape
    schema = await client.get("/api/v1/schemas/amphibian_crossing/1")
    assert schema.json()["properties"] == AMPHIBIAN_CROSSING["properties"]
    accepted = await client.post(
        "/api/v1/observations",
        json=crossing(cd_nom=COMMON_TOAD, alive=3),
        headers=await signed(client),
    )
    assert accepted.status_code == 201, accepted.text
    programme = (await client.get("/api/v1/programmes/default")).json()
    assert programme["kinds"]["amphibian_crossing"] == [1]


async def test_a_published_version_never_changes(
    client: Client, admin: dict[str, str], db: asyncpg.Connection
) -> None:
    version = await publish_kind(client, admin, "default", "amphibian_crossing", AMPHIBIAN_CROSSING)
    before = (await client.get(f"/api/v1/schemas/amphibian_crossing/{version}")).json()
    # Publishing again answers the same version; editing makes the next one.
    again = await client.post(f"{KINDS}/amphibian_crossing/1/publish", headers=admin)
    assert again.json()["published_at"] is not None
    edited = amphibian_crossing(title="Comptage amphibiens (v2)")
    second = await client.post(
        KINDS, json={"kind": "amphibian_crossing", "schema": edited}, headers=admin
    )
    assert second.json()["version"] == 2
    assert (await client.get("/api/v1/schemas/amphibian_crossing/1")).json() == before
    # Even the database itself refuses to change or delete a published version.
    with pytest.raises(asyncpg.CheckViolationError, match="published"):
        await db.execute("UPDATE programme_kind SET schema = '{}' WHERE version = 1")
    with pytest.raises(asyncpg.CheckViolationError, match="published"):
        await db.execute("DELETE FROM programme_kind WHERE version = 1")
    # A draft can be superseded by publishing; records name the version they follow.
    await client.post(f"{KINDS}/amphibian_crossing/2/publish", headers=admin)
    old = await client.post(
        "/api/v1/observations",
        json=crossing(cd_nom=COMMON_TOAD, alive=1) | {"schema_version": 1},
        headers=await signed(client),
    )
    assert old.status_code == 201
    assert old.json()["schema_version"] == 1
    audit = await db.fetch("SELECT action, subject FROM staff_audit ORDER BY id")
    assert [tuple(r) for r in audit][-4:] == [
        ("kind_draft", "default/amphibian_crossing/1"),
        ("kind_publish", "default/amphibian_crossing/1"),
        ("kind_draft", "default/amphibian_crossing/2"),
        ("kind_publish", "default/amphibian_crossing/2"),
    ]


async def test_every_bad_field_at_once_against_the_named_version(
    client: Client, admin: dict[str, str]
) -> None:
    await publish_kind(client, admin, "default", "amphibian_crossing", AMPHIBIAN_CROSSING)
    bad = crossing(alive=-1, crushed="yes", crushed_count=2, colour="green")
    refused = await client.post("/api/v1/observations", json=bad, headers=await signed(client))
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    found = {(e["pointer"], e["code"]) for e in refused.json()["errors"]}
    assert found == {
        ("/data/cd_nom", "missing"),
        ("/data/alive", "out_of_range"),
        ("/data/crushed", "wrong_type"),
        ("/data/colour", "unknown_field"),
        ("/data/crushed_count", "invalid"),  # shown only when crushed ones were found
    }
    conditional = crossing(cd_nom=COMMON_TOAD, alive=0, crushed=True)
    missing = (
        await client.post("/api/v1/observations", json=conditional, headers=await signed(client))
    ).json()
    assert [(e["pointer"], e["code"]) for e in missing["errors"]] == [
        ("/data/crushed_count", "missing")
    ]
    unknown_taxon = crossing(cd_nom=99999998, alive=2)
    refused = (
        await client.post("/api/v1/observations", json=unknown_taxon, headers=await signed(client))
    ).json()
    assert [(e["pointer"], e["code"]) for e in refused["errors"]] == [
        ("/data/cd_nom", "unknown_taxon")
    ]


async def test_only_the_programme_admins_write_kinds(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "moderator@petr.fr", "moderator", programme="default")
    await add_staff(db, "other@petr.fr", "admin", programme="demo")
    body = {"kind": "amphibian_crossing", "schema": AMPHIBIAN_CROSSING}
    assert (await client.post(KINDS, json=body)).status_code == 401
    moderator = await sign_in(client, "moderator@petr.fr")
    assert (await client.post(KINDS, json=body, headers=moderator)).status_code == 403
    listed = await client.get(KINDS, headers=moderator)
    assert listed.status_code == 200
    other = await sign_in(client, "other@petr.fr")
    assert (await client.post(KINDS, json=body, headers=other)).status_code == 404
    # A kind's name belongs to the programme that made it first.
    ours = await client.post("/api/v1/programmes/demo/kinds", json=body, headers=other)
    assert ours.status_code == 201
    admin = await programme_admin(client, db, "default")
    taken = await client.post(KINDS, json=body, headers=admin)
    assert taken.status_code == 409
    bundled = await client.post(KINDS, json={**body, "kind": "species"}, headers=admin)
    assert bundled.status_code == 422
    assert bundled.json()["errors"][0]["pointer"] == "/kind"


HOSTILE = [
    ({"$ref": "https://evil.example/schema.json"}, "/schema/$ref", "remote_reference"),
    (
        amphibian_crossing(properties={"a": {"$ref": "http://x/y", "title": "a"}}),
        "/schema/properties/a/$ref",
        "remote_reference",
    ),
    ({"type": "object", "minProperties": -1}, "/schema/minProperties", "invalid_schema"),
    (
        amphibian_crossing(patternProperties={"^x": {}}),
        "/schema/patternProperties",
        "unsupported_keyword",
    ),
    (amphibian_crossing(additionalProperties=True), "/schema/additionalProperties", "not_allowed"),
    (
        amphibian_crossing(
            properties={
                "weather": {
                    "type": "string",
                    "enum": ["sun", "rain"],
                    "title": "Météo",
                    "x-i18n": labels("Météo", "Weather", "Meteo"),
                    "x-enum-i18n": {
                        "sun": {"fr": "soleil", "en": "sun", "it": "sole"},
                        "rain": {"fr": "pluie", "en": "rain"},
                    },
                }
            },
            required=[],
            allOf=None,
        ),
        "/schema/properties/weather/x-enum-i18n/rain/it",
        "missing_label",
    ),
    (
        amphibian_crossing(
            properties={
                "note": {
                    "type": "string",
                    "title": "Note",
                    "x-i18n": labels("Note", "Note", "Nota"),
                }
            },
            required=[],
            allOf=None,
        ),
        "/schema/properties/note/maxLength",
        "missing",
    ),
    (
        amphibian_crossing(
            properties={"x": {"type": "null", "title": "x", "x-i18n": labels("x", "x", "x")}},
            required=[],
            allOf=None,
        ),
        "/schema/properties/x/type",
        "not_allowed",
    ),
    (
        {
            "a": {
                "b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": 1}}}}}}}}}}}
            }
        },
        "/schema/a/b/c/d/e/f/g/h/i/j/k/l/m",
        "too_deep",
    ),
    ({"title": "x" * MAX_SCHEMA_BYTES}, "/schema", "too_long"),
    (amphibian_crossing(**{"x-order": ["cd_nom", "alive"]}), "/schema/x-order", "invalid"),
    (
        amphibian_crossing(**{"x-order": ["cd_nom", "alive", "crushed", "crushed_count", 4]}),
        "/schema/x-order",
        "invalid",
    ),
]


@pytest.mark.parametrize(("schema", "where", "code"), HOSTILE)
async def test_a_hostile_schema_is_refused_with_its_pointer(
    client: Client,
    admin: dict[str, str],
    db: asyncpg.Connection,
    schema: object,
    where: str,
    code: str,
) -> None:
    refused = await client.post(KINDS, json={"kind": "hostile", "schema": schema}, headers=admin)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (where, code) in {(e["pointer"], e["code"]) for e in refused.json()["errors"]}
    assert await db.fetchval("SELECT count(*) FROM programme_kind") == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
keywords = st.sampled_from(
    [
        "type",
        "properties",
        "required",
        "allOf",
        "if",
        "then",
        "else",
        "enum",
        "$ref",
        "items",
        "x-i18n",
        "x-enum-i18n",
        "title",
        "const",
        "additionalProperties",
        "format",
        "minimum",
        "x-order",
    ]
)
schemas_of_keywords = st.recursive(
    json_values,
    lambda inner: st.dictionaries(keywords | st.text(max_size=6), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(schemas_of_keywords)
def test_any_document_gets_errors_or_passes_never_an_exception(schema: object) -> None:
    errors = schema_errors(schema)
    assert all(e.pointer.startswith("/schema") and e.code for e in errors)
