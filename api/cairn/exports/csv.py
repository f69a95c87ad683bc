"""CSV of public records: one header, one line per record, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any, Final

from cairn.exports.records import PublicObservation

COLUMNS: Final = (
    "id", "kind", "programme", "status", "observed_at", "taxon_cd_ref", "scientific_name",
    "vernacular_fr", "lon", "lat", "uncertainty_m", "altitude_m", "generalisation",
    "generalisation_code", "grid_10km", "grid_1km", "commune", "departement", "count",
    "attributes", "comment", "observer", "licence", "photos", "updated_at",
)  # fmt: skip
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as spreadsheet-safe text: formulas are neutralised with a leading quote."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def row(record: PublicObservation) -> list[str]:
    """The CSV fields of one record, in COLUMNS order."""
    location, taxon, general = record.location, record.taxon, record.generalisation
    values: list[Any] = [
        record.id, record.kind, record.programme, record.status, record.observed_at.isoformat(),
        taxon.cd_ref if taxon else None, taxon.scientific_name if taxon else None,
        taxon.vernacular_fr if taxon else None, location.lon if location else None,
        location.lat if location else None, location.uncertainty_m if location else None,
        record.altitude_m, general.method if general else None, general.code if general else None,
        record.grid_10km, record.grid_1km, record.commune, record.departement,
        record.attributes.get("count"),
        ";".join(f"{k}={v}" for k, v in sorted(record.attributes.items()) if k != "count"),
        record.comment, record.observer, record.licence, " | ".join(record.photos),
        record.updated_at.isoformat(),
    ]  # fmt: skip
    return [cell(v) for v in values]


def _line(fields: Iterable[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(fields)
    return out.getvalue().encode("utf-8")


async def write(
    records: AsyncIterator[PublicObservation], batch: int = 500
) -> AsyncIterator[bytes]:
    """The CSV document, chunk by chunk (UTF-8 with BOM so spreadsheets read accents)."""
    yield b"\xef\xbb\xbf" + _line(COLUMNS)
    chunk: list[bytes] = []
    async for record in records:
        chunk.append(_line(row(record)))
        if len(chunk) >= batch:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)
