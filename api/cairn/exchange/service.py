"""Datasets' metadata, the SINP export and the import of past records: each write audited."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Final
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from asyncpg import Pool

from cairn.core.db import Connection, transaction
from cairn.core.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from cairn.exchange import store
from cairn.exchange.model import (
    DELETION_COLUMNS,
    SINP_COLUMNS,
    Dataset,
    DatasetPatch,
    ExportSummary,
    deletion_row,
    sinp_row,
)
from cairn.exchange.reading import (
    Candidate,
    FileError,
    Format,
    RowError,
    candidate_of,
    new_digest,
    read_rows,
    sinp_candidate,
)
from cairn.observations import events
from cairn.observations import store as observations
from cairn.observations.model import content_hash, with_defaults
from cairn.observations.service import accept_many, validate_observation
from cairn.opendata.streaming import Push
from cairn.records import projection
from cairn.reference.territory import Territory
from cairn.settings import Settings
from cairn.staff import audit
from cairn.staff.model import Staff
from cairn.staff.policy import require, require_visible

SEPARATOR: Final = ";"
"""GeoNature's own Synthèse export separates with `;`; its import detects `;` or `,`."""
FLUSH_CHARACTERS: Final = 64 * 1024


async def read_dataset(pool: Pool, staff: Staff, programme: str) -> Dataset:
    """A programme's dataset, for its staff (404 for staff without a role on it)."""
    require_visible(staff, programme)
    require(staff, "read_records", programme)
    return await _dataset(pool, programme)


async def _dataset(pool: Pool, programme: str) -> Dataset:
    async with pool.acquire() as conn:
        found = await store.get_dataset(conn, programme)
    if found is None:
        raise NotFoundError(f"no programme {programme}")
    return found


async def update_dataset(pool: Pool, staff: Staff, programme: str, patch: DatasetPatch) -> Dataset:
    """Its admins change the metadata; `expected_version` guards concurrent edits; audited."""
    require_visible(staff, programme)
    require(staff, "administer_programme", programme)
    async with transaction(pool) as conn:
        current = await store.get_dataset(conn, programme, lock=True)
        if current is None:
            raise NotFoundError(f"no programme {programme}")
        if current.version != patch.expected_version:
            raise ConflictError("The dataset changed since you read it.", {"current": current})
        try:
            changed = await store.update_dataset(conn, programme, patch)
        except store.TakenError:
            taken = FieldError(
                "/sinp_jdd_uuid", "invalid", "another programme's dataset has this JDD UUID"
            )
            raise InvalidInputError([taken], "Invalid dataset") from None
        await audit.record(conn, staff.id, "dataset_update", programme, current, changed)
    return changed


def require_exporter(staff: Staff, programme: str) -> None:
    """Precise exports are for the programme's admins and platform staff only."""
    require_visible(staff, programme)
    if staff.platform_role is None and not staff.can(programme, "admin"):
        raise ForbiddenError("The SINP export is for the programme's admins and platform staff.")


async def export_dataset(pool: Pool, staff: Staff | None, programme: str) -> Dataset:
    """The dataset to export, after checking who asks (`staff` None: the server's operator)."""
    if staff is not None:
        require_exporter(staff, programme)
    return await _dataset(pool, programme)


class _Lines:
    """CSV lines written to a buffer and pushed in chunks of about `FLUSH_CHARACTERS`."""

    def __init__(self, push: Push) -> None:
        self._push = push
        self._buffer = io.StringIO()
        self.writer = csv.writer(self._buffer, delimiter=SEPARATOR, lineterminator="\n")

    async def row(self, cells: Sequence[str]) -> None:
        self.writer.writerow(cells)
        if self._buffer.tell() >= FLUSH_CHARACTERS:
            await self.flush()

    async def flush(self) -> None:
        if self._buffer.tell():
            await self._push(self._buffer.getvalue().encode())
            self._buffer.seek(0)
            self._buffer.truncate()


async def write_sinp(
    pool: Pool,
    staff_id: UUID | None,
    dataset: Dataset,
    updated_since: datetime | None,
    base_url: str,
    push: Push,
) -> ExportSummary:
    """The programme's SINP file into `push`, streamed from one snapshot; the export is in the
    staff audit trail (who, when, which programme, how many rows) before its first byte."""
    async with pool.acquire() as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
        rows = await store.count_sinp(conn, dataset.programme, updated_since)
        summary = ExportSummary(
            programme=dataset.programme,
            dataset_id=dataset.sinp_dataset_id,
            rows=rows,
            updated_since=updated_since,
            format="sinp",
        )
        await _audit_export(pool, staff_id, summary)
        lines = _Lines(push)
        await lines.row(SINP_COLUMNS)
        async for row in store.stream_sinp(conn, dataset.programme, updated_since):
            await lines.row(sinp_row(store.sinp_source(row, base_url)))
        await lines.flush()
    return summary


