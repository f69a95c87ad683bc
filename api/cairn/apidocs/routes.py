"""/api/docs works with no internet: Swagger UI's files come from a Python package, not a CDN.

A park's intranet or a laptop on a train still gets working documentation.
The files are those of the `swagger-ui-py` wheel (Swagger UI 5, which reads
OpenAPI 3.1), installed with Cairn like any other dependency.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final

from litestar import Response, Router, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath

from cairn.core.problems import ProblemError

ASSETS_PATH: Final = "/api/docs-assets"
ASSETS: Final[dict[str, str]] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
"""The only files served: what the documentation page loads."""


@cache
def _static() -> Traversable:
    return files("swagger_ui") / "static"


def render_plugin() -> SwaggerRenderPlugin:
    """Swagger UI, its script and style loaded from Cairn's own origin."""
    return SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


@get(f"{ASSETS_PATH}/{{name:str}}", include_in_schema=False, sync_to_thread=True)
def docs_asset(name: FromPath[str]) -> Response[bytes]:
    """One file of the documentation page, cached for a day (it changes only on upgrade)."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise ProblemError(404, "not_found", "Not found", "No such documentation file.")
    return Response(
        (_static() / name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


router = Router(path="/", route_handlers=[docs_asset])
