"""Taxon look-ups held in the process: a filter by taxon costs no round trip once seen.

Taxa change only when a reference file is imported; the import sends NOTIFY on
commit and every server empties its look-up (see `places_store.REFERENCE_CHANNEL`).
"""

from __future__ import annotations

from typing import Final

from cairn.core.db import Executor
from cairn.reference.taxa_store import ValidName, valid_name

MAX_ENTRIES: Final = 50_000
"""Past this many taxa seen (the national reference has ~700 000), start again."""


class TaxonLookup:
    """CD_NOM → its valid name and lineage path; unknown codes are remembered too."""

    def __init__(self) -> None:
        self._known: dict[int, ValidName | None] = {}

    async def valid_name(self, conn: Executor, cd_nom: int) -> ValidName | None:
        """The valid name of `cd_nom` (itself when valid), or None for an unknown code."""
        if cd_nom not in self._known:
            if len(self._known) >= MAX_ENTRIES:
                self._known.clear()
            self._known[cd_nom] = await valid_name(conn, cd_nom)
        return self._known[cd_nom]

    def forget(self) -> None:
        """After an import: every later look-up reads the database again."""
        self._known.clear()
