"""Reading past records from a file: SINP (Cairn's own export, a GeoNature Synthèse export) or a
Darwin Core occurrence file, row by row, into submissions intake then checks (no database).

The file is read line by line with a bound on each line, so a hostile file (one line of a
gigabyte, a binary blob) is refused after reading at most `MAX_LINE_BYTES` of it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, time, timezone, tzinfo
from functools import cache
from typing import IO, Any, Final, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry import Point

from cairn.core.statuses import LABELS_FR
from cairn.exchange.model import (
    ABUNDANCE_RANGES,
    ANONYMOUS,
    BEHAVIOURS,
    DEAD,
    LIFE_STAGES,
    PROGRAMME_KIND_KEYS,
    SEXES,
    STATUS_OF_CODE,
)
from cairn.observations.model import Location, ObservationIn
from cairn.records.vocabulary import LICENCE_URIS
from cairn.reference.files import reference_file

Format = Literal["sinp", "dwc"]
MAX_LINE_BYTES: Final = 1_000_000
"""GeoNature's own limit on a CSV field (`CSV_FIELD_SIZE_LIMIT`); a line may not exceed it."""
DWC: Final = "http://rs.tdwg.org/dwc/terms/"
INPN_TAXON: Final = re.compile(r"^https?://inpn\.mnhn\.fr/espece/cd_nom/(\d{1,8})/?$")
DWC_NAMESPACE: Final = uuid.UUID("8f1b6a52-3c1e-4d8e-9a57-2f0f4f5b9d10")
"""Cairn's namespace for the ids of DwC records whose occurrenceID is not a UUID
(uuid5 of programme and occurrenceID: the same row always gets the same id)."""
SINP_NAMESPACE: Final = uuid.UUID("2c4e7a31-95b8-4f0d-8e62-7d1a9c3b5f48")
"""The same for Synthèse rows without uuid_perm_sinp (uuid5 of dataset and id_synthese)."""


class RowError(msgspec.Struct, frozen=True):
    """Why one row (or the whole file, line 0) is refused: its line, the column, the reason."""

    line: int
    field: str
    code: str
    detail: str


class FileError(Exception):
    """The file cannot be read at all (encoding, separator, a line too long, no header)."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.detail)
        self.error = error


class Candidate(msgspec.Struct, frozen=True, kw_only=True):
    """One row as a submission, with the source's decision and people."""

    line: int
    source_id: str
    observation: ObservationIn
    name: str | None
    """The taxon as the file names it (for a refusal of an unknown taxon)."""
    status: str
    validated_at: datetime | None
    validator: str | None
    validation_comment: str | None
    observers: str | None
    sensitivity_level: int

    def comparable(self) -> tuple[Any, ...]:
        """What a re-import compares with the stored record (line and licence aside); the
        sensitivity level last."""
        obs = self.observation
        return (
            obs.id, obs.kind, obs.schema_version, obs.observed_at, obs.location, obs.data,
            obs.comment, self.status, self.validated_at, self.validator,
            self.validation_comment, self.observers, self.sensitivity_level,
        )  # fmt: skip


