"""Validators by taxon group: a bird validator reaches the birds of every programme, nothing else.

Every staff route on records is tried by an ornithologist (moderator of the Oiseaux
on the whole platform) on a bird and on a plant of the same programme: the plant
answers 404 everywhere, like a record that does not exist. A re-identification
into another group hands the record over to that group's validators.
"""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cairn.staff.model import ROLE_RANK, Grant, Role, Staff, effective_group_roles, effective_roles
from cairn.staff.scope import RecordScope, record_scope
from tests.photos.images import photo
from tests.world import Client, add_staff, sign_in, submit

BIRD = 965  # Grèbe huppé, Oiseaux in the park's list
PLANT = 79734  # Angiospermes in the park's list
JPEG = {"Content-Type": "image/jpeg"}


class Birds:
    """A bird and a plant (each with a photo), and the headers of each person."""

    def __init__(self, bird: uuid.UUID, plant: uuid.UUID, photos: dict[uuid.UUID, str]) -> None:
        self.bird = bird
        self.plant = plant
        self.photos = photos
        self.headers: dict[str, dict[str, str]] = {}


async def _with_photo(client: Client, cd_nom: int) -> tuple[uuid.UUID, str]:
    device = (await client.post("/api/v1/devices")).json()
    headers = {"Authorization": f"Bearer {device['token']}"}
    record = uuid.uuid4()
    payload: dict[str, Any] = {
        "id": str(record),
        "kind": "species",
        "schema_version": 1,
        "programme": "default",
        "observed_at": "2026-07-14T09:32:00+02:00",
        "location": {"lon": 6.6433, "lat": 44.8986, "accuracy_m": 12},
        "data": {"cd_nom": cd_nom},
    }
    assert (await client.post("/api/v1/observations", json=payload, headers=headers)).is_success
    put = await client.put(
        f"/api/v1/observations/{record}/photos/{uuid.uuid4()}",
        content=photo(colour=(cd_nom % 255, 90, 30)),
        headers={**headers, **JPEG},
    )
    assert put.status_code == 201, put.text
    return record, put.json()["urls"]["small"]


@pytest.fixture
async def birds(client: Client, db: asyncpg.Connection) -> Birds:
    await add_staff(db, "root@petr.fr", "admin")
    await add_staff(db, "orni@lpo.fr", None)
    await add_staff(db, "flore@cbn.fr", None)
    root = await sign_in(client, "root@petr.fr")
    for email, group in (("orni@lpo.fr", "Oiseaux"), ("flore@cbn.fr", "Angiospermes")):
        body = {"email": email, "role": "moderator", "taxon_groups": [group]}
        granted = await client.post("/api/v1/grants", json=body, headers=root)
        assert granted.status_code == 201, granted.text
    bird, bird_photo = await _with_photo(client, BIRD)
    plant, plant_photo = await _with_photo(client, PLANT)
    world = Birds(bird, plant, {bird: bird_photo, plant: plant_photo})
    world.headers = {
        "orni": await sign_in(client, "orni@lpo.fr"),
        "flore": await sign_in(client, "flore@cbn.fr"),
        "root": root,
    }
    return world


async def _version(db: asyncpg.Connection, obs: uuid.UUID) -> int:
    return int(await db.fetchval("SELECT version FROM observation WHERE id = $1", obs))


async def _every_route(
    client: Client, db: asyncpg.Connection, obs: uuid.UUID, photo_url: str, h: dict[str, str]
) -> dict[str, Any]:
    """What each staff route on records answers this person about `obs`."""

    async def decide(**extra: Any) -> int:
        body = {"status": "certain", "expected_version": await _version(db, obs), **extra}
        return (
            await client.post(f"/api/v1/observations/{obs}/reviews", json=body, headers=h)
        ).status_code

    queue = await client.get("/api/v1/moderation/queue", headers=h)
    seen = {
        "staff view": (
            await client.get(f"/api/v1/moderation/observations/{obs}", headers=h)
        ).status_code,
        "record": (await client.get(f"/api/v1/observations/{obs}", headers=h)).status_code,
        "history": (await client.get(f"/api/v1/observations/{obs}/history", headers=h)).status_code,
        "photo": (await client.get(photo_url, headers=h)).status_code,
        "queue": str(obs) in {item["id"] for item in queue.json()["items"]},
        "reidentify": await decide(cd_nom=BIRD),
    }
    bulk = await client.post(
        "/api/v1/reviews/bulk", json={"ids": [str(obs)], "status": "doubtful"}, headers=h
    )
    return {
        **seen,
        "bulk": [r["outcome"] for r in bulk.json()["results"]],
        "review": await decide(),
    }


