"""Datasets' metadata, the SINP export and the import of past records: each write audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Final
from uuid import UUID

from asyncpg import Pool

from cairn.core.db import transaction
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
from cairn.opendata.streaming import Push
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
