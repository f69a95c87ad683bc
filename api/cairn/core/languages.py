"""The languages Cairn speaks: every screen, schema title and vernacular name list uses these.

French first: it is the territory's language and the fallback when a text is missing.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Lang = Literal["fr", "en", "it"]
"""A language Cairn writes in (ISO 639-1)."""

LANGS: Final[tuple[Lang, ...]] = get_args(Lang)
"""The same languages as a tuple, the default first."""
