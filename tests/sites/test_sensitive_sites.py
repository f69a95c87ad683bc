"""A sensitive site is disclosed as a sensitive taxon of its level, and so is every record at it.

Every channel is parsed (JSON, GeoJSON, CSV, OGC, DwC-A, the site itself, the
offline bundle) and compared with what the policy computes; a public record that
names its site must never point at a place more precise than its own.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from typing import Any

import asyncpg
import msgspec
import pytest
from asyncpg import connect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.core.db import init_connection
from cairn.core.grid import cell_code
from cairn.observations import store as observations
from cairn.observations.model import ObservationIn, content_hash
from cairn.observations.service import Accepted, accept_many
from cairn.observations.validation import Validated
from cairn.records.disclosure import Place, generalise
from cairn.reference.places_store import load_territory
from cairn.settings import Settings
from cairn.sites.model import distance_m
from tests.factories import new_device, observation_payload
from tests.privacy.helpers import GENTIAN, VULTURE, publish, send
from tests.sites.helpers import ABRIES, BRIANCON, GUILLESTRE, make_site, site_admin
from tests.world import Client

NEAR_BRIANCON = (6.6435, 44.8988)  # a few tens of metres from the site, same 10 km cell


def precise(where: tuple[float, float]) -> Place:
    return Place(where[0], where[1], None, None, None, None, None)


async def world(client: Client, db: asyncpg.Connection) -> dict[str, Any]:
    """Sites of each level and records at them, all published."""
    admin = await site_admin(client, db)
    sites = {
        level: (await make_site(client, admin, BRIANCON, sensitive=level, name=f"Site {level}"))
        for level in (0, 1, 2, 3, 4)
    }
    _, headers = await new_device(client)
    await client.put("/api/v1/me", json={"pseudonym": "Aline"}, headers=headers)

    async def at(site: int, taxon: int, where: tuple[float, float]) -> str:
        sent = await send(client, headers, taxon, where, site_id=sites[site]["id"])
        return str(sent["id"])

    records = {
        "plain_at_2": await at(2, GENTIAN, NEAR_BRIANCON),
        "plain_at_2_next_cell": await at(2, GENTIAN, GUILLESTRE),
        "plain_at_1": await at(1, GENTIAN, NEAR_BRIANCON),
        "plain_at_3": await at(3, GENTIAN, NEAR_BRIANCON),
        "plain_at_4": await at(4, GENTIAN, NEAR_BRIANCON),
        "plain_at_0": await at(0, GENTIAN, NEAR_BRIANCON),
        "sensitive_at_0": await at(0, VULTURE, NEAR_BRIANCON),
    }
    await publish(db, *records.values())
    return {"sites": sites, "records": records}


def linked_place_is_no_finer(record: dict[str, Any], sites: dict[str, dict[str, Any]]) -> None:
    """A record naming its site shows the very point the site's public view shows."""
    site = sites[record["site_id"]]
    coordinates = None if site["geometry"] is None else site["geometry"]["coordinates"]
    if site["generalisation"] is None:  # a precise site: only a precise record may name it
        assert record["generalisation"] is None
        return
    shown = (
        None
        if record["location"] is None
        else [record["location"]["lon"], record["location"]["lat"]]
    )
    assert coordinates == shown
    assert record["generalisation"]["code"] == site["generalisation"]["code"]


