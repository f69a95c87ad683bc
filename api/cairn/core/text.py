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

BLANK: Final = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
r"""NUL, control characters and white space, for a character class (`[^@{BLANK}]`).

Python's `\s` (which the server's decoder reads) and ECMAScript's (the dialect of
the published JSON Schema) differ (U+001C to U+001F and U+0085, U+FEFF), so a
pattern both must read alike names every such character instead.
"""


def text(max_length: int, min_length: int = 0) -> Meta:
    """The constraint of a free-text field of `min_length` to `max_length` characters."""
    return Meta(pattern=NO_NUL, max_length=max_length, min_length=min_length)


def has_nul(value: str | None) -> bool:
    """Whether the value holds a NUL (for query parameters, checked by hand)."""
    return value is not None and "\x00" in value
