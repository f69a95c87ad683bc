"""The offline reference bundle the field app downloads once and searches locally."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from cairn.core.db import Connection
from cairn.protocols.kinds import enum_labels
from cairn.protocols.kinds_store import every_published
from cairn.sites.model import PublicSite
from cairn.sites.store import every_public


class BundleTaxon(msgspec.Struct, array_like=False, omit_defaults=True):
    """A valid name of the territory's list, as compact as the app needs."""

    cd_nom: int
    cd_ref: int
    scientific_name: str
    vernacular_fr: str | None = None
    vernacular_en: str | None = None
    vernacular_it: str | None = None
    group: str | None = None
    sensitive: bool = False


class Label(msgspec.Struct):
    """A slug with its names."""

    slug: str
    fr: str
    en: str
    it: str


class BundleCommune(msgspec.Struct):
    """A commune as the app shows it offline."""

    insee: str
    name: str
    bbox: tuple[float, float, float, float]


class BundleKind(msgspec.Struct):
    """A programme's published kind: the field app renders and validates its form offline."""

    programme: str
    kind: str
    version: int
    schema: dict[str, Any]


class Bundle(msgspec.Struct):
    """Everything the field app needs to record with no network."""

    version: str
    taxa: list[BundleTaxon]
    heritage_categories: list[Label]
    conditions: list[Label]
    communes: list[BundleCommune]
    territory: dict[str, Any] | None
    kinds: list[BundleKind] = []
    """Every published version of every programme's kinds (older versions: edits of old records)."""
    sites: list[PublicSite] = []
    """Every programme's sites in use, as the public sees them (sensitive ones generalised)."""


async def build(conn: Connection, territory: dict[str, Any] | None) -> tuple[Bundle, bytes]:
    """The bundle and its JSON; `version` is a hash of the content (the ETag)."""
    taxa = [
        BundleTaxon(
            cd_nom=r["cd_nom"],
            cd_ref=r["cd_ref"],
            scientific_name=r["scientific_name"],
            vernacular_fr=r["vernacular_fr"],
            vernacular_en=r["vernacular_en"],
            vernacular_it=r["vernacular_it"],
            group=r["group2_inpn"] or r["group1_inpn"],
            sensitive=r["sensitivity_level"] > 0,
        )
        for r in await conn.fetch(
            """SELECT cd_nom, cd_ref, scientific_name, vernacular_fr, vernacular_en,
                      vernacular_it, group1_inpn, group2_inpn, sensitivity_level
               FROM taxon WHERE cd_nom = cd_ref ORDER BY cd_nom"""
        )
    ]
    communes = [
        BundleCommune(
            r["insee"], r["name"], (r["min_lon"], r["min_lat"], r["max_lon"], r["max_lat"])
        )
        for r in await conn.fetch(
            "SELECT insee, name, min_lon, min_lat, max_lon, max_lat FROM commune ORDER BY insee"
        )
    ]
    content = Bundle(
        version="",
        taxa=taxa,
        heritage_categories=[Label(*x) for x in enum_labels("heritage", 1, "category")],
        conditions=[Label(*x) for x in enum_labels("heritage", 1, "condition")],
        communes=communes,
        territory=territory,
        kinds=[
            BundleKind(k.programme, k.kind, k.version, k.schema)
            for k in await every_published(conn)
            if k.programme is not None
        ],
        sites=await every_public(conn),
    )
    version = hashlib.sha256(msgspec.json.encode(content)).hexdigest()[:16]
    bundle = msgspec.structs.replace(content, version=version)
    return bundle, msgspec.json.encode(bundle)
