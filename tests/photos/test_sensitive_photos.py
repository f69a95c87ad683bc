"""Photos of records published generalised are the moderator's call.

A validated record of a sensitive taxon (level 2) keeps its photo from every
open output (JSON, the DwC-A's multimedia, the atlas, the file itself) while
its contributor and its staff still see it, until a moderator marks the photo
as showing no place; the mark is in the history and can be taken back.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import asyncpg

from tests.factories import new_device, observation_payload
from tests.photos.images import photo
from tests.world import Client, add_staff, plain_taxon, sensitive_taxon, sign_in

JPEG = {"Content-Type": "image/jpeg"}


async def _validated_with_photo(
    client: Client, db: asyncpg.Connection, moderator: dict[str, str], cd_nom: int, **extra: Any
) -> tuple[str, str, str, dict[str, str]]:
    """A record with one photo, validated; its id, photo id, file URL and owner headers."""
    _, owner = await new_device(client)
    payload = observation_payload(data={"cd_nom": cd_nom}, **extra)
    assert (await client.post("/api/v1/observations", json=payload, headers=owner)).is_success
    photo_id = str(uuid.uuid4())
    put = await client.put(
        f"/api/v1/observations/{payload['id']}/photos/{photo_id}",
        content=photo(colour=(cd_nom % 200, uuid.UUID(photo_id).int % 200, 40)),
        headers={**owner, **JPEG},
    )
    assert put.status_code == 201, put.text
    version = await db.fetchval("SELECT version FROM observation WHERE id = $1", payload["id"])
    decided = await client.post(
        f"/api/v1/observations/{payload['id']}/reviews",
        json={"status": "certain", "expected_version": version},
        headers=moderator,
    )
    assert decided.status_code == 200, decided.text
    return payload["id"], photo_id, put.json()["urls"]["large"], owner


async def _public_photos(client: Client, record: str, cd_ref: int) -> dict[str, Any]:
    """Where the open outputs show the record's photos."""
    item = (await client.get(f"/api/v1/observations/{record}")).json()
    archive = zipfile.ZipFile(io.BytesIO((await client.get("/api/v1/exports/dwca")).content))
    multimedia = (
        archive.read("multimedia.txt").decode() if "multimedia.txt" in archive.namelist() else ""
    )
    atlas = (await client.get(f"/api/v1/atlas/taxa/{cd_ref}")).json()
    return {
        "json": item["photos"],
        "dwca": record in multimedia,
        "atlas": len(atlas["photos"]),
    }


async def test_a_generalised_records_photo_waits_for_a_moderators_judgement(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    await add_staff(db, "viewer@pne.fr", "viewer", programme="default")
    moderator = await sign_in(client, "mod@pne.fr")
    viewer = await sign_in(client, "viewer@pne.fr")
    sensitive = sensitive_taxon()
    record, photo_id, url, owner = await _validated_with_photo(client, db, moderator, sensitive)
    cd_ref = await db.fetchval("SELECT cd_ref FROM taxon WHERE cd_nom = $1", sensitive)
    assert (
        await db.fetchval("SELECT sensitivity_level FROM public_observation WHERE id = $1", record)
        == 2
    )
    assert await _public_photos(client, record, cd_ref) == {"json": [], "dwca": False, "atlas": 0}
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=owner)).status_code == 200
    assert (await client.get(url, headers=viewer)).status_code == 200

    judge = f"/api/v1/observations/{record}/photos/{photo_id}/shows-no-place"
    assert (
        await client.put(judge, json={"shows_no_place": True}, headers=viewer)
    ).status_code == 403
    _, stranger = await new_device(client)
    assert (
        await client.put(judge, json={"shows_no_place": True}, headers=stranger)
    ).status_code == 401
    judged = await client.put(judge, json={"shows_no_place": True}, headers=moderator)
    assert judged.status_code == 200, judged.text
    assert judged.json()["photos"][0]["shows_no_place"] is True
    shown = await _public_photos(client, record, cd_ref)
    assert (len(shown["json"]), shown["dwca"], shown["atlas"]) == (1, True, 1)
    assert (await client.get(url)).status_code == 200

    undone = await client.put(judge, json={"shows_no_place": False}, headers=moderator)
    assert undone.status_code == 200
    assert await _public_photos(client, record, cd_ref) == {"json": [], "dwca": False, "atlas": 0}
    assert (await client.get(url)).status_code == 404
    history = (await client.get(f"/api/v1/observations/{record}/history", headers=moderator)).json()
    assert [(e["action"], e["after"]) for e in history if e["action"] == "photo_place"] == [
        ("photo_place", {"photo_id": photo_id, "shows_no_place": True}),
        ("photo_place", {"photo_id": photo_id, "shows_no_place": False}),
    ]
    wrong = f"/api/v1/observations/{record}/photos/{uuid.uuid4()}/shows-no-place"
    assert (
        await client.put(wrong, json={"shows_no_place": True}, headers=moderator)
    ).status_code == 404


async def test_a_precise_records_photo_is_public_and_an_obscured_ones_is_not(
    client: Client, db: asyncpg.Connection
) -> None:
    await add_staff(db, "mod@pne.fr", "moderator", programme="default")
    moderator = await sign_in(client, "mod@pne.fr")
    plain = plain_taxon()
    precise, _, precise_url, _ = await _validated_with_photo(client, db, moderator, plain)
    obscured, _, obscured_url, _ = await _validated_with_photo(
        client, db, moderator, plain, geoprivacy="obscured"
    )
    assert len((await client.get(f"/api/v1/observations/{precise}")).json()["photos"]) == 1
    assert (await client.get(precise_url)).status_code == 200
    assert (await client.get(f"/api/v1/observations/{obscured}")).json()["photos"] == []
    assert (await client.get(obscured_url)).status_code == 404
