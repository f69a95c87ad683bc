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
import hashlib
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


GBIF_LICENCES: Final = ("CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0")
"""The licences GBIF accepts for a dataset, from the most open."""
RIGHTS: Final = {
    "CC0-1.0": (
        "To the extent possible under law, the publisher has waived all rights to these data "
        "and has dedicated them to the {link}. Users may copy, modify, distribute and use the "
        "work, including for commercial purposes, without restriction.",
        "Public Domain (CC0 1.0)",
    ),
    "CC-BY-4.0": (
        "This work is licensed under a {link}.",
        "Creative Commons Attribution (CC-BY) 4.0 License",
    ),
    "CC-BY-NC-4.0": (
        "This work is licensed under a {link}.",
        "Creative Commons Attribution Non Commercial (CC-BY-NC) 4.0 License",
    ),
}
"""intellectualRights as GBIF's IPT writes it for each licence (GBIF reads the ulink)."""


def licences_within(licence: str) -> tuple[str, ...]:
    """The record licences a dataset under `licence` may carry: it, or a more open one."""
    return GBIF_LICENCES[: GBIF_LICENCES.index(licence) + 1]


class PublishedDataset(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's dataset metadata, as one GBIF dataset names it (see `store.dataset`)."""

    id: str
    title: str
    description: str
    producer: str
    contact_name: str | None
    contact_email: str | None
    sinp_jdd_uuid: str | None
    licence: str


class DatasetInfo(msgspec.Struct, frozen=True, kw_only=True):
    """What eml.xml says about the dataset and who publishes it."""

    title: str
    publisher: str
    contact_email: str
    base_url: str
    query: str
    coverage: str
    """The territory in words (the deployment's `CAIRN_COVERAGE`)."""
    dataset: PublishedDataset | None = None
    """A programme's dataset: one licence, its metadata; None for the whole open data."""


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
    version: str
    """Changes when the rows do (which, or any change to one): the packageId's version."""

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
            version=hashlib.sha256(msgspec.json.encode(sorted(
                [g["kingdom"] or "", g["licence"], g["cell"] or "", g["count"], g["fingerprint"]]
                for g in groups
            ))).hexdigest()[:16],
        )  # fmt: skip


def _party(name: str, email: str | None, person: str | None = None) -> str:
    who = f"<individualName><surName>{escape(person)}</surName></individualName>" if person else ""
    mail = f"<electronicMailAddress>{escape(email)}</electronicMailAddress>" if email else ""
    return f"{who}<organizationName>{escape(name)}</organizationName>{mail}"


def _rights(info: DatasetInfo, coverage: Coverage) -> str:
    """intellectualRights: the dataset's licence with a ulink GBIF reads, or, for the whole
    open data (several licences), each record's own."""
    if info.dataset is not None:
        text, title = RIGHTS[info.dataset.licence]
        url = LICENCE_URIS[info.dataset.licence]
        link = f'<ulink url="{escape(url)}"><citetitle>{escape(title)}</citetitle></ulink>'
        return f"<para>{text.format(link=link)}</para>"
    licences = (
        ", ".join(f"{lic} ({LICENCE_URIS[lic]})" for lic in sorted(coverage.licences)) or "none"
    )
    return (
        "<para>Each record carries its own licence (dcterms:license). Licences in this "
        f"archive: {escape(licences)}.</para>"
    )


def _left_out(info: DatasetInfo, left_out: dict[str, int]) -> str:
    """A paragraph saying how many of the programme's records the archive leaves out, and why."""
    if info.dataset is None or not left_out:
        return ""
    reasons = "; ".join(
        f"{count} under {licence}, "
        + (
            "not a licence GBIF accepts"
            if licence not in GBIF_LICENCES
            else f"more restrictive than the dataset's {info.dataset.licence}"
        )
        for licence, count in sorted(left_out.items())
    )
    total = sum(left_out.values())
    return (
        f"<para>{total} validated record{'s' if total > 1 else ''} of this programme "
        f"{'are' if total > 1 else 'is'} left out of this archive because of "
        f"{'their' if total > 1 else 'its'} licence: {escape(reasons)}.</para>"
    )


def eml_xml(
    info: DatasetInfo, coverage: Coverage, now: datetime, left_out: dict[str, int]
) -> bytes:
    """EML 2.1.1 metadata with coverage, licences and a suggested citation; for a programme,
    its dataset's identifiers, parties and the one licence GBIF reads."""
    today = now.date().isoformat()
    dataset = info.dataset
    title = dataset.title if dataset else info.title
    citation = (
        f"{dataset.producer if dataset else info.publisher} ({now.year}). {title}. "
        f"Occurrence dataset, {coverage.count} records, "
        f"queried {today} from {info.base_url}/api/v1/exports/dwca{info.query}"
    )
    geographic = (
        f"""<geographicCoverage><geographicDescription>{escape(info.coverage)}</geographicDescription>
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
    if dataset is None:
        package = f"{escape(info.base_url)}/api/v1/exports/dwca"
        party = creator = _party(info.publisher, info.contact_email)
        identifiers = description = ""
    else:
        package = f"{escape(dataset.id)}/{coverage.version}"
        creator = _party(dataset.producer, dataset.contact_email or info.contact_email)
        party = _party(
            dataset.producer, dataset.contact_email or info.contact_email, dataset.contact_name
        )
        identifiers = "".join(
            f"<alternateIdentifier>{escape(value)}</alternateIdentifier>"
            for value in (dataset.id, dataset.sinp_jdd_uuid)
            if value
        )
        description = f"<para>{escape(dataset.description)}</para>" if dataset.description else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1" xmlns:dc="http://purl.org/dc/terms/"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="eml://ecoinformatics.org/eml-2.1.1 http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd"
  packageId="{package}" system="http://gbif.org" scope="system" xml:lang="en">
  <dataset>
    {identifiers}<title xml:lang="en">{escape(title)}</title>
    <creator>{creator}</creator>
    <metadataProvider>{party}</metadataProvider>
    <pubDate>{today}</pubDate>
    <language>fr</language>
    <abstract>{description}<para>Participatory-science observations of species collected by visitors with Cairn and validated by the moderators of the territory's programmes. Positions of sensitive taxa are generalised as the SINP sensitivity levels require (see dataGeneralizations).</para>{_left_out(info, left_out)}</abstract>
    <intellectualRights>{_rights(info, coverage)}</intellectualRights>
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

    left_out: dict[str, int] = {}
    if info.dataset is not None:
        filters = msgspec.structs.replace(filters, licences=licences_within(info.dataset.licence))
    async with conn.transaction(readonly=True, isolation="repeatable_read"):
        if info.dataset is not None:
            left_out = await public.licences_left_out(conn, filters)
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
    archive.writestr("eml.xml", eml_xml(info, coverage, now(), left_out))
    archive.close()
    await output(sink.drain())
