"""OpenAPI generation tweaks so the document says exactly what the server enforces."""

from __future__ import annotations

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """Like Litestar's struct plugin, but closed objects say `additionalProperties: false`.

    Structs declared with `forbid_unknown_fields=True` refuse unknown keys
    (422 `unknown_field`); without this the document would promise that any
    extra key is accepted, and clients (and the contract fuzzer) would be misled.
    """

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """Litestar's schema for the struct, closed when the struct is."""
        schema = super().to_openapi_schema(field_definition, schema_creator)
        config: msgspec.structs.StructConfig = field_definition.type_.__struct_config__
        if config.forbid_unknown_fields:
            schema.additional_properties = False
        return schema
