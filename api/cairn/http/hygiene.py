"""Checks every request gets before its route runs."""

from __future__ import annotations

from typing import Any

from litestar import Request

from cairn.domain.errors import FieldError
from cairn.http.problems import ProblemError


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
