"""The near-duplicate rule's bounds, and a moderator's mark, as the API takes it.

Two records of one programme may be the same sighting when they name the same
taxon, were made within `WINDOW` of each other, and their positions can be
`RADIUS_M` apart or less once both uncertainties are counted (the gap between
their circles); two heritage records when they name the same item on the same
(local) day. The rule depends on other people's records: staff see it, never a
contributor (see PRIVACY.md).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Final
from uuid import UUID

import msgspec
from msgspec import Meta

RADIUS_M: Final = 100.0
"""Largest gap between the two positions' uncertainty circles, in metres."""
WINDOW: Final = timedelta(minutes=30)
"""Largest time between two sightings of one taxon."""
EARTH_RADIUS_M: Final = 6_371_008.8
"""The mean Earth radius (IUGG) of the haversine distance."""


class DuplicateIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A moderator's mark: the record is counted under `of` (null: counted on its own again)."""

    of: UUID | None
    expected_version: Annotated[int, Meta(ge=1, description="The version the moderator saw")]
