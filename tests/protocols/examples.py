"""The example protocol of issue 19, as the form builder writes it, and helpers to publish kinds.

"Comptage amphibiens — passage route": which species (a taxon of the reference
list), how many alive, whether any were found crushed, and how many crushed
(shown only when some were). Taxa named in tests are real rows of
schemas/reference/taxa_pne.csv (Bufo bufo, CD_NOM 259).
"""

from __future__ import annotations

import copy
from typing import Any

import asyncpg

from tests.world import Client, add_staff, sign_in

COMMON_TOAD = 259
"""Bufo bufo, Crapaud commun (taxa_pne.csv)."""


def labels(fr: str, en: str, it: str) -> dict[str, dict[str, str]]:
    return {"fr": {"title": fr}, "en": {"title": en}, "it": {"title": it}}


AMPHIBIAN_CROSSING: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Comptage amphibiens — passage route",
    "x-i18n": {
        "fr": {"title": "Comptage amphibiens — passage route"},
        "en": {"title": "Amphibian count — road crossing"},
        "it": {"title": "Conteggio anfibi — attraversamento stradale"},
    },
    "additionalProperties": False,
    "required": ["cd_nom", "alive"],
    "properties": {
        "cd_nom": {
            "type": "integer",
            "minimum": 1,
            "maximum": 99999999,
            "title": "Espèce",
            "x-i18n": labels("Espèce", "Species", "Specie"),
        },
        "alive": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100000,
            "title": "Vivants",
            "x-i18n": labels("Vivants", "Alive", "Vivi"),
        },
        "crushed": {
            "type": "boolean",
            "title": "Écrasés trouvés",
            "x-i18n": labels("Écrasés trouvés", "Crushed ones found", "Schiacciati trovati"),
        },
        "crushed_count": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100000,
            "title": "Écrasés",
            "x-i18n": labels("Écrasés", "Crushed", "Schiacciati"),
        },
    },
    "allOf": [
        {
            "if": {"properties": {"crushed": {"const": True}}, "required": ["crushed"]},
            "then": {"required": ["crushed_count"]},
            "else": {"properties": {"crushed_count": {"not": {}}}},
        }
    ],
}


def amphibian_crossing(**changes: Any) -> dict[str, Any]:
    """A copy of the example schema with top-level keys changed (None removes a key)."""
    schema = copy.deepcopy(AMPHIBIAN_CROSSING)
    schema.update(changes)
    return {key: value for key, value in schema.items() if value is not None}


async def programme_admin(client: Client, db: asyncpg.Connection, slug: str) -> dict[str, str]:
    """An admin of programme `slug`, signed in."""
    email = f"admin-{slug}@petr.fr"
    await add_staff(db, email, "admin", programme=slug)
    return await sign_in(client, email)


async def publish_kind(
    client: Client, headers: dict[str, str], slug: str, kind: str, schema: dict[str, Any]
) -> int:
    """Create a draft through the API and publish it; return its version."""
    created = await client.post(
        f"/api/v1/programmes/{slug}/kinds", json={"kind": kind, "schema": schema}, headers=headers
    )
    assert created.status_code == 201, created.text
    version: int = created.json()["version"]
    published = await client.post(
        f"/api/v1/programmes/{slug}/kinds/{kind}/{version}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    return version
