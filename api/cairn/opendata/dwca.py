"""Darwin Core Archive for GBIF: a zip written while PostgreSQL's COPY streams, memory flat.

occurrence.txt (core), multimedia.txt (Simple Multimedia extension) and
measurementorfact.txt (MeasurementOrFact extension: the fields of programme
kinds, see opendata.measurements) are written by `COPY (SELECT …) TO STDOUT`
(see `store.copy_dwca`): Python only compresses the bytes. meta.xml and eml.xml
(EML 2.1.1 as GBIF's IPT writes it) come from a summary query run in the same
snapshot. Records that name a taxon are occurrences (species, and programme
kinds with a taxon field); heritage records are not exported here.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import IO, Any, Final
from xml.sax.saxutils import escape

import msgspec

from cairn.core.clock import now
from cairn.core.db import Connection
from cairn.core.grid import cell_polygon
from cairn.core.statuses import LABELS_FR
from cairn.opendata import store as public
from cairn.opendata.measurements import (
    MEASUREMENT_TERMS,
    fields_in_scope,
    measurement_fields,
    meta_extension,
)
from cairn.opendata.streaming import Push
from cairn.records.vocabulary import LICENCE_URIS

DWC: Final = "http://rs.tdwg.org/dwc/terms/"
DC: Final = "http://purl.org/dc/terms/"
OCCURRENCE_TERMS: Final = (
    (DWC, "occurrenceID"), (DWC, "basisOfRecord"), (DWC, "eventDate"),
    (DWC, "decimalLatitude"), (DWC, "decimalLongitude"), (DWC, "geodeticDatum"),
    (DWC, "coordinateUncertaintyInMeters"), (DWC, "footprintWKT"),
    (DWC, "minimumElevationInMeters"), (DWC, "maximumElevationInMeters"), (DWC, "countryCode"),
    (DWC, "stateProvince"), (DWC, "county"), (DWC, "municipality"), (DWC, "scientificName"),
    (DWC, "scientificNameID"), (DWC, "taxonID"), (DWC, "kingdom"), (DWC, "vernacularName"),
    (DWC, "individualCount"), (DWC, "organismQuantity"), (DWC, "organismQuantityType"),
    (DWC, "occurrenceStatus"), (DWC, "lifeStage"), (DWC, "sex"), (DWC, "behavior"),
    (DWC, "recordedBy"), (DWC, "identificationVerificationStatus"), (DWC, "dataGeneralizations"),
    (DWC, "informationWithheld"), (DWC, "datasetName"), (DC, "license"), (DC, "rightsHolder"),
    (DC, "modified"), (DWC, "associatedMedia"), (DWC, "occurrenceRemarks"),
)  # fmt: skip
MULTIMEDIA_TERMS: Final = (
    (DC, "identifier"), (DC, "type"), (DC, "format"), (DC, "license"), (DC, "rightsHolder"),
)  # fmt: skip
FLUSH_BYTES: Final = 256 * 1024
BATCH_BYTES: Final = 1024 * 1024
"""COPY's output is deflated in batches of this size, one at a time, in a worker thread."""
_DEFLATER: Final = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dwca-deflate")
"""Shared by concurrent exports (each uses one worker at a time)."""
COMPRESS_LEVEL: Final = 1
"""zlib's fastest level: on occurrence-like text the archive is ~14 % larger than at the
default level, and compressing is no longer the slowest step of an export."""


class DatasetInfo(msgspec.Struct, frozen=True):
    """What eml.xml says about the dataset and who publishes it."""

    title: str
    publisher: str
    contact_email: str
    base_url: str
    query: str


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are handed out as they come (zip without seeking)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.pending = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.pending = 0
        return data


