"""Free text as PostgreSQL can store it.

PostgreSQL's `text` and `jsonb` refuse the NUL character, so a string holding
one would fail at the database as a 500; refusing it at decoding time makes it
a 422 with the field's pointer instead.
"""

from __future__ import annotations

from typing import Final

from msgspec import Meta

NO_NUL: Final = r"^[^\x00]*$"
SLUG_PATTERN: Final = r"^[a-z][a-z0-9_-]{0,62}$"
"""A slug: the lower-case name of a programme or an organisation, as paths carry it."""


def text(max_length: int, min_length: int = 0) -> Meta:
    """The constraint of a free-text field of `min_length` to `max_length` characters."""
    return Meta(pattern=NO_NUL, max_length=max_length, min_length=min_length)


def has_nul(value: str | None) -> bool:
    """Whether the value holds a NUL (for query parameters, checked by hand)."""
    return value is not None and "\x00" in value
