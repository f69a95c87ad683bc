"""Reading reference files into the database: stream, parse, COPY, summarise.

Each importer reads its file as a stream (a TAXREF file is ~700 000 lines),
hands parsed records to the store's COPY-based upsert inside one
transaction (a bad line writes nothing), and reports progress through a
callback so the CLI can draw a bar on a terminal.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import msgspec

from cairn.core.db import Connection
from cairn.protocols.kinds import enum_labels
from cairn.reference import places_store as places
from cairn.reference import taxa_store as taxa
from cairn.reference.files import reference_file
from cairn.reference.places import (
    HERITAGE_COLUMNS,
    CommuneRecord,
    HeritageRecord,
    PlaceFormatError,
    parse_commune,
    parse_heritage,
)
from cairn.reference.taxa import (
    PARSERS,
    NamelessTaxonError,
    TaxonFormatError,
    TaxonRecord,
    detect_source,
)

Progress = Callable[[int], None]
"""Called with the number of bytes read so far."""


class ImportSummary(msgspec.Struct):
    """One line for a person: what was read, added, changed and skipped."""

    file: str
    kind: str
    read: int
    inserted: int
    updated: int
    skipped: int = 0
    note: str = ""

    def line(self) -> str:
        """The summary as a sentence."""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        note = f" ({self.note})" if self.note else ""
        return (
            f"{self.file}: {self.read} {self.kind} read, {self.inserted} added, "
            f"{self.updated} updated{skipped}{note}"
        )


def _lines(handle: TextIO, raw: BinaryIO, progress: Progress | None) -> Iterator[str]:
    """The file's lines, reporting the bytes read so far after each."""
    for line in iter(handle.readline, ""):
        if progress is not None:
            progress(raw.tell())
        yield line


def _taxon_records(
    path: Path, progress: Progress | None, skipped: list[int]
) -> Iterator[TaxonRecord]:
    with path.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as handle:
        delimiter = "\t" if "\t" in handle.readline() else ","
        handle.seek(0)
        reader = csv.DictReader(_lines(handle, raw, progress), delimiter=delimiter)
        source = detect_source(list(reader.fieldnames or []))
        parse = PARSERS[source]
        for row in reader:
            line = reader.line_num
            if None in row:
                raise TaxonFormatError(line, "more fields than the header has")
            try:
                yield parse(row, line)
            except NamelessTaxonError:
                skipped.append(line)


async def import_taxa(
    conn: Connection, path: Path, progress: Progress | None = None
) -> ImportSummary:
    """Import a TAXREF file or the park's list (detected from the header)."""
    skipped: list[int] = []
    counts = await taxa.import_records(conn, _taxon_records(path, progress, skipped))
    await places.announce_reference_change(conn)
    return ImportSummary(
        file=path.name,
        kind="taxa",
        read=counts.read + len(skipped),
        inserted=counts.inserted,
        updated=counts.updated,
        skipped=len(skipped),
        note=f"{counts.valid_names} valid names; rows without any name are skipped"
        if skipped
        else f"{counts.valid_names} valid names",
    )


def _attributes_by_insee(path: Path | None) -> dict[str, dict[str, Any]]:
    if path is None:
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["insee"]: row for row in csv.DictReader(handle) if row.get("insee")}


async def import_communes(
    conn: Connection, path: Path, attributes: Path | None = None
) -> ImportSummary:
    """Import commune outlines (GeoJSON), with populations and EPCI from an optional CSV."""
    try:
        collection = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PlaceFormatError(path.name, f"not a GeoJSON file: {exc}") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise PlaceFormatError(path.name, "expected a GeoJSON FeatureCollection")
    extra = _attributes_by_insee(attributes)
    records: list[CommuneRecord] = [parse_commune(f, i, extra) for i, f in enumerate(features)]
    inserted, updated = await places.import_communes(conn, records)
    await places.announce_reference_change(conn)
    return ImportSummary(path.name, "communes", len(records), inserted, updated)


async def sync_heritage_typology(conn: Connection) -> None:
    """The heritage categories table follows the heritage schema's typology."""
    await places.sync_heritage_categories(conn, enum_labels("heritage", 1, "category"))


async def import_heritage(conn: Connection, path: Path, source: str) -> ImportSummary:
    """Import heritage items from a CSV (category, name, lon, lat, [insee], [ref], …)."""
    await sync_heritage_typology(conn)
    categories = await places.heritage_categories(conn)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in HERITAGE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PlaceFormatError("line 1", f"missing columns: {', '.join(missing)}")
        records: list[HeritageRecord] = [
            parse_heritage(row, reader.line_num, source, categories) for row in reader
        ]
    inserted, updated = await places.import_heritage(conn, records)
    return ImportSummary(path.name, "heritage items", len(records), inserted, updated)


async def import_bundled_reference(conn: Connection) -> list[ImportSummary]:
    """The first territory's real reference data shipped in schemas/reference/."""
    await sync_heritage_typology(conn)
    return [
        await import_communes(
            conn, reference_file("petr_communes.geojson"), reference_file("petr_communes.csv")
        ),
        await import_taxa(conn, reference_file("taxa_pne.csv")),
    ]


async def reference_is_empty(conn: Connection) -> bool:
    """True on a fresh database (no taxa imported yet)."""
    return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM taxon)")
