"""The field app (PWA) at `/`: its built files, and the runtime settings it reads.

Hashed files under /assets are cached for a year; the page, the service
worker and the manifest are revalidated on every load, so an update reaches
phones at their next visit with network. Text files are sent as the brotli or
gzip copy the build wrote beside them (`make pwa`), when the browser takes it:
a third of the bytes on a slow network, and no compression work per request.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import msgspec
from litestar import Request, Response, Router, get
from litestar.params import FromPath

from cairn.core.caching import cached_response
from cairn.core.deps import AppSettings
from cairn.core.documents import answers
from cairn.core.http import accepted_encodings, content_security_policy
from cairn.core.problems import ProblemError, responses
from cairn.settings import Settings

YEAR: Final = 31_536_000
_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
MEDIA_TYPES: Final = {
    ".html": "text/html",  # Litestar adds "; charset=utf-8" to text types
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
}
ENCODINGS: Final = (("br", ".br"), ("gzip", ".gz"))
"""Content codings the build writes copies in (scripts/precompress.mjs), preferred first."""


class AppConfig(msgspec.Struct, frozen=True):
    """What the field app needs to know about this installation."""

    tile_url: str
    tile_attribution: str


def _encoded(path: Path, accepted: set[str]) -> tuple[bytes, str | None]:
    """The file's bytes in the first coding the client accepts and the build wrote, else as is."""
    for coding, suffix in ENCODINGS:
        copy = path.with_name(path.name + suffix)
        if coding in accepted and copy.is_file():
            return copy.read_bytes(), coding
    return path.read_bytes(), None


def _file(
    settings: Settings, folder: str, name: str, accepted: set[str]
) -> tuple[bytes, str, str | None]:
    """A built file by name (its bytes, media type and content coding); path tricks and
    unknown names are simply not found."""
    root = settings.pwa_dir.resolve()
    if not (root / "index.html").is_file():
        raise ProblemError(
            503,
            "service_unavailable",
            "Field app not built",
            "The field app is not built on this server: run `make pwa`.",
        )
    suffix = Path(name).suffix
    if not _NAME.fullmatch(name) or suffix not in MEDIA_TYPES:
        raise ProblemError(404, "not_found", "Not found", f"No file {name}.")
    path = (root / folder / name).resolve()
    if path.parent != (root / folder).resolve() or not path.is_file():
        raise ProblemError(404, "not_found", "Not found", f"No file {name}.")
    body, coding = _encoded(path, accepted)
    return body, MEDIA_TYPES[suffix], coding


def _answer(
    request: Request[Any, Any, Any], settings: Settings, folder: str, name: str, *, immutable: bool
) -> Response[bytes]:
    accepted = accepted_encodings(request.headers.get("accept-encoding"))
    body, media_type, coding = _file(settings, folder, name, accepted)
    headers = {"Content-Security-Policy": content_security_policy(settings)}
    if media_type.startswith("text/") or media_type.endswith(("json", "+xml")):
        headers["Vary"] = "Accept-Encoding"  # caches keep one copy per coding
    if coding is not None:
        headers["Content-Encoding"] = coding
    if name == "sw.js":
        headers["Service-Worker-Allowed"] = "/"
    return cached_response(
        request,
        body,
        media_type,
        max_age=YEAR if immutable else 0,
        immutable=immutable,
        headers=headers,
    )


@get(
    "/",
    summary="The field app (installable PWA): record species and heritage, offline first",
    tags=["field app"],
    responses=responses(503),
    operation_class=answers("The app's page", "text/html"),
)
async def app_page(request: Request[Any, Any, Any], settings: AppSettings) -> Response[bytes]:
    """Always revalidated, so a new version reaches phones at their next visit."""
    return _answer(request, settings, "", "index.html", immutable=False)


@get(
    "/{name:str}",
    summary="A top-level file of the field app (service worker, manifest, …)",
    tags=["field app"],
    responses=responses(404, 503),
    operation_class=answers(
        "The file", "text/javascript", "application/manifest+json", "text/html", "image/png"
    ),
)
async def app_file(
    request: Request[Any, Any, Any], name: FromPath[str], settings: AppSettings
) -> Response[bytes]:
    """Revalidated on every load (these names do not change between versions)."""
    return _answer(request, settings, "", name, immutable=False)


@get(
    ["/assets/{name:str}", "/icons/{name:str}"],
    summary="A versioned script, stylesheet or icon of the field app (cached for a year)",
    tags=["field app"],
    responses=responses(404, 503),
    operation_class=answers(
        "The file", "text/javascript", "text/css", "image/png", "image/svg+xml"
    ),
)
async def app_asset(
    request: Request[Any, Any, Any], name: FromPath[str], settings: AppSettings
) -> Response[bytes]:
    """Asset names carry a content hash, so they never change: cached for a year."""
    folder = "icons" if request.url.path.startswith("/icons/") else "assets"
    return _answer(request, settings, folder, name, immutable=folder == "assets")


@get(
    "/config.json",
    summary="Runtime settings of the field app (map tiles and their credit)",
    tags=["field app"],
    responses=responses(),
)
async def app_config(settings: AppSettings) -> AppConfig:
    """Read by the app at start and remembered for offline starts."""
    return AppConfig(tile_url=settings.tile_url, tile_attribution=settings.tile_attribution)


router = Router(
    path="/",
    route_handlers=[
        app_page,
        app_file,
        app_asset,
        app_config,
    ],
)
"""The webapp feature's routes, mounted by the app factory."""