async def write_deletions(
    pool: Pool, staff_id: UUID | None, dataset: Dataset, updated_since: datetime | None, push: Push
) -> ExportSummary:
    """The records the receiver must delete since `updated_since`, as CSV; audited."""
    async with pool.acquire() as conn:
        found = await store.deletions(conn, dataset.programme, updated_since)
    summary = ExportSummary(
        programme=dataset.programme,
        dataset_id=dataset.sinp_dataset_id,
        rows=len(found),
        updated_since=updated_since,
        format="sinp_deletions",
    )
    await _audit_export(pool, staff_id, summary)
    lines = _Lines(push)
    await lines.row(DELETION_COLUMNS)
    for deletion in found:
        await lines.row(deletion_row(deletion, dataset.sinp_dataset_id))
    await lines.flush()
    return summary


async def _audit_export(pool: Pool, staff_id: UUID | None, summary: ExportSummary) -> None:
    """`staff_id` None: the server's operator, at the command line."""
    async with transaction(pool) as conn:
        await audit.record(
            conn,
            staff_id,
            "sinp_export" if summary.format == "sinp" else "sinp_deletions_export",
            summary.programme,
            after=summary,
        )


# --- importing past records ---------------------------------------------------------------

IMPORT_BATCH: Final = 2000
"""Records validated and inserted per statement (memory and statement size stay bounded)."""
COLUMNS: Final[dict[str, dict[str, str]]] = {
    "sinp": {
        "/observed_at": "date_debut", "/location": "geometrie_wkt_4326",
        "/location/lon": "geometrie_wkt_4326", "/location/lat": "geometrie_wkt_4326",
        "/location/accuracy_m": "precision_geographique", "/location/altitude_m": "alti_min",
        "/data/cd_nom": "cd_nom", "/data/count": "nombre_min",
        "/data/abundance_class": "nombre_min", "/data/occurrence_status": "statut_observation",
        "/comment": "comment_occurrence", "/kind": "champs_additionnels",
        "/schema_version": "champs_additionnels", "/data": "champs_additionnels",
    },
    "dwc": {
        "/observed_at": "eventDate", "/location": "decimalLongitude",
        "/location/lon": "decimalLongitude",
        "/location/lat": "decimalLatitude", "/location/accuracy_m": "coordinateUncertaintyInMeters",
        "/location/altitude_m": "minimumElevationInMeters", "/data/cd_nom": "taxonID",
        "/data/count": "individualCount", "/data/occurrence_status": "occurrenceStatus",
        "/comment": "occurrenceRemarks", "/data": "occurrenceID",
    },
}  # fmt: skip
"""Where in the file each field of a submission came from, to name it in a refusal."""


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    """What an import did: every row refused with its line, column and reason, or the counts
    of records created, corrected and left as they were (all of the file, or nothing)."""

    programme: str
    file_name: str
    file_sha256: str
    format: str
    rows: int
    loaded: bool
    created: int
    corrected: int
    unchanged: int
    refused: list[RowError]


class _RefusedError(Exception):
    """Some rows are refused: the transaction rolls back, nothing is loaded."""

    def __init__(self, refused: list[RowError]) -> None:
        super().__init__(f"{len(refused)} refusals")
        self.refused = refused


def _field_of(fmt: Format, pointer: str) -> str:
    columns = COLUMNS[fmt]
    while pointer and pointer not in columns:
        pointer = pointer.rsplit("/", 1)[0]
    return columns.get(pointer, pointer or "file")


def _refusals(fmt: Format, candidate: Candidate, error: InvalidInputError) -> list[RowError]:
    found = []
    for field in error.errors:
        detail = field.detail
        if field.pointer == "/data/cd_nom" and candidate.name:
            detail = f"{detail} ({candidate.name})"
        found.append(RowError(candidate.line, _field_of(fmt, field.pointer), field.code, detail))
    return found


