"""The atlas: what the open data says about a taxon, a commune, a programme or a heritage type.

Everything here is computed from rows of the public projection, so a page
never shows more than the open-data API does: sensitive taxa appear in their
generalised cells, and withheld altitudes make no altitude chart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

import msgspec

ATLAS_MAX_AGE: Final = 300
"""Atlas pages change when moderators decide; five minutes of caching is fresh enough."""
ALTITUDE_BAND_M: Final = 200
"""Width of the altitude bands of a taxon's chart."""


class AtlasCount(msgspec.Struct, frozen=True):
    """How many records share a key (a month, a status, a category, a condition)."""

    key: str
    count: int


class Band(msgspec.Struct, frozen=True):
    """Records between `low` (included) and `high` (excluded) metres."""

    low: int
    high: int
    count: int


class Cell(msgspec.Struct, frozen=True):
    """A 10 km Lambert-93 cell where the taxon was seen, with its WGS84 outline."""

    code: str
    count: int
    geometry: dict[str, Any]


class AtlasPhoto(msgspec.Struct, frozen=True):
    """An openly licensed photo with its credit."""

    url: str
    observer: str | None
    licence: str
    observed_at: datetime


class TaxonChecklistEntry(msgspec.Struct, frozen=True):
    cd_ref: int
    scientific_name: str | None
    vernacular_fr: str | None
    count: int
    last_seen: datetime


class Latest(msgspec.Struct, frozen=True):
    """A recent public observation, as a link to its record."""

    id: str
    kind: str
    name: str | None
    observed_at: datetime


class AtlasTaxon(msgspec.Struct, frozen=True, kw_only=True):
    taxon: Any
    """The taxon with its names, rank and parent chain (as `GET /taxa/{cd_nom}`)."""
    count: int
    first_seen: datetime | None
    last_seen: datetime | None
    generalised: int
    """How many of the records are shown at a generalised precision."""
    months: list[int]
    """Records per calendar month, January first (phenology)."""
    altitude_bands: list[Band] | None
    """None when no public record has an altitude (withheld for sensitive taxa)."""
    cells: list[Cell]
    photos: list[AtlasPhoto]


class AtlasCommune(msgspec.Struct, frozen=True, kw_only=True):
    insee: str
    name: str
    outline: dict[str, Any]
    by_kind: list[AtlasCount]
    species: list[TaxonChecklistEntry]
    heritage: list[AtlasCount]
    latest: list[Latest]


class Contributor(msgspec.Struct, frozen=True):
    pseudonym: str
    count: int


class AtlasProgramme(msgspec.Struct, frozen=True, kw_only=True):
    programme: Any
    """The programme as `GET /programmes/{slug}` shows it."""
    count: int
    by_month: list[AtlasCount]
    """Records per month observed (YYYY-MM), oldest first."""
    targets_seen: list[int]
    """Target taxa (CD_REF) with at least one public record."""
    top_contributors: list[Contributor]
    """By pseudonym; only contributors who chose one."""
    anonymous_records: int


class ConditionYear(msgspec.Struct, frozen=True):
    year: int
    conditions: list[AtlasCount]


class AtlasHeritage(msgspec.Struct, frozen=True, kw_only=True):
    category: str
    count: int
    communes: list[AtlasCount]
    conditions_by_year: list[ConditionYear]
    latest: list[Latest]


class Impact(msgspec.Struct, frozen=True, kw_only=True):
    """What a contributor's observations did, from what is public about them."""

    sent: int
    validated: int
    by_status: list[AtlasCount]
    taxa: list[TaxonChecklistEntry]
    heritage: list[AtlasCount]
    firsts: list[AtlasCount]
    """First records of a taxon in a commune: `key` is "<scientific name> — <commune>"."""
    cells: list[str]
    """10 km cells the contributor's public records fall in (generalised ones included)."""


class SharedImpact(msgspec.Struct, frozen=True, kw_only=True):
    """What a contributor's shared impact link shows: public counts, never a record."""

    pseudonym: str | None
    """The public name the contributor chose, or None (anonymous)."""
    records: int
    species: int
    heritage: int
    cells: list[str]
    """10 km cells of the records published at full precision (no sensitive one)."""


class ImpactShare(msgspec.Struct, frozen=True):
    """A contributor's shareable impact link: a random id, revocable, that names no device."""

    id: str
    url: str
    """The page to share (title, figures and a picture for chats and social networks)."""


class AtlasPages(msgspec.Struct, frozen=True, kw_only=True):
    """The atlas pages a search engine may list."""

    taxa: list[int]
    """CD_REF of the taxa with at least one public record."""
    communes: list[str]
    programmes: list[str]
    heritage: list[str]
    sites: list[str] = []
    """Ids of the monitored sites in use whose page is public (not level 4)."""


class Dashboard(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation's figures over the programmes the caller may see."""

    programmes: list[str]
    received_by_month: list[AtlasCount]
    contributors: int
    """Distinct devices that sent records (a number, never identities)."""
    by_status: list[AtlasCount]
    top_taxa: list[AtlasCount]
    by_commune: list[AtlasCount]
    pending: int
    oldest_pending: datetime | None


def months(rows: Iterable[tuple[int, int]]) -> list[int]:
    """Twelve counts, January first, from (month 1-12, count) pairs."""
    counts = [0] * 12
    for month, count in rows:
        if not 1 <= month <= 12:
            raise ValueError(f"no month {month}")
        counts[month - 1] += count
    return counts


def altitude_bands(
    rows: Iterable[tuple[int, int]], width: int = ALTITUDE_BAND_M
) -> list[Band] | None:
    """Contiguous bands from the lowest to the highest, from (band floor, count) pairs.

    Empty bands in between are kept (a chart with gaps says something); None
    when there is no altitude at all.
    """
    by_floor: dict[int, int] = {}
    for floor, count in rows:
        if floor % width:
            raise ValueError(f"{floor} is not a multiple of {width}")
        by_floor[floor] = by_floor.get(floor, 0) + count
    if not by_floor:
        return None
    return [
        Band(low=floor, high=floor + width, count=by_floor.get(floor, 0))
        for floor in range(min(by_floor), max(by_floor) + width, width)
    ]