class _Member:
    """One data file of the archive, written from COPY's chunks without holding it.

    zlib lets go of the GIL while it deflates, so a batch is compressed in a worker
    thread while the event loop reads the next one from PostgreSQL: the export takes
    about as long as the slower of the two instead of their sum. One batch at a time,
    in order; the zip's bytes are handed on between batches, never during one.
    """

    def __init__(self, entry: IO[bytes], sink: _Sink, output: Push) -> None:
        self._entry, self._sink, self._output = entry, sink, output
        self._batch = bytearray()
        self._job: Future[int] | None = None

    async def write(self, chunk: bytes) -> None:
        self._batch += chunk
        if len(self._batch) >= BATCH_BYTES:
            await self._hand_over()

    async def close(self) -> None:
        """Deflate what is left; the entry may then be closed."""
        if self._batch:
            await self._hand_over()
        await self._settle()

    def wait(self) -> None:
        """Block until the batch in the worker is done (before the entry is closed, even on
        an error or a client gone: the worker must not write into a closing entry)."""
        if self._job is not None:
            self._job.result()

    async def _hand_over(self) -> None:
        await self._settle()
        data = bytes(self._batch)
        self._batch.clear()
        self._job = _DEFLATER.submit(self._entry.write, data)

    async def _settle(self) -> None:
        if self._job is not None:
            await asyncio.wrap_future(self._job)
            self._job = None
        if self._sink.pending >= FLUSH_BYTES:
            await self._output(self._sink.drain())


def meta_xml() -> bytes:
    """The archive descriptor: which file holds which terms."""
    core = "\n".join(
        f'    <field index="{i}" term="{ns}{term}"/>'
        for i, (ns, term) in enumerate(OCCURRENCE_TERMS)
    )
    media = "\n".join(
        f'    <field index="{i + 1}" term="{ns}{term}"/>'
        for i, (ns, term) in enumerate(MULTIMEDIA_TERMS)
    )
    attrs = 'encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" fieldsEnclosedBy="" ignoreHeaderLines="1"'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">
  <core {attrs} rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files><location>occurrence.txt</location></files>
    <id index="0"/>
{core}
  </core>
  <extension {attrs} rowType="http://rs.gbif.org/terms/1.0/Multimedia">
    <files><location>multimedia.txt</location></files>
    <coreid index="0"/>
{media}
  </extension>
{meta_extension(attrs)}</archive>
""".encode()


class Coverage(msgspec.Struct, frozen=True):
    """What the occurrence rows cover (for eml.xml); bounds are None when no row has a position."""

    count: int
    west: float | None
    south: float | None
    east: float | None
    north: float | None
    first: date | None
    last: date | None
    kingdoms: list[str]
    licences: list[str]

    @classmethod
    def of(cls, groups: list[Any]) -> Coverage:
        """The whole from the rows of `store.dwca_coverage` (one per kingdom, licence, cell)."""

        def bound(name: str, pick: Callable[[list[float]], float]) -> float | None:
            values = [g[name] for g in groups if g[name] is not None]
            return pick(values) if values else None

        return cls(
            count=sum(g["count"] for g in groups),
            west=bound("west", min), south=bound("south", min),
            east=bound("east", max), north=bound("north", max),
            first=groups[0]["first"] if groups else None,
            last=groups[0]["last"] if groups else None,
            kingdoms=sorted({g["kingdom"] for g in groups if g["kingdom"]}),
            licences=sorted({g["licence"] for g in groups}),
        )  # fmt: skip


def eml_xml(info: DatasetInfo, coverage: Coverage, now: datetime) -> bytes:
    """EML 2.1.1 metadata with coverage, licences and a suggested citation."""
    today = now.date().isoformat()
    licences = (
        ", ".join(f"{lic} ({LICENCE_URIS[lic]})" for lic in sorted(coverage.licences)) or "none"
    )
    citation = (
        f"{info.publisher} ({now.year}). {info.title}. Occurrence dataset, {coverage.count} records, "
        f"queried {today} from {info.base_url}/api/v1/exports/dwca{info.query}"
    )
    geographic = (
        f"""<geographicCoverage><geographicDescription>Briançonnais, Écrins, Guillestrois and Queyras (Hautes-Alpes, France)</geographicDescription>
        <boundingCoordinates><westBoundingCoordinate>{coverage.west}</westBoundingCoordinate><eastBoundingCoordinate>{coverage.east}</eastBoundingCoordinate>
        <northBoundingCoordinate>{coverage.north}</northBoundingCoordinate><southBoundingCoordinate>{coverage.south}</southBoundingCoordinate></boundingCoordinates></geographicCoverage>"""
        if coverage.west is not None
        else ""
    )
    temporal = (
        f"<temporalCoverage><rangeOfDates><beginDate><calendarDate>{coverage.first}</calendarDate></beginDate>"
        f"<endDate><calendarDate>{coverage.last}</calendarDate></endDate></rangeOfDates></temporalCoverage>"
        if coverage.first and coverage.last
        else ""
    )
    taxonomic = "".join(
        f"<taxonomicClassification><taxonRankName>kingdom</taxonRankName><taxonRankValue>{escape(k)}</taxonRankValue></taxonomicClassification>"
        for k in sorted(coverage.kingdoms)
    )
    taxonomic_xml = f"<taxonomicCoverage>{taxonomic}</taxonomicCoverage>" if taxonomic else ""
    party = f"<organizationName>{escape(info.publisher)}</organizationName><electronicMailAddress>{escape(info.contact_email)}</electronicMailAddress>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1" xmlns:dc="http://purl.org/dc/terms/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="eml://ecoinformatics.org/eml-2.1.1 http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd"
  packageId="{escape(info.base_url)}/api/v1/exports/dwca" system="http://gbif.org" scope="system" xml:lang="en">
  <dataset>
    <title xml:lang="en">{escape(info.title)}</title>
    <creator>{party}</creator>
    <metadataProvider>{party}</metadataProvider>
    <pubDate>{today}</pubDate>
    <language>fr</language>
    <abstract><para>Participatory-science observations of species collected by visitors with Cairn and validated by the moderators of the territory's programmes. Positions of sensitive taxa are generalised as the SINP sensitivity levels require (see dataGeneralizations).</para></abstract>
    <intellectualRights><para>Each record carries its own licence (dcterms:license). Licences in this archive: {escape(licences)}.</para></intellectualRights>
    <coverage>{geographic}{temporal}{taxonomic_xml}</coverage>
    <contact>{party}</contact>
  </dataset>
  <additionalMetadata><metadata><gbif><dateStamp>{now.isoformat()}</dateStamp><citation>{escape(citation)}</citation></gbif></metadata></additionalMetadata>
</eml:eml>
""".encode()


