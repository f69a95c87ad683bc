"""Checks every request gets before its route runs."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.routes import HTTPRoute

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


async def request_hygiene(request: Request[Any, Any, Any]) -> Response[None] | None:
    """Every request outside the rate-limited API: refuse NUL, answer OPTIONS exactly."""
    await refuse_nul_characters(request)
    return answer_options(request)


def answer_options(request: Request[Any, Any, Any]) -> Response[None] | None:
    """OPTIONS answers 204 with `Allow` naming every method of the path (None otherwise).

    Litestar's implicit OPTIONS answer keeps the methods its path had when its
    first handlers were registered: a path whose handlers are registered in two
    steps (`GET` and `DELETE /me/impact/share`) would advertise only some.
    """
    if request.method != "OPTIONS":
        return None
    template = request.scope["path_template"]
    methods = {
        method
        for route in request.app.routes
        if isinstance(route, HTTPRoute) and route.path_format == template
        for method in route.methods
    }
    if not methods:
        return None
    return Response(None, status_code=204, headers={"Allow": ", ".join(sorted(methods))})


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
