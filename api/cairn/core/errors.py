"""Errors the domain raises; the HTTP layer turns them into RFC 9457 documents.

Codes are part of the wire contract: clients switch on them, so they never
change meaning. The catalogue with a sentence each is in `CODES`, served in
the OpenAPI description and README.
"""

from __future__ import annotations

from typing import Final

import msgspec

CODES: Final[dict[str, str]] = {
    # problem-level codes
    "validation_failed": "One or more fields are invalid; see `errors`.",
    "malformed_json": "The body is not valid UTF-8 JSON.",
    "body_too_large": "The body is larger than this route accepts.",
    "unsupported_media_type": "The Content-Type is not one this route accepts.",
    "not_found": "No such resource.",
    "method_not_allowed": "The resource exists but not with this method.",
    "conflict": "The resource exists with other content, or changed since you read it.",
    "bad_request": "The request cannot be understood (e.g. a bad query parameter).",
    "unauthorized": "Missing or invalid credentials.",
    "device_token_required": "Contributor writes need `Authorization: Bearer <device token>`; "
    "get one from POST /api/v1/devices.",
    "forbidden": "The credentials do not allow this.",
    "rate_limited": "Too many requests; retry after the time given in Retry-After.",
    "service_unavailable": "The database or the photo store is unreachable; retry later.",
    "unreadable_image": "The photo is damaged or truncated; send the file again from the device.",
    "not_an_image": "The body is not a JPEG, PNG, WebP or HEIC/HEIF image.",
    "too_many_pixels": "The photo has more pixels than Cairn decodes; downscale it.",
    "internal_error": "An unexpected error; it has been logged.",
    # field-level codes (inside `errors`)
    "missing": "A required field is absent.",
    "unknown_field": "A field that this document does not define.",
    "wrong_type": "The value has the wrong JSON type.",
    "out_of_range": "The number is outside the allowed range.",
    "invalid_format": "The string does not have the required format (UUID, date-time, …).",
    "not_allowed": "The value is not one of the allowed values.",
    "too_long": "The string or list is longer than allowed.",
    "too_short": "The string or list is shorter than allowed.",
    "in_future": "The date is later than now (beyond the allowed clock skew).",
    "too_old": "The date is earlier than Cairn accepts.",
    "outside_programme_dates": "The observation was made (by its own local date) before its "
    "programme started or after it ended.",
    "invalid_character": "The string holds a character Cairn cannot store (NUL).",
    "invalid": "The value breaks a rule described in `detail`.",
    "invalid_schema": "The document is not valid JSON Schema 2020-12.",
    "remote_reference": "A schema `$ref` leaves the document; only `#/…` references are allowed.",
    "too_deep": "The document is nested deeper than allowed.",
    "unsupported_keyword": "A schema keyword outside the vocabulary the field app renders.",
    "missing_label": "A title or a choice lacks its label in one of fr, en, it.",
}


class FieldError(msgspec.Struct, frozen=True):
    """One bad field: where (RFC 6901 pointer into the body), which rule, and why."""

    pointer: str
    code: str
    detail: str


class InvalidInputError(Exception):
    """The input breaks one or more rules; nothing was written."""

    def __init__(self, errors: list[FieldError], title: str = "Invalid input") -> None:
        super().__init__(title)
        self.errors = errors
        self.title = title


class NotFoundError(Exception):
    """The resource does not exist (or is not the caller's to see)."""


class ForbiddenError(Exception):
    """The caller is known, but their role does not allow this action on this scope."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ConflictError(Exception):
    """The resource exists with other content, or changed since the caller read it."""

    def __init__(self, detail: str, extra: dict[str, object] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class UnprocessableError(Exception):
    """Content the client sent that Cairn cannot use (422): retrying it unchanged never helps."""

    def __init__(self, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.title = title
        self.detail = detail


class UnavailableError(ConnectionError):
    """A dependency is unreachable (the database, the photo store): the only cause of a 503.

    A client retries a 503 until it succeeds, so nothing else may raise this:
    an error in what the client sent is a 4xx, an error of ours a 500.
    """

    def __init__(self, dependency: str, cause: str) -> None:
        super().__init__(f"the {dependency} is unreachable: {cause}")
        self.dependency = dependency


def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON Pointer, escaping `~` and `/` in keys."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
