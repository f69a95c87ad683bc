"""The words every record shares: its kind, programme slug, licence, geoprivacy and flags.

Every feature that stores, moderates or publishes a record names these; they sit low in the
feature order so that none of them has to import the observations feature to say "a licence".
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

import msgspec
from msgspec import Meta

from cairn.core.text import SLUG_PATTERN

Licence = Literal["CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0", "etalab-2.0"]
OccurrenceStatus = Literal["present", "absent"]
"""Whether the taxon was found, or searched for and not found (DwC `occurrenceStatus`)."""
Geoprivacy = Literal["open", "obscured"]
"""A contributor's choice: `obscured` publishes the record generalised, like a sensitive one."""
LICENCE_URIS: Final[dict[str, str]] = {
    "CC0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/legalcode",
    "CC-BY-4.0": "http://creativecommons.org/licenses/by/4.0/legalcode",
    "CC-BY-NC-4.0": "http://creativecommons.org/licenses/by-nc/4.0/legalcode",
    "etalab-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

Slug = Annotated[str, Meta(pattern=SLUG_PATTERN, max_length=63)]
Kind = Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,31}$", max_length=32)]


class Flag(msgspec.Struct, frozen=True):
    """An automatic remark for moderators: never a rejection, always explained."""

    code: str
    message: str
    detail: dict[str, Any] = {}


TRACKED: Final = (
    "status",
    "validation_method",
    "moderator_comment",
    "taxon_cd_nom",
    "taxon_cd_ref",
)
"""The fields a moderation event records before and after."""


OCCURRENCE_FIELD: Final = "occurrence_status"
"""The field of a kind that records absences; a record without it is a presence."""
ABSENCE_TEST: Final[dict[str, Any]] = {
    "properties": {OCCURRENCE_FIELD: {"const": "absent"}},
    "required": [OCCURRENCE_FIELD],
}
"""The `if` of the one condition a kind that records absences has: the record is an absence."""
TAXON_FIELD: Final = "cd_nom"
"""The one field name with a meaning of its own: a TAXREF code from the reference list."""


def occurrence_status(data: dict[str, Any]) -> OccurrenceStatus:
    """A record's occurrence status: `absent` only when it says so."""
    return "absent" if data.get(OCCURRENCE_FIELD) == "absent" else "present"


def records_absences(schema: dict[str, Any]) -> bool:
    """Whether a kind lets a record say its taxon was searched for and not found."""
    properties = schema.get("properties")
    return isinstance(properties, dict) and OCCURRENCE_FIELD in properties


def count_fields(schema: dict[str, Any]) -> list[str]:
    """The fields that say how many were seen, which an absence must leave out: the integer
    fields besides the taxon, and the species' abundance class."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    return [
        name
        for name, field in properties.items()
        if name == "abundance_class"
        or (name != TAXON_FIELD and isinstance(field, dict) and field.get("type") == "integer")
    ]