@cache
def nomenclature_codes() -> dict[tuple[str, str], str]:
    """(type, code or label) → code, from the shipped SINP nomenclatures (codes or labels)."""
    found: dict[tuple[str, str], str] = {}
    with reference_file("sinp_nomenclatures.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found[(row["type"], row["cd_nomenclature"])] = row["cd_nomenclature"]
            found.setdefault((row["type"], row["label_fr"]), row["cd_nomenclature"])
    return found


def _lines(stream: IO[bytes], digest: Any, done: Callable[[int], None]) -> Iterator[str]:
    """The file's lines, decoded, each at most `MAX_LINE_BYTES` (else a `FileError`)."""
    read = 0
    for number in range(1, 2**62):
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        read += len(raw)
        digest.update(raw)
        done(read)
        if len(raw) > MAX_LINE_BYTES:
            detail = f"the line is longer than {MAX_LINE_BYTES:,} bytes: not a records file"
            raise FileError(RowError(number, "file", "too_long", detail))
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            detail = "the line is not UTF-8 text"
            raise FileError(RowError(number, "file", "invalid_character", detail)) from None
        if "\x00" in text:
            raise FileError(RowError(number, "file", "invalid_character", "a NUL character"))
        yield text


def read_rows(
    stream: IO[bytes], fmt: Format, digest: Any, done: Callable[[int], None] = lambda _: None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Each data row with its line number, as column → cell (separator detected as GeoNature
    does: `csv.Sniffer` on the header, `;` or `,`; a DwC file may also use tabs)."""
    lines = _lines(stream, digest, done)
    header_line = next(lines, None)
    if header_line is None or not header_line.strip():
        raise FileError(RowError(1, "file", "missing", "the file must start with its columns"))
    separator = "\t" if "\t" in header_line else _sniff(header_line)
    header = next(csv.reader([header_line], delimiter=separator))
    if len(header) != len(set(header)):
        raise FileError(RowError(1, "file", "invalid", "two columns have the same name"))
    required = ("date_debut", "cd_nom") if fmt == "sinp" else ("eventDate",)
    missing = [name for name in required if name not in header]
    if missing:
        detail = f"not a {fmt.upper()} file: no column {', '.join(missing)}"
        raise FileError(RowError(1, "file", "missing", detail))
    reader = csv.reader(lines, delimiter=separator)
    try:
        for cells in reader:
            if not any(cells):
                continue
            yield reader.line_num + 1, dict(zip(header, cells, strict=False))
    except csv.Error as exc:
        raise FileError(RowError(reader.line_num + 1, "file", "invalid", str(exc))) from None


def _sniff(header: str) -> str:
    try:
        separator = csv.Sniffer().sniff(header, delimiters=",;").delimiter
    except csv.Error:
        separator = ";" if ";" in header else ","
    return separator


class _Row:
    """One row's cells and the errors found reading them."""

    def __init__(self, line: int, cells: dict[str, str]) -> None:
        self.line, self.cells = line, cells
        self.errors: list[RowError] = []

    def text(self, *columns: str) -> str | None:
        for column in columns:
            value = (self.cells.get(column) or "").strip()
            if value:
                return value
        return None

    def fail(self, field: str, code: str, detail: str) -> None:
        self.errors.append(RowError(self.line, field, code, detail))

    def uuid(self, column: str, *, required: bool) -> UUID | None:
        value = self.text(column)
        if value is None:
            if required:
                self.fail(column, "missing", f"{column} is required")
            return None
        try:
            return UUID(value)
        except ValueError:
            self.fail(column, "invalid_format", f"{value[:60]!r} is not a UUID")
            return None

    def number(self, column: str, *, integer: bool = False) -> float | None:
        value = self.text(column)
        if value is None:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            self.fail(column, "wrong_type", f"{value[:60]!r} is not a number")
            return None
        if integer and not number.is_integer():
            self.fail(column, "wrong_type", f"{value[:60]!r} is not a whole number")
            return None
        if not math.isfinite(number) or abs(number) > 1e9:
            self.fail(column, "out_of_range", f"{value[:60]!r} is out of range")
            return None
        return number

    def code(self, column: str, sinp_type: str) -> str | None:
        value = self.text(column)
        if value is None:
            return None
        code = nomenclature_codes().get((sinp_type, value))
        if code is None:
            self.fail(column, "not_allowed", f"{value[:60]!r} is no {sinp_type} code or label")
        return code


def _local_datetime(row: _Row, day_column: str, hour_column: str | None, zone: ZoneInfo) -> (
    datetime | None
):  # fmt: skip
    """A date (GeoNature's formats: YYYY-MM-DD or DD-MM-YYYY, `/` or `.` allowed) and an
    optional time, at the territory's local time."""
    raw = row.text(day_column)
    if raw is None:
        row.fail(day_column, "missing", f"{day_column} is required")
        return None
    day = None
    cleaned = re.sub("[/.]", "-", raw.split(" ")[0].split("T")[0])
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            day = datetime.strptime(cleaned, pattern).date()
            break
        except ValueError:
            continue
    if day is None:
        row.fail(day_column, "invalid_format", f"{raw[:60]!r} is not a date")
        return None
    at = time(0, 0)
    hour = row.text(hour_column) if hour_column else None
    if hour is not None and hour_column is not None:
        try:
            at = time.fromisoformat(hour.replace("h", ":").rstrip(":"))
        except ValueError:
            row.fail(hour_column, "invalid_format", f"{hour[:60]!r} is not a time")
            return None
    return datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)


def _timestamp(row: _Row, column: str, zone: tzinfo) -> datetime | None:
    """A date and time; without an offset, at `zone` (the SINP file writes a record's
    validation at its observation's offset)."""
    raw = row.text(column)
    if raw is None:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        row.fail(column, "invalid_format", f"{raw[:60]!r} is not a date and time")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _offset_of(observed_at: datetime | None, zone: ZoneInfo) -> tzinfo:
    """The fixed offset the observation was made at (the zone's when it has no date)."""
    offset = observed_at.utcoffset() if observed_at else None
    return zone if offset is None else timezone(offset)


def _point(row: _Row) -> tuple[float, float] | None:
    """The record's point: its WKT (WGS84), else its centroid's coordinates."""
    raw = row.text("geometrie_wkt_4326")
    if raw is None:
        lon, lat = row.number("x_centroid_4326"), row.number("y_centroid_4326")
        if lon is None or lat is None:
            row.fail("geometrie_wkt_4326", "missing", "a POINT geometry is required")
            return None
        return lon, lat
    try:
        shape = wkt.loads(raw[:10_000])
    except (ShapelyError, ValueError):
        row.fail("geometrie_wkt_4326", "invalid_format", f"{raw[:60]!r} is not WKT")
        return None
    if not isinstance(shape, Point) or shape.is_empty:
        row.fail("geometrie_wkt_4326", "not_allowed", "only a POINT can be imported")
        return None
    return shape.x, shape.y


def _extra(row: _Row) -> dict[str, Any]:
    raw = row.text("champs_additionnels")
    if raw is None:
        return {}
    try:
        extra = json.loads(raw)
    except ValueError:
        extra = None
    if not isinstance(extra, dict):
        row.fail("champs_additionnels", "wrong_type", "champs_additionnels must be a JSON object")
        return {}
    return extra


def _reverse(table: dict[str, str]) -> dict[str, str]:
    """Code → the first Cairn value with it."""
    found: dict[str, str] = {}
    for value, code in table.items():
        found.setdefault(code, value)
    return found


_STAGE_OF, _SEX_OF, _BEHAVIOUR_OF = _reverse(LIFE_STAGES), _reverse(SEXES), _reverse(BEHAVIOURS)
_CLASS_OF: Final = {bounds: name for name, bounds in ABUNDANCE_RANGES.items()}


def _sinp_data(row: _Row, cd_nom: int | None) -> tuple[str, int, dict[str, Any]]:
    """The record's kind, version and data from the coded columns and champs_additionnels."""
    extra = _extra(row)
    kind = str(extra.pop("cairn_kind", "species"))
    version = extra.pop("cairn_schema_version", 1)
    extra = {k: v for k, v in extra.items() if k not in PROGRAMME_KIND_KEYS}
    data: dict[str, Any] = {"cd_nom": cd_nom, **extra}
    if row.code("statut_observation", "STATUT_OBS") == "No":
        data["occurrence_status"] = "absent"
    else:
        low = row.number("nombre_min", integer=True)
        high = row.number("nombre_max", integer=True)
        counting = row.code("type_denombrement", "TYP_DENBR")
        estimated = _CLASS_OF.get((int(low), None if high is None else int(high))) if low else None
        if counting == "Es" and estimated and "abundance_class" not in data:
            data["abundance_class"] = estimated
        elif low is not None and low > 0 and "abundance_class" not in data:
            data["count"] = int(low)
    for column, sinp_type, field, values in (
        ("stade_vie", "STADE_VIE", "life_stage", _STAGE_OF),
        ("sexe", "SEXE", "sex", _SEX_OF),
        ("comportement", "OCC_COMPORTEMENT", "behaviour", _BEHAVIOUR_OF),
    ):
        code = row.code(column, sinp_type)
        if field not in data and code in values:
            data[field] = values[code]
    if row.code("etat_biologique", "ETA_BIO") == DEAD and "behaviour" not in data:
        data["behaviour"] = "dead"
    return kind, version if isinstance(version, int) else 1, data


def _status(row: _Row, column: str) -> str:
    code = row.code(column, "STATUT_VALID")
    return "pending" if code is None else STATUS_OF_CODE[code]


def sinp_candidate(line: int, cells: dict[str, str], programme: str, zone: ZoneInfo) -> (
    Candidate | list[RowError]
):  # fmt: skip
    """A SINP row (Cairn's export or GeoNature's Synthèse export, codes or labels)."""
    row = _Row(line, cells)
    local_id = row.text("id_synthese")
    dataset = row.uuid("unique_dataset_id", required=False) or row.uuid("jdd_uuid", required=False)
    observation_id = row.uuid("uuid_perm_sinp", required=local_id is None)
    if observation_id is None and local_id is not None and not row.errors:
        # A Synthèse row without its SINP UUID: one made from its dataset and local id, so
        # the same row always gets the same (an import stays idempotent).
        observation_id = uuid.uuid5(SINP_NAMESPACE, f"{dataset or programme}:{local_id}")
    observed_at = _local_datetime(row, "date_debut", "heure_debut", zone)
    cd_nom = row.number("cd_nom", integer=True)
    if cd_nom is None and "cd_nom" not in {e.field for e in row.errors}:
        row.fail("cd_nom", "missing", "cd_nom is required")
    point = _point(row)
    accuracy = row.number("precision_geographique")
    low, high = row.number("alti_min"), row.number("alti_max")
    altitude = low if high is None or low is None else (low + high) / 2
    kind, version, data = _sinp_data(row, None if cd_nom is None else int(cd_nom))
    level = row.code("niveau_sensibilite", "SENSIBILITE")
    observers = row.text("observateurs")
    candidate = Candidate(
        line=line,
        source_id=row.text("uuid_perm_sinp") or f"id_synthese {local_id}",
        observation=ObservationIn(
            id=observation_id or UUID(int=0),
            kind=kind,
            schema_version=version,
            observed_at=observed_at or datetime.now(zone),
            location=_location(point, accuracy, altitude),
            data=data,
            programme=programme,
            comment=row.text("comment_occurrence"),
        ),
        name=row.text("nom_cite"),
        status=_status(row, "niveau_validation"),
        validated_at=_timestamp(row, "date_validation", _offset_of(observed_at, zone)),
        validator=row.text("validateur"),
        validation_comment=row.text("comment_validation"),
        observers=None if observers == ANONYMOUS else observers,
        sensitivity_level=int(level) if level else 0,
    )
    return row.errors or candidate


def _location(
    point: tuple[float, float] | None, accuracy: float | None, altitude: float | None
) -> Location:
    """Whole metres, as the SINP file writes them (so a re-import compares equal)."""
    lon, lat = point or (0.0, 0.0)
    return Location(
        lon=lon,
        lat=lat,
        accuracy_m=None if accuracy is None else float(round(accuracy)),
        altitude_m=None if altitude is None else float(round(altitude)),
    )


def _dwc(row: _Row, term: str) -> str | None:
    return row.text(term, DWC + term)


_DWC_STATUSES: Final = {label: status for status, label in LABELS_FR.items()}
_DWC_LICENCES: Final = {uri: licence for licence, uri in LICENCE_URIS.items()}


def dwc_candidate(line: int, cells: dict[str, str], programme: str, zone: ZoneInfo) -> (
    Candidate | list[RowError]
):  # fmt: skip
    """A Darwin Core occurrence row (an occurrence.txt, as GBIF archives carry them)."""
    row = _Row(line, cells)
    source = _dwc(row, "occurrenceID")
    if source is None:
        row.fail("occurrenceID", "missing", "occurrenceID is required")
        source = ""
    bare = source.removeprefix("urn:uuid:")
    try:
        observation_id = UUID(bare)
    except ValueError:
        observation_id = uuid.uuid5(DWC_NAMESPACE, f"{programme}:{source}")
    observed_at = _event_date(row, zone)
    lon, lat = row.number("decimalLongitude"), row.number("decimalLatitude")
    if lon is None or lat is None:
        row.fail("decimalLongitude", "missing", "decimalLongitude and decimalLatitude are required")
    cd_nom = _taxon(row)
    data: dict[str, Any] = {"cd_nom": cd_nom}
    if (_dwc(row, "occurrenceStatus") or "").lower() == "absent":
        data["occurrence_status"] = "absent"
    elif (count := row.number("individualCount", integer=True)) is not None and count > 0:
        data["count"] = int(count)
    for term, field, values in (
        ("lifeStage", "life_stage", LIFE_STAGES),
        ("sex", "sex", SEXES),
        ("behavior", "behaviour", BEHAVIOURS),
    ):
        value = (_dwc(row, term) or "").lower()
        if value in values:
            data[field] = value
    licence = _DWC_LICENCES.get(_dwc(row, "license") or "")
    status = _DWC_STATUSES.get(_dwc(row, "identificationVerificationStatus") or "", "pending")
    elevation = row.number("minimumElevationInMeters")
    candidate = Candidate(
        line=line,
        source_id=source,
        observation=ObservationIn(
            id=observation_id,
            kind="species",
            schema_version=1,
            observed_at=observed_at or datetime.now(zone),
            location=_location(
                (lon or 0.0, lat or 0.0), row.number("coordinateUncertaintyInMeters"), elevation
            ),
            data=data,
            programme=programme,
            licence=licence,  # type: ignore[arg-type]
            comment=_dwc(row, "occurrenceRemarks"),
        ),
        name=_dwc(row, "scientificName"),
        status=status,
        validated_at=None,
        validator=_dwc(row, "identifiedBy"),
        validation_comment=None,
        observers=_dwc(row, "recordedBy"),
        sensitivity_level=0,
    )
    return row.errors or candidate


def _event_date(row: _Row, zone: ZoneInfo) -> datetime | None:
    raw = _dwc(row, "eventDate")
    if raw is None:
        row.fail("eventDate", "missing", "eventDate is required")
        return None
    try:
        parsed = datetime.fromisoformat(raw.split("/")[0])
    except ValueError:
        row.fail("eventDate", "invalid_format", f"{raw[:60]!r} is not an ISO 8601 date")
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _taxon(row: _Row) -> int | None:
    """TAXREF CD_NOM from taxonID, or from an INPN scientificNameID."""
    raw = _dwc(row, "taxonID")
    if raw is not None and raw.isdigit() and len(raw) <= 8:
        return int(raw)
    match = INPN_TAXON.match(_dwc(row, "scientificNameID") or "")
    if match:
        return int(match.group(1))
    name = _dwc(row, "scientificName") or "(no name)"
    row.fail("taxonID", "unknown_taxon", f"no TAXREF code for {name[:100]}")
    return None


def candidate_of(fmt: Format) -> Callable[[int, dict[str, str], str, ZoneInfo], (
    Candidate | list[RowError]
)]:  # fmt: skip
    """The row reader of a format."""
    return sinp_candidate if fmt == "sinp" else dwc_candidate


def new_digest() -> Any:
    """The file's SHA-256, updated as its lines are read."""
    return hashlib.sha256()