async def test_every_channel_follows_the_policy_for_records_at_sites(
    client: Client, db: asyncpg.Connection
) -> None:
    made = await world(client, db)
    records, sites = made["records"], made["sites"]
    public_sites = {
        s["id"]: s for s in (await client.get("/api/v1/programmes/default/sites")).json()
    }
    assert str(sites[4]["id"]) not in public_sites  # level 4: nothing of the site is public
    assert (await client.get(f"/api/v1/sites/{sites[4]['id']}")).status_code == 404

    items = {r["id"]: r for r in (await client.get("/api/v1/observations")).json()["items"]}
    assert records["plain_at_4"] not in items

    # The record's level is the site's (the taxon itself is not sensitive).
    cell = generalise(precise(NEAR_BRIANCON), 2)
    assert cell is not None
    at_2 = items[records["plain_at_2"]]
    assert at_2["generalisation"]["level"] == 2
    assert (at_2["location"]["lon"], at_2["location"]["lat"]) == (cell.lon, cell.lat)
    assert at_2["observer"] is None and at_2["comment"] is None and at_2["altitude_m"] is None
    assert at_2["site_id"] == str(sites[2]["id"]) and at_2["site_name"] == "Site 2 (fr)"
    # Same level, but the record lies in another cell than the site: naming the site would
    # place it on the border of the two cells.
    next_cell = items[records["plain_at_2_next_cell"]]
    assert next_cell["grid_10km"] == cell_code(*GUILLESTRE, "10km") != cell.grid_10km
    assert next_cell["site_id"] is None and next_cell["site_name"] is None
    assert items[records["plain_at_1"]]["generalisation"]["method"] == "commune"
    assert items[records["plain_at_1"]]["site_id"] == str(sites[1]["id"])
    assert items[records["plain_at_3"]]["location"] is None
    assert items[records["plain_at_3"]]["site_id"] == str(sites[3]["id"])
    # A precise site names its precise records, never a generalised one.
    assert items[records["plain_at_0"]]["site_id"] == str(sites[0]["id"])
    assert items[records["plain_at_0"]]["generalisation"] is None
    assert items[records["sensitive_at_0"]]["generalisation"]["level"] == 2
    assert items[records["sensitive_at_0"]]["site_id"] is None

    for record in items.values():
        if record["site_id"] is not None:
            linked_place_is_no_finer(record, public_sites)

    features = (await client.get("/api/v1/observations?format=geojson")).json()["features"]
    for feature in features:
        site_id = feature["properties"]["site_id"]
        assert site_id == items[feature["id"]]["site_id"]
        if site_id is not None and public_sites[site_id]["generalisation"] is not None:
            shown = public_sites[site_id]["geometry"]
            assert (shown or {}).get("coordinates") == (feature["geometry"] or {}).get(
                "coordinates"
            )

    text = (await client.get("/api/v1/observations?format=csv")).text.lstrip("\ufeff")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(text))}
    for record_id, record in items.items():
        assert rows[record_id]["site_id"] == (record["site_id"] or "")
        assert rows[record_id]["lon"] == (
            "" if record["location"] is None else repr(record["location"]["lon"])
        )
    assert records["plain_at_4"] not in rows

    for record_id, record in items.items():
        ogc = (await client.get(f"/ogc/collections/observations/items/{record_id}")).json()
        assert ogc["properties"]["site_id"] == record["site_id"]
        where = record["location"]
        assert ogc["geometry"] == (
            None
            if where is None
            else {"type": "Point", "coordinates": [where["lon"], where["lat"]]}
        )

    archive = zipfile.ZipFile(io.BytesIO((await client.get("/api/v1/exports/dwca")).content))
    occurrences = {
        r["occurrenceID"]: r
        for r in csv.DictReader(
            io.StringIO(archive.read("occurrence.txt").decode()), delimiter="\t"
        )
    }
    dwc = occurrences[f"urn:uuid:{records['plain_at_2']}"]
    assert (float(dwc["decimalLongitude"]), float(dwc["decimalLatitude"])) == (cell.lon, cell.lat)
    assert dwc["recordedBy"] == "" and dwc["occurrenceRemarks"] == ""
    assert f"urn:uuid:{records['plain_at_4']}" not in occurrences


async def test_a_sensitive_site_shows_only_its_unit(client: Client, db: asyncpg.Connection) -> None:
    made = await world(client, db)
    sites = made["sites"]
    for level in (1, 2, 3):
        shown = (await client.get(f"/api/v1/sites/{sites[level]['id']}")).json()
        expected = generalise(
            Place(*BRIANCON, None, None, "05023", await _centroid(db, "05023"), None), level
        )
        assert expected is not None
        assert shown["description"] is None  # free text can name the place
        assert shown["generalisation"]["level"] == level
        assert shown["generalisation"]["method"] == expected.method
        if expected.lon is None:
            assert shown["geometry"] is None
        else:
            assert shown["geometry"]["coordinates"] == [expected.lon, expected.lat]
    plain = (await client.get(f"/api/v1/sites/{sites[0]['id']}")).json()
    assert plain["geometry"]["coordinates"] == list(BRIANCON)
    assert plain["description"] is not None

    bundle = (await client.get("/api/v1/reference/bundle")).json()
    offline = {s["id"]: s for s in bundle["sites"]}
    assert str(sites[4]["id"]) not in offline
    for level in (1, 2, 3):
        assert (
            offline[str(sites[level]["id"])]
            == (await client.get(f"/api/v1/sites/{sites[level]['id']}")).json()
        )
    # The precise position of a sensitive site is in no public answer about it.
    for level in (1, 2, 3):
        for answer in (offline[str(sites[level]["id"])],):
            geometry = answer["geometry"]
            assert geometry is None or geometry["coordinates"] != list(BRIANCON)


async def _centroid(db: asyncpg.Connection, insee: str) -> tuple[float, float]:
    row = await db.fetchrow(
        "SELECT centroid_lon, centroid_lat FROM commune WHERE insee = $1", insee
    )
    return row["centroid_lon"], row["centroid_lat"]