def require_importer(staff: Staff, programme: str) -> None:
    """Imports are for the programme's admins (404 for staff without a role on it)."""
    require_visible(staff, programme)
    require(staff, "administer_programme", programme)


async def import_observations(
    pool: Pool,
    territory: Territory,
    settings: Settings,
    staff: Staff | None,
    programme: str,
    upload: Upload,
) -> ImportReport:
    """Load a file of past records into a programme: each row checked as an intake is and
    judged by the disclosure policy; the source's status, validator and observers kept; the
    whole file or nothing. A record already here (same id) is left alone when unchanged and
    corrected when the row differs; each says in its history who imported which file when.

    `staff` None: the server's operator at the command line.
    """
    if staff is not None:
        require_importer(staff, programme)
    defaults = await _programme_defaults(pool, programme)
    zone = ZoneInfo(settings.timezone)
    digest = new_digest()
    rows, candidates, refused = await asyncio.to_thread(_parse, upload, programme, zone, digest)
    if any(error.field == "file" for error in refused):
        return _report(upload, programme, digest, rows, refused=refused)
    refused += _duplicates(upload.format, candidates)
    try:
        async with transaction(pool) as conn:
            counts = await _load(
                conn, territory, settings, staff, upload, programme, defaults, candidates,
                refused, digest.hexdigest(),
            )  # fmt: skip
    except _RefusedError as exc:
        return _report(upload, programme, digest, rows, refused=exc.refused)
    return _report(upload, programme, digest, rows, refused=[], counts=counts)


def _parse(
    upload: Upload, programme: str, zone: ZoneInfo, digest: Any
) -> tuple[int, list[Candidate], list[RowError]]:
    """Every row of the file read (in a worker thread: a long file keeps the server
    answering): the row count, the candidates and the refusals; a file that cannot be read
    ends with its one refusal."""
    read = candidate_of(upload.format)
    candidates: list[Candidate] = []
    refused: list[RowError] = []
    rows = 0
    try:
        for line, cells in read_rows(upload.stream, upload.format, digest, upload.progress):
            rows += 1
            parsed = read(line, cells, programme, zone)
            if isinstance(parsed, list):
                refused += parsed
            else:
                candidates.append(parsed)
    except FileError as exc:
        refused.append(exc.error)
    return rows, candidates, refused


@dataclass(frozen=True, kw_only=True)
class Upload:
    """A file to import: its bytes, its name, its format, and who wants to see progress."""

    stream: IO[bytes]
    file_name: str
    format: Format
    progress: Callable[[int], None] = lambda _: None


def _report(
    upload: Upload,
    programme: str,
    digest: Any,
    rows: int,
    *,
    refused: list[RowError],
    counts: tuple[int, int, int] = (0, 0, 0),
) -> ImportReport:
    return ImportReport(
        programme=programme,
        file_name=upload.file_name,
        file_sha256=digest.hexdigest(),
        format=upload.format,
        rows=rows,
        loaded=not refused,
        created=counts[0],
        corrected=counts[1],
        unchanged=counts[2],
        refused=sorted(refused, key=lambda e: (e.line, e.field, e.code)),
    )


def _duplicates(fmt: Format, candidates: list[Candidate]) -> list[RowError]:
    """A record twice in one file: the later rows are refused."""
    seen: dict[UUID, int] = {}
    refused = []
    for candidate in candidates:
        first = seen.setdefault(candidate.observation.id, candidate.line)
        if first != candidate.line:
            field = "uuid_perm_sinp" if fmt == "sinp" else "occurrenceID"
            detail = f"the same record as line {first}"
            refused.append(RowError(candidate.line, field, "invalid", detail))
    return refused


async def _programme_defaults(pool: Pool, programme: str) -> str:
    """The programme's default licence (NotFoundError when there is no such programme)."""
    async with pool.acquire() as conn:
        licence = await store.default_licence(conn, programme)
    if licence is None:
        raise NotFoundError(f"no programme {programme}")
    return licence


