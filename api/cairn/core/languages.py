"""The languages Cairn speaks: every screen, schema title and vernacular name list uses these.

French first: it is the territory's language and the fallback when a text is missing.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Lang = Literal["fr", "en", "it"]
"""A language Cairn writes in (ISO 639-1)."""

LANGS: Final[tuple[Lang, ...]] = get_args(Lang)
"""The same languages as a tuple, the default first."""


def preferred_language(asked: str | None, accept_language: str | None) -> Lang:
    """`asked` (a `?lang=`) when Cairn speaks it, else the best of Accept-Language, else French.

    Accept-Language is read as RFC 9110 says: ranges by decreasing `q`, the
    primary subtag only (`fr-CH` is French), `q=0` meaning "not this one".
    """
    if asked in LANGS:
        return LANGS[LANGS.index(asked)]
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    for negative_quality, _, primary in sorted(ranked):
        if negative_quality < 0 and primary in LANGS:
            return LANGS[LANGS.index(primary)]
    return LANGS[0]
