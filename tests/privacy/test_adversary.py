"""An adversary's random session, then every open output compared with the policy.

Hypothesis draws a sequence of actions by several devices, a moderator and a
platform admin (submit, batch, edit, review, re-identify, rule add / change /
delete with seasons and areas, withdraw, erase, pseudonym and geoprivacy, a
photo, a moderator's judgement that a photo shows no place, and its undoing);
afterwards each open output is parsed and every record in it is checked
against what the rules in force and the contributor's choice allow, computed
here independently of Cairn's code. Fields are compared parsed, never by
searching the text for digits of a coordinate.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import datetime
from typing import Any

import asyncpg
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from cairn.core.grid import cell_code, cell_polygon
from cairn.records.disclosure import SELF_CONTAINED_FLAGS
from cairn.records.photos import photo_path
from tests.factories import new_device, observation_payload
from tests.photos.images import photo
from tests.privacy.helpers import BRIANCON, GENTIAN, GUILLESTRE, IBEX, VULTURE, Client
from tests.world import add_staff, sign_in, wait_for

ABRIES = (6.9264, 44.7972)
PLACES = [BRIANCON, GUILLESTRE, ABRIES, (6.6391, 44.9012)]
TAXA = [GENTIAN, VULTURE, IBEX]
MOMENTS = [
    "2026-03-01T00:30:00+01:00",  # 28 February in UTC
    "2026-07-31T23:30:00+02:00",  # 31 July locally, 21:30 UTC
    "2025-08-01T00:10:00+02:00",  # 31 July in UTC
    "2026-05-14T09:32:17+02:00",
]
AROUND_BRIANCON = {
    "type": "Polygon",
    "coordinates": [[[6.6, 44.85], [6.7, 44.85], [6.7, 44.95], [6.6, 44.95], [6.6, 44.85]]],
}
PUBLIC = {"certain", "probable"}

devices = st.integers(0, 2)
records = st.integers(0, 20)
rules = st.fixed_dictionaries(
    {
        "cd_ref": st.sampled_from(TAXA),
        "level": st.integers(0, 4),
        "period": st.sampled_from([None, ("03-01", "07-31"), ("11-15", "02-28")]),
        "area": st.sampled_from([None, AROUND_BRIANCON]),
    }
)
submission = st.fixed_dictionaries(
    {
        "taxon": st.sampled_from(TAXA),
        "place": st.sampled_from(PLACES),
        "at": st.sampled_from(MOMENTS),
        "geoprivacy": st.sampled_from([None, "open", "obscured"]),
    }
)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), devices, st.lists(submission, min_size=1, max_size=3)),
        st.tuples(st.just("edit"), records, submission),
        st.tuples(st.just("review"), records, st.sampled_from(["certain", "probable", "invalid"])),
        st.tuples(st.just("reidentify"), records, st.sampled_from(TAXA)),
        st.tuples(st.just("add_rule"), rules),
        st.tuples(st.just("change_rule"), records, rules),
        st.tuples(st.just("delete_rule"), records),
        st.tuples(st.just("withdraw"), records),
        st.tuples(st.just("erase"), devices, st.sampled_from(["anonymise", "delete"])),
        st.tuples(st.just("me"), devices, st.sampled_from([None, "open", "obscured"])),
        st.tuples(st.just("photo"), records, st.integers(0, 2)),
        st.tuples(st.just("judge"), records, st.booleans()),
    ),
    min_size=3,
    max_size=9,
)


class Session:
    """The adversary's world: devices, their records, the staff that moderate them."""

    def __init__(self, client: Client, moderator: dict[str, str], admin: dict[str, str]) -> None:
        self.client = client
        self.moderator = moderator
        self.admin = admin
        self.devices: list[dict[str, str] | None] = []
        self.owners: dict[str, int] = {}
        self.payloads: dict[str, dict[str, Any]] = {}
        self.rule_ids: list[int] = []
        self.flags_seen: list[str] = []

    def record(self, index: int) -> str | None:
        ids = list(self.payloads)
        return ids[index % len(ids)] if ids else None

    async def run(self, action: tuple[Any, ...]) -> None:
        name, *args = action
        await getattr(self, name)(*args)

    async def submit(self, device: int, items: list[dict[str, Any]]) -> None:
        headers = self.devices[device]
        if headers is None:
            return
        payloads = [_payload(item) for item in items]
        if len(payloads) == 1:
            answer = await self.client.post(
                "/api/v1/observations", json=payloads[0], headers=headers
            )
            assert answer.status_code == 201, answer.text
            self.flags_seen += [f["code"] for f in answer.json()["flags"]]
        else:
            answer = await self.client.post(
                "/api/v1/observations/batch", json={"observations": payloads}, headers=headers
            )
            assert answer.status_code == 200, answer.text
            for result in answer.json()["results"]:
                self.flags_seen += [f["code"] for f in result["observation"]["flags"]]
        for payload in payloads:
            self.payloads[payload["id"]] = payload
            self.owners[payload["id"]] = device

    async def version(self, ident: str, headers: dict[str, str]) -> int:
        """The version of one of the device's records, as its owner reads it."""
        mine = (await self.client.get("/api/v1/me/observations", headers=headers)).json()
        return int(
            next(
                i["observation"]["version"]
                for i in mine["items"]
                if i["observation"]["id"] == ident
            )
        )

    async def edit(self, index: int, item: dict[str, Any]) -> None:
        ident = self.record(index)
        headers = self.devices[self.owners[ident]] if ident else None
        if ident is None or headers is None:
            return
        version = await self.version(ident, headers)
        payload = {**_payload(item), "id": ident, "expected_version": version}
        answer = await self.client.put(
            f"/api/v1/observations/{ident}", json=payload, headers=headers
        )
        assert answer.status_code in {200, 409}, answer.text
        if answer.status_code == 200:
            self.flags_seen += [f["code"] for f in answer.json()["flags"]]

    async def review(self, index: int, status: str) -> None:
        ident = self.record(index)
        if ident is not None:
            answer = await self.client.post(
                "/api/v1/reviews/bulk",
                json={"ids": [ident], "status": status},
                headers=self.moderator,
            )
            assert answer.status_code == 200, answer.text

    async def reidentify(self, index: int, taxon: int) -> None:
        ident = self.record(index)
        if ident is None:
            return
        seen = await self.client.get(
            f"/api/v1/moderation/observations/{ident}", headers=self.moderator
        )
        if seen.status_code == 404:  # erased with its contributor
            return
        answer = await self.client.post(
            f"/api/v1/observations/{ident}/reviews",
            json={"status": "certain", "expected_version": seen.json()["version"], "cd_nom": taxon},
            headers=self.moderator,
        )
        assert answer.status_code in {200, 409}, answer.text

    async def _rule_job(self, answer: Any) -> None:
        assert answer.status_code == 202, answer.text
        await wait_for(self.client, self.admin, answer.json()["job"]["id"])

    async def add_rule(self, rule: dict[str, Any]) -> None:
        answer = await self.client.post(
            "/api/v1/sensitivity/rules", json=_rule(rule), headers=self.admin
        )
        await self._rule_job(answer)
        self.rule_ids.append(answer.json()["rule"]["id"])

    async def change_rule(self, index: int, rule: dict[str, Any]) -> None:
        if self.rule_ids:
            rule_id = self.rule_ids[index % len(self.rule_ids)]
            answer = await self.client.put(
                f"/api/v1/sensitivity/rules/{rule_id}", json=_rule(rule), headers=self.admin
            )
            await self._rule_job(answer)

    async def delete_rule(self, index: int) -> None:
        if self.rule_ids:
            rule_id = self.rule_ids.pop(index % len(self.rule_ids))
            answer = await self.client.delete(
                f"/api/v1/sensitivity/rules/{rule_id}", headers=self.admin
            )
            await self._rule_job(answer)

    async def withdraw(self, index: int) -> None:
        ident = self.record(index)
        headers = self.devices[self.owners[ident]] if ident else None
        if ident is None or headers is None:
            return
        version = await self.version(ident, headers)
        answer = await self.client.post(
            f"/api/v1/observations/{ident}/withdraw",
            json={"expected_version": version},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text

    async def erase(self, device: int, choice: str) -> None:
        headers = self.devices[device]
        if headers is not None:
            answer = await self.client.delete(
                "/api/v1/me", params={"observations": choice}, headers=headers
            )
            assert answer.status_code == 204
            self.devices[device] = None
            if choice == "delete":
                for ident in [i for i, owner in self.owners.items() if owner == device]:
                    del self.payloads[ident], self.owners[ident]

    async def photo(self, index: int, picture: int) -> None:
        """The owner attaches a picture (the same picture may go on several records)."""
        ident = self.record(index)
        headers = self.devices[self.owners[ident]] if ident else None
        if ident is None or headers is None:
            return
        answer = await self.client.put(
            f"/api/v1/observations/{ident}/photos/{uuid.uuid4()}",
            content=photo(size=(64, 48), colour=(60 * picture, 90, 30)),
            headers={**headers, "Content-Type": "image/jpeg"},
        )
        assert answer.status_code < 500, answer.text

    async def judge(self, index: int, shows_no_place: bool) -> None:
        """The moderator says the record's first photo shows no place, or takes it back."""
        ident = self.record(index)
        if ident is None:
            return
        seen = await self.client.get(
            f"/api/v1/moderation/observations/{ident}", headers=self.moderator
        )
        if seen.status_code == 404 or not seen.json()["photos"]:
            return
        answer = await self.client.put(
            f"/api/v1/observations/{ident}/photos/{seen.json()['photos'][0]['id']}/shows-no-place",
            json={"shows_no_place": shows_no_place},
            headers=self.moderator,
        )
        assert answer.status_code == 200, answer.text

    async def me(self, device: int, geoprivacy: str | None) -> None:
        headers = self.devices[device]
        if headers is not None:
            body = {"pseudonym": f"Walker{device}", "geoprivacy": geoprivacy}
            answer = await self.client.put("/api/v1/me", json=body, headers=headers)
            assert answer.status_code == 200, answer.text


def _payload(item: dict[str, Any]) -> dict[str, Any]:
    lon, lat = item["place"]
    extra = {} if item["geoprivacy"] is None else {"geoprivacy": item["geoprivacy"]}
    return observation_payload(
        observed_at=item["at"],
        location={"lon": lon, "lat": lat, "accuracy_m": 6, "altitude_m": 1500},
        data={"cd_nom": item["taxon"], "count": 1},
        comment="by the old barn",
        **extra,
    )


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"cd_ref": rule["cd_ref"], "level": rule["level"]}
    if rule["period"]:
        body["period_start"], body["period_end"] = rule["period"]
    if rule["area"]:
        body["area"] = rule["area"]
    return body


