"""A small world for moderation tests: two programmes, staff with roles, real taxa, records.

Programme `default` (seeded by the migration) and `queyras` (created here, in the
same organisation `petr`) each get observations submitted through the real API.
Taxa are real rows of schemas/reference/taxa_pne.csv.
"""

from __future__ import annotations

import asyncio
import csv
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.reference.files import reference_file, territory
from cairn.staff import store as staff_store
from cairn.staff.model import hash_password
from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per session


def taxa_rows() -> list[dict[str, str]]:
    """Valid names of the park's list."""
    with reference_file("taxa_pne.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["cd_nom"] == r["cd_ref"]]


def sensitive_taxon() -> int:
    """A taxon Cairn's default rules make level 2 (patrimonial and strictly protected)."""
    return next(
        int(r["cd_nom"])
        for r in taxa_rows()
        if r["patrimonial"] == "oui" and r["protection_stricte"] == "oui"
    )


def plain_taxon() -> int:
    """A taxon no default rule covers."""
    return next(
        int(r["cd_nom"])
        for r in taxa_rows()
        if not (r["patrimonial"] == "oui" and r["protection_stricte"] == "oui")
    )


async def load_taxa(db: asyncpg.Connection, codes: list[int]) -> None:
    """Insert real taxa of the park list (the reference loader's job in production)."""
    rows = [r for r in taxa_rows() if int(r["cd_nom"]) in codes]
    await db.executemany(
        """INSERT INTO taxon (cd_nom, cd_ref, scientific_name, vernacular_fr, group2_inpn, source)
           VALUES ($1, $2, $3, $4, $5, 'taxa_pne.csv') ON CONFLICT DO NOTHING""",
        [
            (int(r["cd_nom"]), int(r["cd_ref"]), r["nom_sci_pne"], r["nom_vern"], r["group2_inpn"])
            for r in rows
        ],
    )


async def add_programme(db: asyncpg.Connection, slug: str, organisation: str = "petr") -> None:
    """A second programme over the same (real) territory outline."""
    geometry = msgspec.json.decode(msgspec.json.encode(territory().__geo_interface__))
    min_lon, min_lat, max_lon, max_lat = territory().bounds
    await db.execute(
        """INSERT INTO programme (slug, organisation, name, description, territory,
               min_lon, min_lat, max_lon, max_lat, kinds, default_licence)
           VALUES ($1, $2, $3::jsonb, $3::jsonb, $4::jsonb, $5, $6, $7, $8,
                   '{"species": [1]}', 'CC-BY-4.0')""",
        slug,
        organisation,
        {"fr": slug, "en": slug, "it": slug},
        geometry,
        min_lon,
        min_lat,
        max_lon,
        max_lat,
    )


async def add_staff(
    db: asyncpg.Connection,
    email: str,
    role: str | None,
    *,
    programme: str | None = None,
    organisation: str | None = None,
) -> uuid.UUID:
    """An account with one grant (or none)."""
    user_id = await staff_store.create_user(db, email, email.split("@", maxsplit=1)[0], _HASH)
    if role is not None:
        await staff_store.grant(db, user_id, role, organisation, programme)  # type: ignore[arg-type]
    return user_id


async def sign_in(client: Client, email: str) -> dict[str, str]:
    """Log in through the API; return the Authorization header."""
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def submit(client: Client, programme: str = "default", **overrides: Any) -> uuid.UUID:
    """Submit one observation through intake; return its id."""
    payload = observation_payload(programme=programme, **overrides)
    response = await client.post("/api/v1/observations", json=payload, headers=await signed(client))
    assert response.status_code == 201, response.text
    return uuid.UUID(payload["id"])


async def wait_for(client: Client, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    """Poll a sensitivity job until it is no longer running; its last state."""
    for _ in range(200):
        job = (await client.get(f"/api/v1/sensitivity/jobs/{job_id}", headers=headers)).json()
        if job["state"] != "running":
            return dict(job)
        await asyncio.sleep(0.02)
    raise AssertionError("the job did not finish")


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> None:
    """Poll `check` every 0.1 s until it holds; fail after `seconds`."""
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")
