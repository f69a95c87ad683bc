"""The archive PostgreSQL writes says what the Python mapping of the same public records
says: the record-by-record writer it replaced, kept here as the oracle.

Text cells are equal byte for byte; numbers and instants are equal as values, written
as PostgreSQL writes them ("10" rather than "10.0", ".25" rather than ".250000"). Two
deliberate differences, both better-formed: U+0001 and U+0002 (control characters no
text needs, and COPY's quote and delimiter here) are dropped from cells, and
multimedia.txt's rightsHolder is cleaned of tabs and line breaks like every other cell.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
from dwca.read import DwCAReader
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.core.grid import cell_polygon
from cairn.core.statuses import LABELS_FR
from cairn.opendata import store as public
from cairn.opendata.dwca import (
    MULTIMEDIA_TERMS,
    OCCURRENCE_TERMS,
    Coverage,
    DatasetInfo,
    eml_xml,
    write_archive,
)
from cairn.opendata.measurements import MEASUREMENT_TERMS
from cairn.opendata.records import PublicObservation, to_public
from cairn.records.projection import project_all
from cairn.records.vocabulary import LICENCE_URIS
from tests.factories import observation_payload, signed

Client = AsyncTestClient[Litestar]
INFO = DatasetInfo(
    title="Cairn test", publisher="Cairn", contact_email="a@b.invalid",
    base_url="https://cairn.example", query="", coverage="Hautes-Alpes",
)  # fmt: skip
AWKWARD = "tab\there, CRLF\r\nthen LS\u2028and \x1c, a \\ backslash \x01 quote \x02 delimiter\n\n"


def _clean(value: object) -> str:
    if value is None:
        return ""
    return " ".join(
        str(value).replace("\t", " ").replace("\x01", "").replace("\x02", "").splitlines()
    )


def python_row(
    record: PublicObservation, communes: dict[str, str], departements: dict[str, Any]
) -> list[str]:
    """The standards.md §1 mapping as the record-by-record writer computed it."""
    taxon, location, general = record.taxon, record.location, record.generalisation
    where = departements.get(record.departement or "")
    # A generalised record's time is its day only: a bare date, not midnight.
    when = record.observed_at.date() if general else record.observed_at
    attributes = record.attributes
    footprint = (
        cell_polygon(general.code).wkt if general and general.method == "grid_10km" else None
    )
    return [
        _clean(v)
        for v in (
            f"urn:uuid:{record.id}", "HumanObservation", when.isoformat(),
            location.lat if location else None, location.lon if location else None,
            "EPSG:4326" if location else None, location.uncertainty_m if location else None,
            footprint, record.altitude_m, record.altitude_m, where and where["country"],
            where and where["region_name"], where and where["name"],
            communes.get(record.commune or ""),
            taxon.scientific_name if taxon else None,
            f"https://inpn.mnhn.fr/espece/cd_nom/{taxon.cd_ref}" if taxon else None,
            taxon.cd_ref if taxon else None, taxon.kingdom if taxon else None,
            taxon.vernacular_fr if taxon else None, attributes.get("count"),
            attributes.get("abundance_class"),
            "abundance class" if attributes.get("abundance_class") else None,
            record.occurrence_status,
            attributes.get("life_stage"), attributes.get("sex"), attributes.get("behaviour"),
            record.observer, LABELS_FR.get(record.status), general.note if general else None,
            "precise location, altitude and locality withheld" if general else None,
            record.programme, LICENCE_URIS[record.licence], record.observer or record.programme,
            record.updated_at.isoformat(), " | ".join(INFO.base_url + url for url in record.photos),
            record.comment,
        )
    ]  # fmt: skip


def tsv(cells: list[str]) -> bytes:
    return ("\t".join(cells) + "\n").encode()


async def python_archive(db: asyncpg.Connection) -> tuple[bytes, bytes, Coverage]:
    """occurrence.txt, multimedia.txt and the coverage, from records read one by one."""
    communes = {r["insee"]: r["name"] for r in await db.fetch("SELECT insee, name FROM commune")}
    departements = {r["code"]: r for r in await db.fetch("SELECT * FROM departement")}
    occurrences = [tsv([term for _, term in OCCURRENCE_TERMS])]
    media = [tsv(["coreid", *(term for _, term in MULTIMEDIA_TERMS)])]
    records = []
    async for row in public.stream(db, public.Filters(statuses=("certain", "probable"))):
        record = to_public(row)
        if record.taxon is None:  # the occurrences: every record that names a taxon
            continue
        records.append(record)
        occurrences.append(tsv(python_row(record, communes, departements)))
        for url in record.photos:
            rights = _clean(record.observer or record.programme)
            licence = LICENCE_URIS[record.licence]
            identifier = INFO.base_url + url
            cells = [
                f"urn:uuid:{record.id}",
                identifier,
                "StillImage",
                "image/jpeg",
                licence,
                rights,
            ]
            media.append(tsv(cells))
    located = [r.location for r in records if r.location]
    first = min(records, key=lambda r: r.observed_at).observed_at
    last = max(records, key=lambda r: r.observed_at).observed_at
    coverage = Coverage(
        count=len(records),
        west=min(p.lon for p in located), south=min(p.lat for p in located),
        east=max(p.lon for p in located), north=max(p.lat for p in located),
        first=first.date(), last=last.date(),
        kingdoms=sorted({r.taxon.kingdom for r in records if r.taxon and r.taxon.kingdom}),
        licences=sorted({r.licence for r in records}),
        version="",  # only a programme's dataset names its version (tests/exchange)
    )  # fmt: skip
    return b"".join(occurrences), b"".join(media), coverage


NUMBERS = {
    "decimalLatitude", "decimalLongitude", "coordinateUncertaintyInMeters",
    "minimumElevationInMeters", "maximumElevationInMeters",
}  # fmt: skip
INSTANTS = {"eventDate", "modified"}


def same_value(term: str, cell: str, oracle: str) -> bool:
    """Equal text, or for numbers and instants, equal values (and the same UTC offset)."""
    if cell == "" or oracle == "" or term not in NUMBERS | INSTANTS:
        return cell == oracle
    if term in NUMBERS:
        return float(cell) == float(oracle)
    written, expected = datetime.fromisoformat(cell), datetime.fromisoformat(oracle)
    return written == expected and written.utcoffset() == expected.utcoffset()


async def seed(client: Client, db: asyncpg.Connection) -> None:
    """Records that exercise every cell: generalised, awkward text, photos, offsets, an
    absence."""
    payloads = [
        observation_payload(data={"cd_nom": 99854, "count": 4}, comment=AWKWARD),
        observation_payload(
            location={"lon": 6.6433, "lat": 44.8986, "accuracy_m": 5, "altitude_m": 2100},
            data={"cd_nom": 2852, "count": 1},
        ),
        observation_payload(
            observed_at="2024-02-29T23:59:58.250000Z",
            location={"lon": 6.7, "lat": 45.0, "accuracy_m": 7.5},
            data={
                "cd_nom": 61098,
                "abundance_class": "11_100",
                "life_stage": "adult",
                "sex": "female",
                "behaviour": "feeding",
            },
            licence="CC0-1.0",
        ),
        observation_payload(observed_at="2025-11-01T06:05:04-03:30", comment="\n"),
        observation_payload(data={"cd_nom": 61098, "occurrence_status": "absent"}),
        observation_payload(kind="heritage", data={"category": "bread_oven"}),
    ]
    for payload in payloads:
        assert (
            await client.post("/api/v1/observations", json=payload, headers=await signed(client))
        ).status_code == 201
    await db.execute("UPDATE observation SET status = 'certain'")
    await project_all(db)
    await db.execute(
        """UPDATE public_observation SET observer = $1,
                  photos = '["/api/v1/photos/a/large.jpg", "/api/v1/photos/b/large.jpg"]'
           WHERE id = $2""",
        "Léa\tdes Écrins",
        payloads[0]["id"],
    )


async def test_the_copy_archive_is_the_record_by_record_archive(
    client: Client, db: asyncpg.Connection, tmp_path: Path
) -> None:
    await seed(client, db)
    occurrences, media, coverage = await python_archive(db)
    chunks: list[bytes] = []

    async def keep(chunk: bytes) -> None:
        chunks.append(chunk)

    await write_archive(db, public.Filters(statuses=("certain", "probable")), INFO, keep)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(chunks)))
    assert archive.namelist() == [
        "occurrence.txt", "multimedia.txt", "measurementorfact.txt", "meta.xml", "eml.xml",
    ]  # fmt: skip
    written = archive.read("occurrence.txt").decode().splitlines()
    expected = occurrences.decode().splitlines()
    assert written[0] == expected[0]
    assert len(written) == len(expected) == 6
    terms = [term for _, term in OCCURRENCE_TERMS]
    for line, oracle_line in zip(written[1:], expected[1:], strict=True):
        cells, oracle = line.split("\t"), oracle_line.split("\t")
        assert len(cells) == len(oracle) == len(terms)
        for term, cell, oracle_cell in zip(terms, cells, oracle, strict=True):
            assert same_value(term, cell, oracle_cell), (term, cell, oracle_cell)
    assert archive.read("multimedia.txt") == media
    # No programme kind here: the extension holds its header only (tests/protocols fills it).
    assert archive.read("measurementorfact.txt") == tsv(["coreid", *MEASUREMENT_TERMS])
    eml = archive.read("eml.xml").decode()
    stamp = eml.split("<dateStamp>")[1].split("</dateStamp>")[0]
    assert eml == eml_xml(INFO, coverage, datetime.fromisoformat(stamp), {}).decode()
    assert coverage.count == 5
    path = tmp_path / "archive.zip"
    path.write_bytes(b"".join(chunks))
    with DwCAReader(str(path)) as reader:
        rows: dict[str, Any] = {row.id: row.data for row in reader}
    assert len(rows) == 5
    assert sorted(r["http://rs.tdwg.org/dwc/terms/occurrenceStatus"] for r in rows.values()) == [
        "absent",
        *["present"] * 4,
    ]
    assert any(
        r["http://rs.tdwg.org/dwc/terms/occurrenceRemarks"].startswith("tab here, CRLF then LS")
        for r in rows.values()
    )
