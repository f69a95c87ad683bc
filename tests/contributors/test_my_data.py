"""A contributor's copy of their data, and erasure with either choice for the observations."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.records.projection import project
from cairn.settings import Settings
from tests.factories import BRIANCON, new_device, observation_payload
from tests.photos.images import has_metadata, photo
from tests.photos.test_upload import JPEG, photo_url

Client = AsyncTestClient[Litestar]


async def contributor_with_photo(
    client: Client, db: asyncpg.Connection
) -> tuple[str, dict[str, str], dict[str, str]]:
    """A named contributor with one validated, public (precise) observation that has a photo."""
    _, headers = await new_device(client)
    assert (
        await client.put("/api/v1/me", json={"pseudonym": "Marmotte"}, headers=headers)
    ).status_code == 200
    payload = observation_payload(data={"cd_nom": 99854, "count": 3})  # a gentian: level 0
    assert (
        await client.post("/api/v1/observations", json=payload, headers=headers)
    ).status_code == 201
    raw = photo(gps=(BRIANCON["lon"], BRIANCON["lat"]))
    receipt = (
        await client.put(photo_url(payload["id"]), content=raw, headers={**headers, **JPEG})
    ).json()
    await db.execute(
        "UPDATE observation SET status = 'certain', moderator_comment = 'nice' WHERE id = $1",
        uuid.UUID(payload["id"]),
    )
    await project(db, [uuid.UUID(payload["id"])])
    return payload["id"], headers, receipt


async def test_the_export_holds_everything_about_me(client: Client, db: asyncpg.Connection) -> None:
    observation_id, headers, receipt = await contributor_with_photo(client, db)
    answer = await client.get("/api/v1/me/export", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert {"README.txt", "me.json", "observations.json", "photos.json"} <= set(archive.namelist())
    me = json.loads(archive.read("me.json"))
    assert me["pseudonym"] == "Marmotte" and "token_hash" not in me
    [mine] = json.loads(archive.read("observations.json"))
    assert mine["id"] == observation_id
    assert mine["location"]["lon"] == BRIANCON["lon"]  # precise: it is their own data
    assert mine["moderator_comment"] == "nice"
    [listed] = json.loads(archive.read("photos.json"))
    assert listed["exif"]["lat"] == pytest.approx(BRIANCON["lat"], abs=1e-5)
    stored = archive.read(f"photos/{receipt['id']}.jpg")
    assert stored[:2] == b"\xff\xd8" and not has_metadata(stored)
    assert (await client.get("/api/v1/me/export")).status_code == 401


async def test_erasure_keeping_anonymised_observations(
    client: Client, db: asyncpg.Connection, settings: Settings
) -> None:
    observation_id, headers, receipt = await contributor_with_photo(client, db)
    assert (await client.delete("/api/v1/me", headers=headers)).status_code == 400  # must choose
    answer = await client.delete("/api/v1/me?observations=anonymise", headers=headers)
    assert answer.status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    row = await db.fetchrow(
        "SELECT device_id, comment, status FROM observation WHERE id = $1",
        uuid.UUID(observation_id),
    )
    assert (row["device_id"], row["comment"], row["status"]) == (None, None, "certain")
    public = (await client.get(f"/api/v1/observations/{observation_id}")).json()
    assert public["observer"] is None and public["photos"] == [] and public["comment"] is None
    assert await db.fetchval("SELECT count(*) FROM device") == 0
    assert await db.fetchval("SELECT count(*) FROM photo") == 0
    assert (await client.get(receipt["urls"]["original"])).status_code == 404
    assert not list((settings.data_dir / "photos").rglob("*.jpg"))


async def test_erasure_deleting_observations(client: Client, db: asyncpg.Connection) -> None:
    observation_id, headers, _ = await contributor_with_photo(client, db)
    answer = await client.delete("/api/v1/me?observations=delete", headers=headers)
    assert answer.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM observation") == 0
    assert await db.fetchval("SELECT count(*) FROM public_observation") == 0
    assert await db.fetchval("SELECT count(*) FROM observation_event") == 0
    assert (await client.get(f"/api/v1/observations/{observation_id}")).status_code == 404


async def test_erasing_one_contributor_leaves_the_others(
    client: Client, db: asyncpg.Connection
) -> None:
    _, headers, _ = await contributor_with_photo(client, db)
    other, other_headers, other_receipt = await contributor_with_photo(client, db)
    assert (
        await client.delete("/api/v1/me?observations=delete", headers=headers)
    ).status_code == 204
    assert (await client.get("/api/v1/me", headers=other_headers)).json()["observations"] == 1
    # Both photos were the same picture: the file stays for the one still using it.
    assert (await client.get(other_receipt["urls"]["small"])).status_code == 200
    assert (await client.get(f"/api/v1/observations/{other}")).json()["observer"] == "Marmotte"
