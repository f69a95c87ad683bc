"""Checks every request gets before its route runs."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from cairn.core.errors import FieldError
from cairn.core.problems import ProblemError


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """NUL cannot reach PostgreSQL; say so for the parameter that holds it (400)."""
    bad = [
        FieldError(f"/query/{name}", "invalid_character", "NUL characters are not allowed")
        for name, value in request.query_params.multi_items()
        if "\x00" in name or "\x00" in value
    ]
    if "\x00" in request.url.path:
        bad.append(FieldError("/path", "invalid_character", "NUL characters are not allowed"))
    if bad:
        raise ProblemError(400, "bad_request", "Bad request", errors=bad)


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Link, Retry-After",
    "Access-Control-Max-Age": "600",
}


async def open_to_every_origin(response: Response[Any]) -> Response[Any]:
    """The API answers any origin: open data is for everyone, and writes need a bearer
    token (never a cookie), so a foreign page gains nothing it could not do itself."""
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