async def test_a_bird_validator_gets_404_on_a_plant_everywhere(
    client: Client, db: asyncpg.Connection, birds: Birds
) -> None:
    orni = birds.headers["orni"]
    on_plant = await _every_route(client, db, birds.plant, birds.photos[birds.plant], orni)
    assert on_plant == {
        "staff view": 404,
        "record": 404,
        "history": 404,
        "photo": 404,
        "queue": False,
        "reidentify": 404,
        "bulk": ["not_found"],
        "review": 404,
    }
    assert (
        await db.fetchval(
            "SELECT count(*) FROM observation_event WHERE observation_id = $1", birds.plant
        )
        == 0
    )
    on_bird = await _every_route(client, db, birds.bird, birds.photos[birds.bird], orni)
    assert on_bird == {
        "staff view": 200,
        "record": 200,
        "history": 200,
        "photo": 200,
        "queue": True,
        "reidentify": 200,
        "bulk": ["decided"],
        "review": 200,
    }


async def test_the_queue_of_a_group_validator_holds_only_that_group(
    client: Client, db: asyncpg.Connection, birds: Birds
) -> None:
    seen = {}
    for person in ("orni", "flore", "root"):
        page = await client.get("/api/v1/moderation/queue", headers=birds.headers[person])
        seen[person] = ({item["id"] for item in page.json()["items"]}, page.json()["counts"])
    assert seen["orni"] == ({str(birds.bird)}, {"pending": 1})
    assert seen["flore"] == ({str(birds.plant)}, {"pending": 1})
    assert seen["root"][0] == {str(birds.bird), str(birds.plant)}
    narrowed = await client.get(
        "/api/v1/moderation/queue", params={"programme": "demo"}, headers=birds.headers["orni"]
    )
    assert narrowed.json()["items"] == []


async def test_a_reidentification_into_another_group_hands_the_record_over(
    client: Client, db: asyncpg.Connection, birds: Birds
) -> None:
    orni, flore = birds.headers["orni"], birds.headers["flore"]
    body = {
        "status": "certain",
        "expected_version": await _version(db, birds.bird),
        "cd_nom": PLANT,
        "comment": "a plant in the foreground, no grebe",
    }
    handed = await client.post(
        f"/api/v1/observations/{birds.bird}/reviews", json=body, headers=orni
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"] == "pending"
    assert handed.json()["taxon"]["group"] == "Angiospermes"
    assert (
        await client.get(f"/api/v1/moderation/observations/{birds.bird}", headers=orni)
    ).status_code == 404
    queue = (await client.get("/api/v1/moderation/queue", headers=flore)).json()["items"]
    assert str(birds.bird) in {item["id"] for item in queue}
    history = (await client.get(f"/api/v1/observations/{birds.bird}/history", headers=flore)).json()
    assert [(e["action"], e["after"]["status"], e["after"]["taxon_cd_nom"]) for e in history] == [
        ("hand_over", "pending", PLANT)
    ]
    # A validator of both groups (here the platform admin) re-identifies and decides at once.
    back = {"status": "certain", "expected_version": await _version(db, birds.bird), "cd_nom": BIRD}
    decided = await client.post(
        f"/api/v1/observations/{birds.bird}/reviews", json=back, headers=birds.headers["root"]
    )
    assert (decided.json()["status"], decided.json()["taxon"]["group"]) == ("certain", "Oiseaux")


async def test_narrowed_grants_are_checked_audited_and_shown(
    client: Client, db: asyncpg.Connection, birds: Birds
) -> None:
    root = birds.headers["root"]
    unknown = await client.post(
        "/api/v1/grants",
        json={"email": "orni@lpo.fr", "role": "viewer", "taxon_groups": ["Oiseaux", "Dragons"]},
        headers=root,
    )
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in unknown.json()["errors"]] == ["/taxon_groups/1"]
    admin = await client.post(
        "/api/v1/grants",
        json={"email": "orni@lpo.fr", "role": "admin", "taxon_groups": ["Oiseaux"]},
        headers=root,
    )
    assert admin.status_code == 422
    assert [e["pointer"] for e in admin.json()["errors"]] == ["/taxon_groups"]
    # A second narrowed grant on the same scope adds to the first rather than replacing it.
    mammals = await client.post(
        "/api/v1/grants",
        json={"email": "orni@lpo.fr", "role": "viewer", "taxon_groups": ["Mammifères"]},
        headers=root,
    )
    assert mammals.status_code == 201
    assert mammals.json()["taxon_groups"] == ["Mammifères"]
    me = (await client.get("/api/v1/auth/me", headers=birds.headers["orni"])).json()
    assert me["roles"] == {}
    assert me["platform_role"] is None
    assert me["taxon_groups"]["default"] == {"Oiseaux": "moderator", "Mammifères": "viewer"}
    trail = (await client.get("/api/v1/staff/audit", headers=root)).json()
    narrowed = [e["after"]["taxon_groups"] for e in trail if e["subject"] == "orni@lpo.fr"]
    assert sorted(narrowed) == [["Mammifères"], ["Oiseaux"]]
    assert await db.fetchval("SELECT count(*) FROM staff_grant") == 4


