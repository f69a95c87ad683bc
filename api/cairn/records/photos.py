"""A record's photos as every reader sees them: the API view, the stored variants, their paths.

The observation, moderation and open-data features show a record's photos; the photos feature
stores them. What they all need to name a photo lives here, below each of them.
"""

from __future__ import annotations

from typing import Any, Final
from uuid import UUID

import msgspec


class Photo(msgspec.Struct, frozen=True):
    """A photo attached to an observation, as the API shows it."""

    id: UUID
    width: int
    height: int
    sha256: str
    urls: dict[str, str]
    shows_no_place: bool = False
    """A validator judged it shows no place: it may go public with a generalised record."""


VARIANTS: Final[dict[str, int | None]] = {"small": 320, "large": 1280, "original": None}
"""Longest side in pixels of each stored file; `original` keeps the full size."""

PHOTO_FLAGS: Final = frozenset({"photo_position_far", "photo_time_far"})
"""Flags that come from photos, not from the submission (an edit keeps them)."""


def photo_key(sha256: str, variant: str) -> str:
    """The file's name in the photo store."""
    return f"{sha256}/{variant}.jpg"


def photo_path(sha256: str, variant: str) -> str:
    """Where a stored file is served; the content hash makes it immutable and cacheable."""
    return f"/api/v1/photos/{photo_key(sha256, variant)}"


def photo_urls(sha256: str) -> dict[str, str]:
    """The URL of every stored variant."""
    return {variant: photo_path(sha256, variant) for variant in VARIANTS}


def photos_of(alias: str) -> str:
    """A column expression: the photos of the observation row `alias`, oldest first, as JSON."""
    return f"""(SELECT coalesce(jsonb_agg(jsonb_build_object(
                    'id', p.id, 'width', p.width, 'height', p.height, 'sha256', p.sha256,
                    'shows_no_place', p.shows_no_place)
                    ORDER BY p.created_at, p.id), '[]'::jsonb)
               FROM photo p WHERE p.observation_id = {alias}.id)"""


def to_photo(entry: dict[str, Any]) -> Photo:
    """The API view of one photo, with the URL of each stored variant."""
    return Photo(
        id=UUID(entry["id"]),
        width=entry["width"],
        height=entry["height"],
        sha256=entry["sha256"],
        urls=photo_urls(entry["sha256"]),
        shows_no_place=entry.get("shows_no_place", False),
    )
