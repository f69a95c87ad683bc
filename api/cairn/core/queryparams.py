"""Query-string parameters checked one by one, every bad one reported at once.

Routes that take free-form query strings (QR codes, posters, widgets) read them
as raw text and check them here, so a caller sees each bad parameter with its
pointer (`/query/<name>`) and a stable code, not only the first one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

from cairn.core.errors import FieldError, pointer

SLUG: Final = re.compile(r"[a-z][a-z0-9_-]{0,62}")
"""The programme slug of `cairn.observations.model.Slug`, whole-string match."""

FORMATS: Final = {
    "lon-lat": "a WGS84 position `lon,lat` in decimal degrees (lon within ±180, lat within ±90)",
    "bbox": "`minlon,minlat,maxlon,maxlat` in WGS84 decimal degrees, each min ≤ its max",
    "polygon": "a valid WKT or GeoJSON Polygon or MultiPolygon within ±180/±90, at most "
    "10 000 vertices and 100 000 km²",
    "instant": "an RFC 3339 date-time with its offset, or a date (midnight UTC)",
    "label": "one line of printable text (no control, format or private-use character); "
    "white space runs count as one space",
}
"""The formats Cairn's own query parameters document beyond JSON Schema's (`uuid`, `date`…)."""

INSEE: Final = r"^[0-9][0-9AB][0-9]{3}$"
"""A commune's INSEE code (`05023`; Corsica's départements are 2A and 2B)."""

UUID_OR_EMPTY: Final = (
    r"^([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})?$"
)


class QueryErrors:
    """Collects the field errors of one query string."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, name: str, code: str, detail: str) -> None:
        """Record that parameter `name` breaks a rule."""
        self.errors.append(FieldError(pointer("query", name), code, detail))

    def slug(self, name: str, raw: str | None, *, required: bool = True) -> str | None:
        """A lowercase slug such as a programme's (`^[a-z][a-z0-9_-]{0,62}$`)."""
        if raw is None or raw == "":
            if required:
                self.add(name, "missing", f"{name} is required")
            return None
        if len(raw) > 63:
            self.add(name, "too_long", f"{name} has at most 63 characters")
            return None
        if not SLUG.fullmatch(raw):
            self.add(
                name,
                "invalid_format",
                f"{name} must be lowercase letters, digits, '-' or '_', starting with a letter",
            )
            return None
        return raw

    def choice(self, name: str, raw: str | None, allowed: Sequence[str], default: str) -> str:
        """One of `allowed`; `default` when absent (and after an error)."""
        if raw is None or raw == "":
            return default
        if raw not in allowed:
            self.add(name, "not_allowed", f"{name} must be one of {', '.join(allowed)}")
            return default
        return raw

    def label(self, name: str, raw: str | None, max_length: int) -> str | None:
        """A short human label (a trailhead, a board): one line of printable text.

        Whitespace runs become one space and the text is NFC-normalised, so the
        same label always yields the same link; control, format, private-use and
        unassigned characters are refused (they would be invisible on a poster).
        """
        if raw is None:
            return None
        text = " ".join(unicodedata.normalize("NFC", raw).split())
        if not text:
            self.add(name, "too_short", f"{name} must not be blank")
            return None
        if len(text) > max_length:
            self.add(name, "too_long", f"{name} has at most {max_length} characters")
            return None
        if any(unicodedata.category(char).startswith("C") for char in text):
            self.add(
                name, "invalid_character", f"{name} holds a control or non-printable character"
            )
            return None
        return text

    def number(self, name: str, raw: str | None, low: float, high: float, default: float) -> float:
        """A decimal number within `low..high`; `default` when absent."""
        if raw is None or raw == "":
            return default
        try:
            value = float(raw)
        except ValueError:
            self.add(name, "invalid_format", f"{name} must be a number")
            return default
        if not low <= value <= high:  # also refuses nan
            self.add(name, "out_of_range", f"{name} must be between {low:g} and {high:g}")
            return default
        return value

    def integer(self, name: str, raw: str | None, low: int, high: int, default: int) -> int:
        """A whole number within `low..high`; `default` when absent."""
        value = self.number(name, raw, low, high, default)
        if value != int(value):
            self.add(name, "invalid_format", f"{name} must be a whole number")
            return default
        return int(value)

    def point(self, name: str, raw: str | None) -> tuple[float, float] | None:
        """A WGS84 position written `lon,lat` in decimal degrees."""
        if raw is None or raw == "":
            self.add(name, "missing", f"{name} is required, as lon,lat")
            return None
        parts = raw.split(",")
        try:
            lon, lat = (float(part) for part in parts)
        except ValueError:
            self.add(name, "invalid_format", f"{name} must be lon,lat in decimal degrees")
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            self.add(name, "out_of_range", f"{name}: lon within ±180 and lat within ±90")
            return None
        return lon, lat


def repeated(names: list[str]) -> list[FieldError]:
    """One error per parameter given more than once: which one counts would be a guess."""
    seen: set[str] = set()
    twice: list[str] = []
    for name in names:
        if name in seen and name not in twice:
            twice.append(name)
        seen.add(name)
    return [
        FieldError(pointer("query", name), "invalid", f"{name} is given more than once")
        for name in twice
    ]
