"""HTTP pieces the routes of several features share: path types, content negotiation, the CSP.

A feature's routes never import another feature's routes; what two of them need alike lives here.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from litestar.params import PathParameter

from cairn.core.text import SLUG_PATTERN
from cairn.settings import Settings

SlugPath = Annotated[str, PathParameter(pattern=SLUG_PATTERN, description="A programme's slug")]
"""A programme slug in a path, checked by Litestar (400 with its pointer when malformed)."""


def content_security_policy(settings: Settings) -> str:
    """Only this origin, plus the tile server for images; Leaflet needs inline styles."""
    tiles = urlsplit(settings.tile_url)
    tile_origin = f"{tiles.scheme}://{tiles.netloc.replace('{s}', '*')}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob: {tile_origin}; connect-src 'self'; worker-src 'self'; "
        "manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def accepted_encodings(header: str | None) -> set[str]:
    """The content codings an Accept-Encoding header allows (those not given `q=0`)."""
    accepted = set()
    for item in (header or "").split(","):
        coding, _, parameters = item.partition(";")
        quality = parameters.strip().removeprefix("q=").strip() if parameters else "1"
        try:
            if coding.strip() and float(quality) > 0:
                accepted.add(coding.strip().lower())
        except ValueError:
            continue
    return accepted
