"""CSV: the open-data export (written by PostgreSQL's COPY) and spreadsheet-safe cells."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Final

import asyncpg

from cairn.opendata import store as public
from cairn.opendata.measurements import csv_columns, fields_in_scope

BOM: Final = b"\xef\xbb\xbf"
"""UTF-8 byte order mark: spreadsheets then read accents right."""
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_BUFFERED_CHUNKS: Final = 32
"""How far COPY may run ahead of a slow client before it waits (memory stays flat)."""


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


async def export(pool: asyncpg.Pool, filters: public.Filters) -> AsyncIterator[bytes]:
    """The CSV document, chunk by chunk, as PostgreSQL writes it (see `public.copy_csv`).

    After the fixed columns, one column `<kind>.<field>` per public field of the
    programme kinds the filters may return (opendata.measurements).

    COPY pushes into a bounded queue that the response drains, so a slow
    client slows the query down instead of filling the server's memory; a
    client that goes away cancels the query.
    """
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=_BUFFERED_CHUNKS)

    async def push(chunk: bytes) -> None:
        await queue.put(bytes(chunk))  # asyncpg may hand a view of a buffer it reuses

    async def copy() -> None:
        try:
            async with pool.acquire() as conn, conn.transaction(readonly=True):
                fields = await fields_in_scope(conn, filters.programme, filters.kind)
                await public.copy_csv(conn, filters, push, csv_columns(fields))
        finally:
            await queue.put(None)

    task = asyncio.create_task(copy())
    try:
        yield BOM
        while (chunk := await queue.get()) is not None:
            yield chunk
        await task  # a failed COPY ends the response early rather than silently short
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