async def _load(
    conn: Connection,
    territory: Territory,
    settings: Settings,
    staff: Staff | None,
    upload: Upload,
    programme: str,
    licence: str,
    candidates: list[Candidate],
    refused: list[RowError],
    file_sha256: str,
) -> tuple[int, int, int]:
    """Insert the new records and correct the changed ones, in the caller's transaction; the
    counts (created, corrected, unchanged), or `_RefusedError` with every refusal."""
    refused = list(refused)
    batch = [
        msgspec.structs.replace(c, observation=with_defaults(c.observation, "", licence))
        for c in candidates
        if c.line not in {e.line for e in refused}
    ]
    stored = await store.programmes_of(conn, [c.observation.id for c in batch])
    current = await store.sinp_sources_of(conn, [i for i, p in stored.items() if p == programme])
    fresh, changed, unchanged = [], [], 0
    for candidate in batch:
        ident = candidate.observation.id
        if ident not in stored:
            fresh.append(candidate)
        elif ident not in current:
            field = "uuid_perm_sinp" if upload.format == "sinp" else "occurrenceID"
            detail = "a record of another programme, or withdrawn, has this id"
            refused.append(RowError(candidate.line, field, "conflict", detail))
        elif _unchanged(_as_stored(current[ident], settings), candidate.comparable()):
            unchanged += 1
        else:
            changed.append(candidate)
    actor = ("staff", str(staff.id)) if staff else ("system", None)
    note = f"imported from {upload.file_name} (sha256 {file_sha256})"
    for start in range(0, len(fresh), IMPORT_BATCH):
        chunk = fresh[start : start + IMPORT_BATCH]
        results = await accept_many(conn, territory, settings, [c.observation for c in chunk], None)
        for candidate, result in zip(chunk, results, strict=True):
            if isinstance(result, InvalidInputError):
                refused += _refusals(upload.format, candidate, result)
        if not refused:
            await _judge(conn, chunk, upload, file_sha256, staff, actor, note, "import")
    for candidate in changed:
        try:
            validated = await validate_observation(conn, territory, settings, candidate.observation)
        except InvalidInputError as exc:
            refused += _refusals(upload.format, candidate, exc)
            continue
        await observations.replace(conn, validated, content_hash(candidate.observation))
        await _judge(
            conn, [candidate], upload, file_sha256, staff, actor, note, "import_correction"
        )
    if refused:
        raise _RefusedError(refused)
    summary = {
        "file": upload.file_name, "sha256": file_sha256, "format": upload.format,
        "created": len(fresh), "corrected": len(changed), "unchanged": unchanged,
    }  # fmt: skip
    await audit.record(
        conn, staff.id if staff else None, "observations_import", programme, after=summary
    )
    return len(fresh), len(changed), unchanged


def _unchanged(stored: tuple[Any, ...], incoming: tuple[Any, ...]) -> bool:
    """The same record, and a sensitivity level no higher than the stored one (Cairn's rules
    may have raised it: a source's lower level changes nothing)."""
    return bool(stored) and stored[:-1] == incoming[:-1] and incoming[-1] <= stored[-1]


def _as_stored(row: Any, settings: Settings) -> tuple[Any, ...]:
    """A stored record as its SINP row reads back: what a re-import compares with."""
    cells = dict(
        zip(SINP_COLUMNS, sinp_row(store.sinp_source(row, settings.base_url)), strict=True)
    )
    parsed = sinp_candidate(0, cells, row["programme"], ZoneInfo(settings.timezone))
    return () if isinstance(parsed, list) else parsed.comparable()


async def _judge(
    conn: Connection,
    batch: Sequence[Candidate],
    upload: Upload,
    file_sha256: str,
    staff: Staff | None,
    actor: tuple[str, str | None],
    note: str,
    action: str,
) -> None:
    """The source's decisions and provenance over what intake wrote, in the history, and the
    public projection recomputed by the disclosure policy."""
    ids = [c.observation.id for c in batch]
    before = await store.tracked(conn, ids)
    versions = await store.apply_judgements(
        conn,
        [
            store.Judgement(
                observation_id=c.observation.id,
                status=c.status,
                validated_at=c.validated_at,
                validation_comment=c.validation_comment,
                sensitivity_level=c.sensitivity_level,
            )
            for c in batch
        ],
    )
    await store.record_provenance(
        conn,
        [
            store.Provenance(
                observation_id=c.observation.id,
                source_format=upload.format,
                source_id=c.source_id,
                observers=c.observers,
                validator=c.validator,
            )
            for c in batch
        ],
        upload.file_name,
        file_sha256,
        staff.id if staff else None,
    )
    after = await store.tracked(conn, ids)
    await events.append_many(
        conn,
        [
            (i, versions[i], before[i], after[i], f"{note}, line {line}")
            for i, line in ((c.observation.id, c.line) for c in batch)
        ],
        actor=actor,
        action=action,
    )
    await projection.project(conn, ids)
