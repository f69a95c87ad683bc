"""Darwin Core Archive for GBIF: a zip written while rows stream, memory flat.

occurrence.txt (core), multimedia.txt (Simple Multimedia extension),
measurementorfact.txt (the fields of programme kinds, see opendata.measurements),
meta.xml and eml.xml (EML 2.1.1 as GBIF's IPT writes it). Records that name a
taxon are occurrences (species, and programme kinds with a taxon field);
heritage records are not exported here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Final
from xml.sax.saxutils import escape

import msgspec

from cairn.core.clock import now
from cairn.core.grid import cell_polygon
from cairn.observations.model import LICENCE_URIS
from cairn.observations.statuses import LABELS_FR
from cairn.opendata.measurements import (
    MEASUREMENT_TERMS,
    KindField,
    measurement_rows,
    meta_extension,
)
from cairn.opendata.records import PublicObservation

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


def _clean(value: object) -> str:
    """A TSV cell: no tabs or line breaks, None as empty (the archive uses no quoting)."""
    if value is None:
        return ""
    return " ".join(str(value).replace("\t", " ").splitlines())


def occurrence_row(record: PublicObservation, communes: dict[str, str], base_url: str) -> list[str]:
    """The standards.md §1 mapping of one public record (photo URLs made absolute)."""
    taxon, location, general = record.taxon, record.location, record.generalisation
    attributes = record.attributes
    footprint = (
        cell_polygon(general.code).wkt if general and general.method == "grid_10km" else None
    )
    return [
        _clean(v)
        for v in (
            f"urn:uuid:{record.id}", "HumanObservation", record.observed_at.isoformat(),
            location.lat if location else None, location.lon if location else None,
            "EPSG:4326" if location else None, location.uncertainty_m if location else None,
            footprint, record.altitude_m, record.altitude_m, "FR", "Provence-Alpes-Côte d'Azur",
            "Hautes-Alpes", communes.get(record.commune or ""),
            taxon.scientific_name if taxon else None,
            f"https://inpn.mnhn.fr/espece/cd_nom/{taxon.cd_ref}" if taxon else None,
            taxon.cd_ref if taxon else None, taxon.kingdom if taxon else None,
            taxon.vernacular_fr if taxon else None, attributes.get("count"),
            attributes.get("abundance_class"),
            "abundance class" if attributes.get("abundance_class") else None, "present",
            attributes.get("life_stage"), attributes.get("sex"), attributes.get("behaviour"),
            record.observer, LABELS_FR.get(record.status), general.note if general else None,
            "precise location, altitude and locality withheld" if general else None,
            record.programme, LICENCE_URIS[record.licence], record.observer or record.programme,
            record.updated_at.isoformat(), " | ".join(base_url + url for url in record.photos),
            record.comment,
        )
    ]  # fmt: skip


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


class Coverage:
    """What the rows covered, gathered while they streamed (for eml.xml)."""

    def __init__(self) -> None:
        self.count = 0
        self.west = self.south = 180.0
        self.east = self.north = -180.0
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.kingdoms: set[str] = set()
        self.licences: set[str] = set()

    def add(self, record: PublicObservation) -> None:
        self.count += 1
        if record.location:
            self.west, self.east = (
                min(self.west, record.location.lon),
                max(self.east, record.location.lon),
            )
            self.south, self.north = (
                min(self.south, record.location.lat),
                max(self.north, record.location.lat),
            )
        when = record.observed_at
        self.first = when if self.first is None or when < self.first else self.first
        self.last = when if self.last is None or when > self.last else self.last
        if record.taxon and record.taxon.kingdom:
            self.kingdoms.add(record.taxon.kingdom)
        self.licences.add(record.licence)


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
        if coverage.count and coverage.west <= coverage.east
        else ""
    )
    temporal = (
        f"<temporalCoverage><rangeOfDates><beginDate><calendarDate>{coverage.first.date()}</calendarDate></beginDate>"
        f"<endDate><calendarDate>{coverage.last.date()}</calendarDate></endDate></rangeOfDates></temporalCoverage>"
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


def _tsv(cells: list[str]) -> bytes:
    return ("\t".join(cells) + "\n").encode("utf-8")


async def write_archive(
    records: AsyncIterator[PublicObservation],
    communes: dict[str, str],
    info: DatasetInfo,
    measured: dict[tuple[str, int], list[KindField]] | None = None,
) -> AsyncIterator[bytes]:
    """The zip, chunk by chunk: occurrences and media as they come, metadata at the end.

    `measured`: the public fields of programme kinds by (kind, version), written
    to the MeasurementOrFact extension.
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED)
    coverage = Coverage()
    media_rows: list[bytes] = [_tsv(["coreid", *(term for _, term in MULTIMEDIA_TERMS)])]
    measurement_lines: list[bytes] = [_tsv(["coreid", *MEASUREMENT_TERMS])]
    with archive.open("occurrence.txt", "w", force_zip64=True) as occurrences:
        occurrences.write(_tsv([term for _, term in OCCURRENCE_TERMS]))
        async for record in records:
            if record.taxon is None:
                continue
            coverage.add(record)
            occurrences.write(_tsv(occurrence_row(record, communes, info.base_url)))
            occurrence_id = f"urn:uuid:{record.id}"
            measurement_lines += [
                _tsv([_clean(cell) for cell in row])
                for row in measurement_rows(record, measured or {})
            ]
            for url in record.photos:
                rights = record.observer or record.programme
                media_rows.append(
                    _tsv(
                        [
                            occurrence_id,
                            info.base_url + url,
                            "StillImage",
                            "image/jpeg",
                            LICENCE_URIS[record.licence],
                            rights,
                        ]
                    )
                )
            if sink.pending >= FLUSH_BYTES:
                yield sink.drain()
    archive.writestr("multimedia.txt", b"".join(media_rows))
    archive.writestr("measurementorfact.txt", b"".join(measurement_lines))
    archive.writestr("meta.xml", meta_xml())
    archive.writestr("eml.xml", eml_xml(info, coverage, now()))
    archive.close()
    yield sink.drain()
