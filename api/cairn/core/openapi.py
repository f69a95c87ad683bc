"""OpenAPI generation tweaks so the document says exactly what the server enforces.

Two gaps are closed in one place each:

- a struct's component is msgspec's own JSON Schema for it, the very schema
  `cairn.core.decoding.decode` checks bodies against (Litestar's translation
  drops some constraints, e.g. a bound of 0 or the rules on a mapping's keys);
- every string a client sends is refused when it holds NUL (query and path by
  `cairn.core.hygiene`, JSON keys and strings by `cairn.core.decoding`), and
  the document states it as a pattern on each string and key it describes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import fields
from typing import Any, Final

import msgspec
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    RequestBody,
    Schema,
)
from litestar.typing import FieldDefinition

from cairn.core.text import NO_NUL

COMPONENTS: Final = "#/components/schemas/{name}"

JSON_VALUE: Final = "JsonValue"
"""The component of a free JSON value (an observation's `data`, a kind's schema)."""

_SUBSCHEMA: Final = frozenset(
    {
        "schema_not",
        "schema_if",
        "then",
        "schema_else",
        "items",
        "contains",
        "additional_properties",
        "property_names",
        "unevaluated_items",
        "unevaluated_properties",
        "content_schema",
    }
)
_SUBSCHEMA_LISTS: Final = frozenset({"all_of", "any_of", "one_of", "prefix_items"})
_SUBSCHEMA_MAPS: Final = frozenset({"properties", "pattern_properties", "dependent_schemas"})
_ANNOTATIONS: Final = frozenset(
    {"title", "description", "default", "examples", "example", "deprecated", "read_only"}
)
_FIELD_NAMES: Final = {
    **{re.sub(r"_([a-z])", lambda m: m.group(1).upper(), f.name): f.name for f in fields(Schema)},
    **Schema.field_aliases(),
}
"""JSON Schema keyword → attribute of Litestar's `Schema` (`maxLength` → `max_length`)."""


class StrictStructSchemaPlugin(StructSchemaPlugin):
    """A struct's component is the JSON Schema msgspec derives from it.

    Litestar's plugin still runs first, so the structs a struct refers to are
    registered as components under the names msgspec's references use.
    Closed structs (`forbid_unknown_fields=True`) thereby say
    `additionalProperties: false`, as the decoder refuses unknown keys.
    """

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        """The registered component of the struct, filled from msgspec's schema."""
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.type_
        _, components = msgspec.json.schema_components([struct], ref_template=COMPONENTS)
        own = spec_schema(components[struct.__name__])
        for field in fields(Schema):
            setattr(schema, field.name, getattr(own, field.name))
        return schema


def spec_schema(data: dict[str, Any]) -> Schema:
    """A JSON Schema (as msgspec writes it) as Litestar's `Schema`, references kept."""
    values: dict[str, Any] = {}
    for keyword, value in data.items():
        name = _FIELD_NAMES[keyword]
        if name in _SUBSCHEMA and isinstance(value, dict):
            values[name] = _spec(value)
        elif name in _SUBSCHEMA_LISTS:
            values[name] = [_spec(item) for item in value]
        elif name in _SUBSCHEMA_MAPS:
            values[name] = {key: _spec(item) for key, item in value.items()}
        elif name == "type":
            values[name] = (
                OpenAPIType(value) if isinstance(value, str) else [OpenAPIType(v) for v in value]
            )
        elif name == "format":
            values[name] = OpenAPIFormat(value)
        else:
            values[name] = value
    return Schema(**values)


def _spec(data: dict[str, Any]) -> Schema | Reference:
    ref = data.get("$ref")
    return Reference(ref=ref) if isinstance(ref, str) else spec_schema(data)