def _in_period(day: str, start: str, end: str) -> bool:
    return start <= day <= end if start <= end else day >= start or day <= end


async def allowed_levels(db: asyncpg.Connection) -> dict[str, tuple[int, asyncpg.Record]]:
    """What the rules in force and each contributor's choice require, record by record."""
    rules = await db.fetch(
        "SELECT cd_ref, level, area, period_start, period_end FROM sensitivity_rule"
    )
    truth = await db.fetch(
        """SELECT id::text, status, taxon_cd_ref, lon, lat, observed_at, observed_offset_s,
                  geoprivacy, commune_insee, altitude_m FROM observation"""
    )
    allowed = {}
    for row in truth:
        local = datetime.fromtimestamp(row["observed_at"].timestamp() + row["observed_offset_s"])
        day = local.strftime("%m-%d")
        level = max(
            (
                r["level"]
                for r in rules
                if r["cd_ref"] == row["taxon_cd_ref"]
                and (r["area"] is None or shape(r["area"]).covers(Point(row["lon"], row["lat"])))
                and (
                    r["period_start"] is None or _in_period(day, r["period_start"], r["period_end"])
                )
            ),
            default=0,
        )
        if row["geoprivacy"] == "obscured":
            level = max(level, 2)
        allowed[row["id"]] = (level, row)
    return allowed