async def test_making_a_site_sensitive_reprojects_its_records(
    client: Client, db: asyncpg.Connection
) -> None:
    admin = await site_admin(client, db)
    site = await make_site(client, admin, BRIANCON)
    _, headers = await new_device(client)
    record = (await send(client, headers, GENTIAN, NEAR_BRIANCON, site_id=site["id"]))["id"]
    await publish(db, record)
    before = (await client.get(f"/api/v1/observations/{record}")).json()
    assert before["generalisation"] is None and before["site_id"] == site["id"]
    changed = await client.patch(
        f"/api/v1/programmes/default/sites/{site['id']}", json={"sensitive": 2}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    after = (await client.get(f"/api/v1/observations/{record}")).json()
    cell = generalise(precise(NEAR_BRIANCON), 2)
    assert cell is not None
    assert after["generalisation"]["level"] == 2
    assert (after["location"]["lon"], after["location"]["lat"]) == (cell.lon, cell.lat)
    hidden = await client.patch(
        f"/api/v1/programmes/default/sites/{site['id']}", json={"sensitive": 4}, headers=admin
    )
    assert hidden.status_code == 200
    assert (await client.get(f"/api/v1/observations/{record}")).status_code == 404


@pytest.fixture
async def spread(client: Client, db: asyncpg.Connection) -> list[dict[str, Any]]:
    admin = await site_admin(client, db)
    return [
        await make_site(client, admin, where, sensitive=level, name=name)
        for where, level, name in [
            (BRIANCON, 0, "Briançon"), (GUILLESTRE, 0, "Guillestre"), (ABRIES, 2, "Abriès"),
            (NEAR_BRIANCON, 3, "Caché"),
        ]
    ]  # fmt: skip


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lon=st.floats(min_value=6.2, max_value=7.1, allow_nan=False),
    lat=st.floats(min_value=44.5, max_value=45.1, allow_nan=False),
)
async def test_near_sorts_by_distance_to_the_public_position(
    client: Client, spread: list[dict[str, Any]], lon: float, lat: float
) -> None:
    listed = (
        await client.get("/api/v1/programmes/default/sites", params={"near": f"{lon},{lat}"})
    ).json()
    assert len(listed) == len(spread)
    located = [s for s in listed if s["geometry"] is not None]
    distances = [s["distance_m"] for s in located]
    assert distances == sorted(distances)
    assert all(s["distance_m"] is None for s in listed[len(located) :])
    for site in located:  # measured to what the public sees, never to the precise place
        expected = distance_m(lon, lat, *site["geometry"]["coordinates"])
        assert site["distance_m"] == pytest.approx(expected, abs=0.1)


async def test_a_bad_near_is_a_problem(client: Client) -> None:
    answer = await client.get("/api/v1/programmes/default/sites", params={"near": "east,north"})
    assert answer.status_code == 422
    assert [e["pointer"] for e in answer.json()["errors"]] == ["/query/near"]
    assert (await client.get("/api/v1/programmes/nowhere/sites")).status_code == 404


async def test_a_site_raised_between_intakes_read_and_write_levels_the_record(
    client: Client, db: asyncpg.Connection, dsn: str, settings: Settings
) -> None:
    """Intake reads the site with its references, without the rules lock; a site edit
    committed before its insert counts as a rules change (migration 0018), so the
    record is judged again and published at the site's new level, never the old one."""
    site = await make_site(client, await site_admin(client, db), BRIANCON)
    intake = await connect(dsn)
    try:
        await init_connection(intake)
        observation = msgspec.convert(
            observation_payload(
                data={"cd_nom": GENTIAN, "count": 1},
                location={"lon": NEAR_BRIANCON[0], "lat": NEAR_BRIANCON[1], "accuracy_m": 10},
                site_id=site["id"],
            ),
            ObservationIn,
        )
        found = await observations.references(
            intake, ids=[observation.id], cd_noms=[GENTIAN], places=[], items=[],
            programmes=["default"], statuses=settings.public_statuses, device_id=None,
            lock=False, sites=[uuid.UUID(site["id"])],
        )  # fmt: skip
        assert found.sites[uuid.UUID(site["id"])]["site_level"] == 0
        await db.execute("UPDATE site SET sensitivity_level = 2 WHERE id = $1", site["id"])
        stale = Validated(observation, GENTIAN, GENTIAN, "05023", [])
        written = await observations.insert_many(
            intake, [(stale, content_hash(observation))], None, [], found
        )
        assert written is None
        assert await db.fetchval("SELECT count(*) FROM observation") == 0

        territory = await load_territory(intake)
        [accepted] = await accept_many(intake, territory, settings, [observation], None)
        assert isinstance(accepted, Accepted), getattr(accepted, "errors", accepted)
        assert accepted.outcome == "created"
    finally:
        await intake.close()
    public = await db.fetchrow(
        "SELECT sensitivity_level, lon, lat, site_id FROM public_observation WHERE id = $1",
        observation.id,
    )
    cell = generalise(precise(NEAR_BRIANCON), 2)
    assert cell is not None
    assert (public["sensitivity_level"], public["lon"], public["lat"]) == (2, cell.lon, cell.lat)
