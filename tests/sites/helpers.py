"""What the site tests share: an admin, sites made through the API, real places."""

from __future__ import annotations

from typing import Any

import asyncpg

from tests.world import Client, add_staff, sign_in

BRIANCON = (6.6433, 44.8986)  # commune 05023 (standards.md §5)
GUILLESTRE = (6.6486, 44.6597)  # commune 05065
ABRIES = (6.9264, 44.7972)  # commune 05001


def texts(word: str) -> dict[str, str]:
    return {"fr": f"{word} (fr)", "en": f"{word} (en)", "it": f"{word} (it)"}


def point(where: tuple[float, float]) -> dict[str, Any]:
    return {"type": "Point", "coordinates": list(where)}


def square(where: tuple[float, float], half: float = 0.001) -> dict[str, Any]:
    lon, lat = where
    ring = [
        [lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
        [lon - half, lat + half], [lon - half, lat - half],
    ]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


async def site_admin(
    client: Client, db: asyncpg.Connection, slug: str = "default"
) -> dict[str, str]:
    """An admin of programme `slug`, signed in."""
    email = f"sites-{slug}@petr.fr"
    await add_staff(db, email, "admin", programme=slug)
    return await sign_in(client, email)


async def make_site(
    client: Client,
    headers: dict[str, str],
    where: tuple[float, float] = BRIANCON,
    *,
    slug: str = "default",
    sensitive: int = 0,
    name: str = "Mare",
    geometry: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A site created through the API; its precise (staff) view."""
    body = {
        "name": texts(name),
        "description": texts(f"{name}, near the path"),
        "geometry": geometry or point(where),
        "sensitive": sensitive,
    }
    created = await client.post(f"/api/v1/programmes/{slug}/sites", json=body, headers=headers)
    assert created.status_code == 201, created.text
    site: dict[str, Any] = created.json()
    return site
