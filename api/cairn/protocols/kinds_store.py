"""The kinds a record or a bundle may name: the bundled ones and those programmes published.

The database half of protocols.kinds, which stays pure (no database) because
validation imports it: a published version is read once, then kept compiled.
"""

from __future__ import annotations

from collections.abc import Iterable

from cairn.core.db import Executor
from cairn.protocols import store as programme_kinds
from cairn.protocols.kinds import Kind, known, registry, remember


async def resolve(conn: Executor, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Kind]:
    """The published kinds among `keys` (bundled or a programme's); unknown keys are absent."""
    found = {key: known(key) for key in set(keys)}
    missing = [key for key, kind in found.items() if kind is None]
    if missing:
        for kind in remember(await programme_kinds.published(conn, sorted(missing))):
            found[(kind.kind, kind.version)] = kind
    return {key: kind for key, kind in found.items() if kind is not None}


async def every_published(conn: Executor) -> list[Kind]:
    """The bundled kinds, then every programme's published versions."""
    return [*registry().values(), *remember(await programme_kinds.published(conn))]
