"""CSV: the open-data export (written by PostgreSQL's COPY) and spreadsheet-safe cells."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Final

import asyncpg

from cairn.opendata import store as public
from cairn.opendata.measurements import csv_columns, fields_in_scope
from cairn.opendata.streaming import Push, produced

BOM: Final = b"\xef\xbb\xbf"
"""UTF-8 byte order mark: spreadsheets then read accents right."""
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


async def export(pool: asyncpg.Pool, filters: public.Filters) -> AsyncIterator[bytes]:
    """The CSV document, chunk by chunk, as PostgreSQL writes it (see `public.copy_csv`).

    After the fixed columns, one column `<kind>.<field>` per public field of the
    programme kinds the filters may return (opendata.measurements).
    """

    async def copy(push: Push) -> None:
        async with pool.acquire() as conn, conn.transaction(readonly=True):
            fields = await fields_in_scope(conn, filters.programme, filters.kind)
            await public.copy_csv(conn, filters, push, csv_columns(fields))

    yield BOM
    async for chunk in produced(copy):
        yield chunk