def state_nul_refusal(document: OpenAPI) -> None:
    """Add the NUL refusal to every string and key a request may carry, and `JsonValue`.

    Parameters, request bodies and the components they use say it; a component
    only answers use is left alone (a problem document's pointer names the bad
    key, NUL and all). A string with a pattern of its own keeps it (each
    excludes NUL already, a test checks it); an enum, a const or a format
    (uuid, date…) admits no NUL anyway; a binary upload is bytes, not text.
    """
    requests: list[Schema | Reference] = []
    for operation in _operations(document):
        for parameter in operation.parameters or []:
            if isinstance(parameter, Parameter) and parameter.schema is not None:
                parameter.schema = _nul_free(parameter.schema)
                requests.append(parameter.schema)
        body = operation.request_body
        if isinstance(body, RequestBody):
            for media in body.content.values():
                if media.schema is not None:
                    media.schema = _nul_free(media.schema)
                    requests.append(media.schema)
    schemas = document.components.schemas if document.components else None
    if schemas is None:
        return
    for name in _referenced(requests, schemas):
        schemas[name] = _nul_free(schemas[name])  # type: ignore[assignment]
    json_value = Reference(ref=COMPONENTS.format(name=JSON_VALUE))
    schemas[JSON_VALUE] = Schema(
        description="Any JSON value with no NUL character in its strings or keys",
        any_of=[
            Schema(type=[OpenAPIType.NULL, OpenAPIType.BOOLEAN, OpenAPIType.NUMBER]),
            Schema(type=OpenAPIType.STRING, pattern=NO_NUL),
            Schema(type=OpenAPIType.ARRAY, items=json_value),
            Schema(
                type=OpenAPIType.OBJECT,
                property_names=Schema(pattern=NO_NUL),
                additional_properties=json_value,
            ),
        ],
    )


def _referenced(roots: list[Schema | Reference], schemas: dict[str, Schema]) -> list[str]:
    """Names of the components `roots` refer to, directly or through other components."""
    found: list[str] = []
    pending = list(roots)
    while pending:
        item = pending.pop()
        if isinstance(item, Reference):
            name = item.ref.removeprefix(COMPONENTS.format(name=""))
            if name not in found and name in schemas:
                found.append(name)
                pending.append(schemas[name])
        else:
            pending.extend(_subschemas(item))
    return found


def _subschemas(schema: Schema) -> Iterator[Schema | Reference]:
    for name in _SUBSCHEMA:
        value = getattr(schema, name)
        if isinstance(value, (Schema, Reference)):
            yield value
    for name in _SUBSCHEMA_LISTS:
        yield from getattr(schema, name) or []
    for name in _SUBSCHEMA_MAPS:
        yield from (getattr(schema, name) or {}).values()


def _operations(document: OpenAPI) -> Iterator[Operation]:
    for item in (document.paths or {}).values():
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            operation = getattr(item, method)
            if isinstance(operation, Operation):
                yield operation


def _nul_free(schema: Schema | Reference) -> Schema | Reference:
    """`schema` (changed in place) saying that no string or key in it holds NUL."""
    if isinstance(schema, Reference):
        return schema
    if _accepts_anything(schema):
        return Reference(ref=COMPONENTS.format(name=JSON_VALUE))
    for name in _SUBSCHEMA:
        value = getattr(schema, name)
        if isinstance(value, (Schema, Reference)):
            setattr(schema, name, _nul_free(value))
    for name in _SUBSCHEMA_LISTS:
        value = getattr(schema, name)
        if value is not None:
            setattr(schema, name, [_nul_free(item) for item in value])
    for name in _SUBSCHEMA_MAPS:
        value = getattr(schema, name)
        if value is not None:
            setattr(schema, name, {key: _nul_free(item) for key, item in value.items()})
    types = schema.type if isinstance(schema.type, list) else [schema.type]
    free_text = schema.enum is None and schema.const is None and schema.format is None
    if OpenAPIType.STRING in types and free_text and schema.pattern is None:
        schema.pattern = NO_NUL
    any_value = Reference(ref=COMPONENTS.format(name=JSON_VALUE))
    if OpenAPIType.OBJECT in types and schema.additional_properties is not False:
        schema.property_names = schema.property_names or Schema(pattern=NO_NUL)
        if schema.additional_properties in (None, True):
            schema.additional_properties = any_value
    if OpenAPIType.ARRAY in types and schema.items is None and schema.prefix_items is None:
        schema.items = any_value
    return schema


def _accepts_anything(schema: Schema) -> bool:
    """A schema with no assertion at all (`Any`): any JSON value."""
    return all(
        getattr(schema, field.name) is None
        for field in fields(Schema)
        if field.name not in _ANNOTATIONS
    )
