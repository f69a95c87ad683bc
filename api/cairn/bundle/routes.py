"""The offline bundle for clients: one document, revalidated by its ETag, gzipped on request."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

from litestar import Request, Response, Router, get
from litestar.openapi.datastructures import ResponseSpec

from cairn.bundle import store as bundle
from cairn.core.deps import ReadPool
from cairn.core.problems import responses
from cairn.reference.files import reference_file


@get(
    "/reference/bundle",
    summary="Download the offline reference bundle (taxa, heritage typology, communes)",
    description="Send `If-None-Match` with the last ETag: 304 when nothing changed.",
    tags=["reference"],
    responses={
        200: ResponseSpec(bundle.Bundle, description="The bundle", generate_examples=False),
        304: ResponseSpec(None, description="Not modified since the ETag sent"),
        **responses(),
    },
)
async def reference_bundle(request: Request[Any, Any, Any], read_pool: ReadPool) -> Response[bytes]:
    """Built from the database, so a new import is picked up without a restart."""
    outline = json.loads(reference_file("petr_territory.geojson").read_text("utf-8"))
    async with read_pool.acquire() as conn:
        built, body = await bundle.build(conn, outline["features"][0]["geometry"])
    etag = f'"{built.version}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=300, must-revalidate",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        # Thousands of taxa compress about fivefold: what a phone on 3G waits for.
        compressed = await asyncio.to_thread(gzip.compress, body, 6)
        headers["Content-Encoding"] = "gzip"
        return Response(compressed, media_type="application/json", headers=headers)
    return Response(body, media_type="application/json", headers=headers)


router = Router(path="/", route_handlers=[reference_bundle])
"""The offline bundle's route, mounted by the app factory."""
