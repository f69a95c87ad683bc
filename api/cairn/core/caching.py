"""Answers that caches may keep: a strong ETag, Cache-Control, and 304 on revalidation.

QR codes, posters and widget assets depend only on their URL (and the
deployment's settings), so their bytes are their version: the ETag is a hash of
the body, and a client that already holds it gets an empty 304.
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, Response


def etag_of(body: bytes) -> str:
    """A strong validator derived from the bytes themselves."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached_response(
    request: Request[Any, Any, Any],
    body: bytes,
    media_type: str,
    *,
    max_age: int,
    immutable: bool = False,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """`body` with caching headers, or 304 when the client's If-None-Match holds its ETag."""
    etag = etag_of(body)
    cache_control = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    all_headers = {
        "ETag": etag,
        "Cache-Control": cache_control,
        "X-Content-Type-Options": "nosniff",
        **(headers or {}),
    }
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison: `*`, or any listed tag equal once `W/` is dropped."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags
