"""RFC 9457 problem details: every error Cairn answers has this one shape.

Handlers map domain exceptions and Litestar's own HTTP exceptions to a
`Problem`, so a client never sees another error format, and an unexpected
exception becomes a logged 500 that leaks nothing.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from cairn.core.decoding import MalformedJsonError
from cairn.core.errors import (
    ConflictError,
    FieldError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnavailableError,
    UnprocessableError,
    pointer,
)

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://cairn.example/problems/"


class Problem(msgspec.Struct, omit_defaults=True, kw_only=True):
    """An RFC 9457 problem document with Cairn's stable `code` and field errors."""

    type: str
    title: str
    status: int
    code: str
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] = []
    extra: dict[str, Any] = {}


class ProblemError(Exception):
    """Raise anywhere in a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(title)
        self.problem = Problem(
            type=TYPE_BASE + code.replace("_", "-"),
            title=title,
            status=status,
            code=code,
            detail=detail,
            errors=errors or [],
            extra=extra or {},
        )
        self.headers = headers or {}


def problem_response(
    request: Request[Any, Any, Any], problem: Problem, headers: dict[str, str] | None = None
) -> Response[Problem]:
    """Encode a problem with its media type and the request path as `instance`."""
    problem.instance = request.url.path
    return Response(
        problem, status_code=problem.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def _problem_error(request: Request[Any, Any, Any], exc: ProblemError) -> Response[Problem]:
    return problem_response(request, exc.problem, exc.headers)


def invalid_problem(exc: InvalidInputError) -> Problem:
    """The problem document of invalid input (also used per item in batch results)."""
    return ProblemError(422, "validation_failed", exc.title, errors=exc.errors).problem


def _invalid_input(request: Request[Any, Any, Any], exc: InvalidInputError) -> Response[Problem]:
    return problem_response(request, invalid_problem(exc))


def _malformed(request: Request[Any, Any, Any], exc: MalformedJsonError) -> Response[Problem]:
    return _problem_error(request, ProblemError(400, "malformed_json", "Malformed JSON", str(exc)))


def _not_found(request: Request[Any, Any, Any], exc: NotFoundError) -> Response[Problem]:
    return _problem_error(request, ProblemError(404, "not_found", "Not found", str(exc) or None))


def _forbidden(request: Request[Any, Any, Any], exc: ForbiddenError) -> Response[Problem]:
    return _problem_error(request, ProblemError(403, "forbidden", "Forbidden", exc.detail))


def _conflict(request: Request[Any, Any, Any], exc: ConflictError) -> Response[Problem]:
    return _problem_error(
        request, ProblemError(409, "conflict", "Conflict", exc.detail, extra=exc.extra)
    )


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("body_too_large", "Body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    429: ("rate_limited", "Too many requests"),
    503: ("service_unavailable", "Service unavailable"),
}


def _http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    if status >= 500:
        return _unexpected(request, exc)
    code, title = _HTTP_CODES.get(status, ("bad_request", "Bad request"))
    detail = exc.detail if exc.detail and exc.detail != title else None
    errors = _litestar_field_errors(exc.extra)
    return _problem_error(
        request, ProblemError(status, code, title, detail, errors=errors, headers=exc.headers)
    )


def _source(source: object) -> str:
    """Litestar's ParamType enum (`query`, `path`, `header`, `cookie`) as a pointer segment."""
    return str(getattr(source, "value", None) or "query")


def _litestar_field_errors(extra: Any) -> list[FieldError]:
    """Litestar reports bad parameters as `[{key, message, source}]`: `/query/limit`, `/path/id`.

    The same pointers as Cairn's own query checks, so a client reads one shape.
    """
    if not isinstance(extra, list):
        return []
    return [
        FieldError(
            pointer(_source(item.get("source")), str(item.get("key", ""))),
            "invalid",
            str(item.get("message", "")),
        )
        for item in extra
        if isinstance(item, dict)
    ]


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """A dependency went away mid-request (restart, failover): retry soon, nothing was kept.

    The only 503 Cairn answers: clients retry it for ever, so only a real outage
    (an `UnavailableError`, or asyncpg losing its connection) may come here.
    """
    dependency = exc.dependency if isinstance(exc, UnavailableError) else "database"
    log.warning("%s unavailable on %s %s: %s", dependency, request.method, request.url.path, exc)
    return _problem_error(
        request,
        ProblemError(
            503,
            "service_unavailable",
            "Service unavailable",
            f"The {dependency} is unreachable; nothing was stored. Retry shortly.",
            headers={"Retry-After": "1"},
        ),
    )


def _unprocessable(request: Request[Any, Any, Any], exc: UnprocessableError) -> Response[Problem]:
    return _problem_error(request, ProblemError(422, exc.code, exc.title, exc.detail))


def _data_error(request: Request[Any, Any, Any], exc: asyncpg.DataError) -> Response[Problem]:
    """A value the database refuses (out of range, bad encoding): the client's to fix."""
    log.info("data error on %s %s: %s", request.method, request.url.path, exc)
    return _problem_error(
        request,
        ProblemError(400, "bad_request", "Bad request", "A value is outside what Cairn can store."),
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _problem_error(
        request,
        ProblemError(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "Internal server error"),
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ProblemError: _problem_error,
    InvalidInputError: _invalid_input,
    MalformedJsonError: _malformed,
    NotFoundError: _not_found,
    ConflictError: _conflict,
    ForbiddenError: _forbidden,
    HTTPException: _http_exception,
    UnprocessableError: _unprocessable,
    UnavailableError: _unavailable,
    asyncpg.PostgresConnectionError: _unavailable,
    asyncpg.InterfaceError: _unavailable,  # e.g. "connection is closed"
    asyncpg.InternalClientError: _unavailable,  # a connection broken mid-protocol
    asyncpg.exceptions.OperatorInterventionError: _unavailable,  # shutdown, restart
    asyncpg.exceptions.TransactionRollbackError: _unavailable,  # serialization, deadlock
    asyncpg.DataError: _data_error,
    Exception: _unexpected,
}


def responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for a route's error answers, all problem documents.

    400 and 429 are always there: any request can carry a malformed parameter
    or a character the database cannot hold, and any client can go too fast.
    """
    described = {
        400: "Malformed JSON or a bad parameter",
        401: "Missing or invalid credentials",
        403: "Not allowed for these credentials",
        404: "No such resource",
        409: "Conflict with the stored state",
        413: "Body too large",
        415: "Unsupported media type",
        422: "Validation failed; `errors` lists every bad field with its JSON pointer",
        429: "Rate limited; see Retry-After",
        503: "The database or the photo store is unreachable; retry later",
    }
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=described[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({400, 429, *statuses})
    }
