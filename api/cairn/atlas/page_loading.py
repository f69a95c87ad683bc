"""Which atlas page an address names, read from the open figures and built in one language."""

from __future__ import annotations

import re
from typing import Final
from uuid import UUID

from cairn.atlas import store as atlas
from cairn.atlas.pages import (
    AtlasPage,
    commune_page,
    heritage_page,
    impact_page,
    programme_page,
    site_page,
    taxon_page,
)
from cairn.core.db import Connection
from cairn.core.languages import Lang
from cairn.core.queryparams import SLUG
from cairn.programmes import store as programmes
from cairn.reference import taxa_store as taxa
from cairn.settings import Settings
from cairn.sites import store as sites

CD_REF: Final = re.compile(r"[1-9][0-9]{0,7}")
INSEE: Final = re.compile(r"[0-9][0-9AB][0-9]{3}")
CATEGORY: Final = re.compile(r"[a-z][a-z_]{1,31}")
SHARE_ID: Final = re.compile(r"[A-Za-z0-9_-]{22}")
SITE_ID: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class PageNotFoundError(Exception):
    """An atlas address that names nothing (a malformed key, or no such thing)."""


def _footer(settings: Settings) -> str:
    """The card's last line: where Cairn lives (`cairn.example.org`)."""
    return settings.base_url.split("://", 1)[-1].rstrip("/")


async def load_page(
    conn: Connection,
    settings: Settings,
    what: str,
    key: str,
    lang: Lang,
) -> AtlasPage | str:
    """The page `what`/`key` in `lang`, or the canonical path when `key` is a synonym's CD_NOM.

    `what` is taxon, commune, programme, heritage, site or impact; anything else, a
    malformed key or a key that names nothing raises `PageNotFoundError`.
    """
    statuses = settings.public_statuses
    footer = _footer(settings)
    if what == "taxon" and CD_REF.fullmatch(key):
        taxon = await taxa.get(conn, int(key), lang)
        if taxon is not None and taxon.cd_ref != int(key):
            return f"/atlas/taxon/{taxon.cd_ref}"
        if taxon is not None:
            figures = await atlas.taxon_figures(conn, taxon.cd_ref, statuses)
            return taxon_page(lang, taxon, figures, footer=footer)
    if what == "commune" and INSEE.fullmatch(key):
        place = await atlas.commune(conn, key)
        if place is not None:
            figures = await atlas.commune_figures(conn, key, statuses)
            cells = await _cells(conn, "commune", key, statuses)
            labels: dict[str, str] = {
                entry.key: (await atlas.heritage_category(conn, entry.key) or {}).get(
                    lang, entry.key
                )
                for entry in figures["heritage"]
            }
            return commune_page(lang, key, place["name"], figures, cells, labels, footer=footer)
    if what == "programme" and SLUG.fullmatch(key):
        programme = await programmes.get_programme(conn, key)
        if programme is not None:
            figures = await atlas.programme_figures(
                conn, key, programme.target_taxa or [], statuses
            )
            cells = await _cells(conn, "programme", key, statuses)
            return programme_page(lang, programme, figures, cells, footer=footer)
    if what == "heritage" and CATEGORY.fullmatch(key):
        category = await atlas.heritage_category(conn, key)
        if category is not None:
            heritage = await atlas.heritage_figures(conn, key, statuses)
            cells = await _cells(conn, "heritage", key, statuses)
            return heritage_page(lang, category, heritage, cells, footer=footer)
    if what == "site" and SITE_ID.fullmatch(key):
        history = await sites.history(conn, UUID(key), statuses)
        if history is not None:
            return site_page(lang, history, footer=footer)
    if what == "impact" and SHARE_ID.fullmatch(key):
        impact = await atlas.shared_impact(conn, key, statuses)
        if impact is not None:
            return impact_page(lang, key, impact, footer=footer)
    raise PageNotFoundError(f"no atlas page {what}/{key}")


async def _cells(
    conn: Connection, scope: atlas.AtlasScope, key: str, statuses: tuple[str, ...]
) -> list[str]:
    return [code for code, _ in await atlas.cell_counts(conn, scope, key, statuses)]