def check_record(published: dict[str, Any], level: int, truth: asyncpg.Record) -> None:
    """One open record against the level it must not be finer than (fields as JSON shows them)."""
    assert truth["status"] in PUBLIC and level < 4, "published although it may not be"
    location = published.get("location")
    if level == 0:
        assert (location["lon"], location["lat"]) == (
            round(truth["lon"], 6),
            round(truth["lat"], 6),
        )
        return
    assert published["observer"] is None and published["comment"] is None
    assert published["altitude_m"] is None and published["grid_1km"] is None
    observed = datetime.fromisoformat(published["observed_at"])
    assert observed.time().isoformat() == "00:00:00"
    assert observed.utcoffset().total_seconds() == truth["observed_offset_s"]  # type: ignore[union-attr]
    assert datetime.fromisoformat(published["updated_at"]).time().isoformat() == "00:00:00"
    if level == 1:
        assert published["commune"] == truth["commune_insee"]
    elif level == 2:
        cell = cell_code(truth["lon"], truth["lat"], "10km")
        assert published["grid_10km"] == cell and published["commune"] is None
        assert cell_polygon(cell).buffer(1e-9).covers(Point(location["lon"], location["lat"]))
    else:
        assert location is None and published["commune"] is None and published["grid_10km"] is None


async def every_open_output(client: Client) -> list[dict[str, Any]]:
    """Every record of JSON, GeoJSON, CSV, OGC API and DwC-A, as dicts in the JSON's terms."""
    found = list((await client.get("/api/v1/observations", params={"limit": 1000})).json()["items"])
    geojson = (
        await client.get("/api/v1/observations", params={"format": "geojson", "limit": 1000})
    ).json()
    ogc = (await client.get("/ogc/collections/observations/items", params={"limit": 1000})).json()
    for feature in geojson["features"] + ogc["features"]:
        geometry = feature["geometry"]
        location = (
            None
            if geometry is None
            else dict(zip(("lon", "lat"), geometry["coordinates"], strict=True))
        )
        found.append({**feature["properties"], "id": str(feature["id"]), "location": location})
    text = (await client.get("/api/v1/observations", params={"format": "csv"})).text
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        found.append(
            {
                **{k: (v or None) for k, v in row.items()},
                "location": None
                if not row["lon"]
                else {"lon": float(row["lon"]), "lat": float(row["lat"])},
                "altitude_m": row["altitude_m"] or None,
            }
        )
    archive = zipfile.ZipFile(io.BytesIO((await client.get("/api/v1/exports/dwca")).content))
    for row in csv.DictReader(io.StringIO(archive.read("occurrence.txt").decode()), delimiter="\t"):
        lon, lat = row["decimalLongitude"], row["decimalLatitude"]
        found.append(
            {
                "id": row["occurrenceID"].removeprefix("urn:uuid:"),
                "location": None if not lon else {"lon": float(lon), "lat": float(lat)},
                "observer": row["recordedBy"] or None,
                "comment": row["occurrenceRemarks"] or None,
                "altitude_m": row["minimumElevationInMeters"] or None,
                "observed_at": row["eventDate"],
                "updated_at": row["modified"],
                "grid_1km": None,
                "grid_10km": None,
                "commune": None,
                "dwca": True,
            }
        )
    return found


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=actions)
@example(  # a vulture (level 2) with two photos, validated, one judged to show no place
    script=[
        (
            "submit",
            0,
            [{"taxon": VULTURE, "place": BRIANCON, "at": MOMENTS[3], "geoprivacy": None}],
        ),
        ("photo", 0, 1),
        ("photo", 0, 2),
        ("review", 0, "certain"),
        ("judge", 0, True),
    ]
)
async def test_no_sequence_of_actions_makes_an_open_output_say_more_than_the_policy(
    client: Client, db: asyncpg.Connection, script: list[tuple[Any, ...]]
) -> None:
    await db.execute(
        "DELETE FROM observation; DELETE FROM sensitivity_rule WHERE updated_by IS NOT NULL"
    )
    if not await db.fetchval("SELECT count(*) FROM staff_user"):  # the first example
        await add_staff(db, "mod@pne.fr", "moderator", programme="default")
        await add_staff(db, "root@petr.fr", "admin")
    session = Session(
        client, await sign_in(client, "mod@pne.fr"), await sign_in(client, "root@petr.fr")
    )
    session.devices = [(await new_device(client))[1] for _ in range(3)]
    for device in range(3):  # named walkers: a name on a generalised record would link it
        await session.me(device, None)
    for action in script:
        await session.run(action)

    assert set(session.flags_seen) <= SELF_CONTAINED_FLAGS  # no flag reads other people's data
    allowed = await allowed_levels(db)
    photos = await db.fetch("SELECT observation_id::text AS id, sha256, shows_no_place FROM photo")
    showable = {  # the photos each record may show the public
        r["id"]: {
            photo_path(p["sha256"], "large")
            for p in photos
            if p["id"] == r["id"] and (r["level"] == 0 or p["shows_no_place"])
        }
        for r in ({"id": i, "level": level} for i, (level, _) in allowed.items())
    }
    for item in (await client.get("/api/v1/observations", params={"limit": 1000})).json()["items"]:
        assert set(item["photos"]) <= showable[item["id"]], "a photo published unjudged"
    archive = zipfile.ZipFile(io.BytesIO((await client.get("/api/v1/exports/dwca")).content))
    if "multimedia.txt" in archive.namelist():
        text = archive.read("multimedia.txt").decode()
        for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
            record = row["coreid"].removeprefix("urn:uuid:")
            assert row["identifier"].removeprefix("http://127.0.0.1:8000") in showable[record]
    for sha in {p["sha256"] for p in photos}:
        public = any(
            photo_path(sha, "large") in showable[i]
            and allowed[i][1]["status"] in PUBLIC
            and allowed[i][0] < 4
            for i in showable
        )
        served = await client.get(photo_path(sha, "large"))
        assert served.status_code == (200 if public else 404), "a photo file served unjudged"
    for published in await every_open_output(client):
        level, truth = allowed[published["id"]]
        if published.get("dwca"):
            assert truth["status"] in PUBLIC and level < 4
            if level > 0:
                assert published["observer"] is None and published["comment"] is None
                assert published["altitude_m"] is None
                assert (
                    datetime.fromisoformat(published["observed_at"]).time().isoformat()
                    == "00:00:00"
                )
            continue
        check_record(published, level, truth)
    one_km = (await client.get("/api/v1/stats/counts", params={"by": "grid_1km"})).json()
    precise = sum(
        1 for level, truth in allowed.values() if level == 0 and truth["status"] in PUBLIC
    )
    assert sum(unit["observations"] for unit in one_km["items"]) == precise
