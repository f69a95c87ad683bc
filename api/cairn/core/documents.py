"""OpenAPI for routes that answer files (images, PDF, HTML, scripts), not JSON.

Litestar documents one media type per answer; a QR code is SVG or PNG, a
poster PDF or SVG. `answers` names every media type a route may send, and the
empty 304 a cache revalidation gets, so the contract (and the fuzzer that
checks it) knows them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

BINARY = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)

SCHEMA_JSON: Final = "application/schema+json"
"""The media type of a JSON Schema document (a kind's schema, OGC queryables)."""


def answers(description: str, *media_types: str) -> type[Operation]:
    """An `operation_class` whose 200 lists `media_types` and which documents 304."""

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            self.responses = {
                **(self.responses or {}),
                "200": OpenAPIResponse(
                    description=description,
                    content={
                        media_type: OpenAPIMediaType(schema=BINARY) for media_type in media_types
                    },
                ),
                "304": OpenAPIResponse(
                    description="Not modified: the If-None-Match ETag is current"
                ),
            }

    return FileOperation