async def test_a_group_validator_reads_no_programme_settings(
    client: Client, db: asyncpg.Connection, birds: Birds
) -> None:
    staff = await client.get("/api/v1/programmes/default/staff", headers=birds.headers["orni"])
    assert staff.status_code == 403
    bulk = await client.post(
        "/api/v1/reviews/bulk",
        json={
            "ids": [str(birds.bird), str(birds.plant), str(await submit(client))],
            "status": "probable",
        },
        headers=birds.headers["orni"],
    )
    assert [r["outcome"] for r in bulk.json()["results"]] == ["decided", "not_found", "not_found"]


ROLES: list[Role] = ["viewer", "moderator", "admin"]
GROUPS = ["Oiseaux", "Mammifères", "Angiospermes"]
PROGRAMMES = {"default": "petr", "demo": "petr", "queyras": "pnrq"}
grants = st.lists(
    st.builds(
        lambda i, role, scope, groups: Grant(
            i, role, scope[0], scope[1], [] if role == "admin" else sorted(set(groups))
        ),
        st.integers(1, 1000),
        st.sampled_from(ROLES),
        st.sampled_from(
            [(None, None), ("petr", None), ("pnrq", None), (None, "default"), (None, "queyras")]
        ),
        st.lists(st.sampled_from(GROUPS), max_size=2),
    ),
    max_size=5,
)


@given(grants, st.sampled_from(ROLES))
def test_the_scope_is_what_the_grants_give_record_by_record(
    given_grants: list[Grant], at_least: Role
) -> None:
    """Whatever the grants, a (programme, group) is in scope iff one grant covers it strongly."""
    staff = Staff(
        id=uuid.uuid4(),
        email="x@y.z",
        display_name="x",
        platform_role=None,
        roles=effective_roles(given_grants, PROGRAMMES),
        organisations_administered=[],
        group_roles=effective_group_roles(given_grants, PROGRAMMES),
    )
    scope = record_scope(staff, at_least)
    for programme, organisation in PROGRAMMES.items():
        for group in [*GROUPS, None]:
            expected = any(
                g.covers(programme, organisation)
                and ROLE_RANK[g.role] >= ROLE_RANK[at_least]
                and (not g.taxon_groups or group in g.taxon_groups)
                for g in given_grants
            )
            assert scope.covers(programme, group) == expected, (programme, group)
            assert scope.narrowed(programme).covers(programme, group) == expected
            assert not RecordScope.narrowed(scope, "elsewhere").covers(programme, group)