async def write_archive(
    conn: Connection, filters: public.Filters, info: DatasetInfo, output: Push
) -> None:
    """The zip into `output`, chunk by chunk: occurrences and media as COPY writes them, metadata last.

    One repeatable-read snapshot, so eml.xml describes exactly the rows written.
    """
    sink = _Sink()
    archive = zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    )

    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        groups = await public.dwca_coverage(conn, filters)
        fields = await fields_in_scope(conn, filters.programme, filters.kind)
        constants = public.DwcaConstants(
            base_url=info.base_url,
            footprints={g["cell"]: cell_polygon(g["cell"]).wkt for g in groups if g["cell"]},
            status_labels=LABELS_FR,
            licence_uris=LICENCE_URIS,
            measured=measurement_fields(fields),
        )
        for file, terms in (
            ("occurrence.txt", [term for _, term in OCCURRENCE_TERMS]),
            ("multimedia.txt", ["coreid", *(term for _, term in MULTIMEDIA_TERMS)]),
            ("measurementorfact.txt", ["coreid", *MEASUREMENT_TERMS]),
        ):
            with archive.open(file, "w", force_zip64=True) as entry:
                member = _Member(entry, sink, output)
                try:
                    await public.copy_dwca(conn, file, filters, constants, terms, member.write)
                    await member.close()
                finally:
                    member.wait()
    coverage = Coverage.of(groups)
    archive.writestr("meta.xml", meta_xml())
    archive.writestr("eml.xml", eml_xml(info, coverage, now()))
    archive.close()
    await output(sink.drain())
