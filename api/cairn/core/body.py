"""Request bodies decoded by Cairn's reporting decoder, documented by Litestar.

Litestar's own msgspec decoding stops at the first bad field. This DTO keeps
Litestar's OpenAPI generation for the struct but decodes with
`cairn.core.decoding.decode`, which lists every bad field with its pointer.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar.dto import MsgspecDTO
from litestar.openapi.spec import Reference, Schema
from litestar.typing import FieldDefinition

from cairn.core.decoding import decode, may_hold_nul, parse_json

T = TypeVar("T")


class ReportingBody(MsgspecDTO[T], Generic[T]):  # type: ignore[type-var]
    """Use as `dto=ReportingBody[SomeStruct], return_dto=None` on a route."""

    def decode_bytes(self, value: bytes) -> Any:
        """Decode JSON bytes to the model; on failure, report every invalid field.

        The fast path is msgspec's typed decoder (valid bodies never build a
        dict); only a body it refuses goes through the slower full report.
        """
        if not may_hold_nul(value):
            try:
                return msgspec.json.decode(value, type=self.model_type, strict=True)
            except (msgspec.DecodeError, RecursionError, UnicodeError):
                pass
        return decode(parse_json(value), self.model_type)

    def decode_builtins(self, value: dict[str, Any]) -> Any:
        """Decode already-parsed JSON to the model, reporting every invalid field."""
        return decode(value, self.model_type)

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        """Document the struct itself, not a generated transfer model."""
        return schema_creator.for_field_definition(field_definition)
