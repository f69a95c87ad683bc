"""What a programme's kinds add to the open data: their fields, as researchers receive them.

Every published field that disclosure lets out (cairn.records.disclosure:
no free text) becomes a CSV column `<kind>.<field>`, an OGC queryable, and in the
Darwin Core Archive one MeasurementOrFact row per record and field
(measurementType: the field's English title; measurementValue: the value as
sent, choices by their code, several choices `|`-separated; measurementUnit:
the field's `x-unit`; measurementRemarks: which kind, version and field it is).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import msgspec

from cairn.core.db import Executor
from cairn.protocols.kinds import Kind
from cairn.protocols.kinds_store import every_published
from cairn.records.disclosure import programme_kind_fields

DWC: Final = "http://rs.tdwg.org/dwc/terms/"
MEASUREMENT_ROW_TYPE: Final = f"{DWC}MeasurementOrFact"
MEASUREMENT_TERMS: Final = (
    "measurementType",
    "measurementValue",
    "measurementUnit",
    "measurementRemarks",
)


class KindField(msgspec.Struct, frozen=True):
    """One published field of one version of a programme's kind."""

    kind: str
    version: int
    name: str
    type: str
    """JSON Schema type: string, number, integer, boolean or array (of choices)."""
    unit: str | None
    title_en: str
    choices: list[str] | None


def kind_fields(kinds: Iterable[Kind]) -> list[KindField]:
    """The public fields of programme kinds (the bundled kinds have their own columns)."""
    fields = []
    for kind in kinds:
        if kind.programme is None:
            continue
        properties = kind.schema["properties"]
        for name in programme_kind_fields(kind.schema):
            field = properties[name]
            choices = field.get("enum") or field.get("items", {}).get("enum")
            fields.append(
                KindField(
                    kind=kind.kind,
                    version=kind.version,
                    name=name,
                    type=field["type"],
                    unit=field.get("x-unit"),
                    title_en=field["x-i18n"]["en"]["title"],
                    choices=choices,
                )
            )
    return fields


async def fields_in_scope(
    conn: Executor, programme: str | None = None, kind: str | None = None
) -> list[KindField]:
    """The public fields of the published programme kinds an open query may return."""
    return kind_fields(
        k
        for k in await every_published(conn)
        if (programme is None or k.programme == programme) and (kind is None or k.kind == kind)
    )


def _column_value(name: str) -> str:
    """SQL for one attribute as text: choices `|`-separated, anything else as JSON text."""
    value = f"attributes->'{name}'"
    return (
        f"CASE jsonb_typeof({value}) WHEN 'array' THEN "
        f"array_to_string(ARRAY(SELECT jsonb_array_elements_text({value})), ' | ') "
        f"ELSE attributes->>'{name}' END"
    )


def csv_columns(fields: Iterable[KindField]) -> dict[str, str]:
    """`<kind>.<field>` → the SQL of its cell, one column per field whatever its versions.

    Kind and field names match `^[a-z][a-z0-9_]*$` (checked when the schema was
    stored), so they can stand in the SQL text.
    """
    columns: dict[str, str] = {}
    for field in fields:
        header = f"{field.kind}.{field.name}"
        if header not in columns:
            columns[header] = (
                f"CASE WHEN kind = '{field.kind}' THEN {_column_value(field.name)} END"
            )
    return columns


def queryables(fields: Iterable[KindField]) -> dict[str, dict[str, Any]]:
    """OGC queryables (JSON Schema) of the fields, each named `<kind>.<field>`."""
    found: dict[str, dict[str, Any]] = {}
    for field in fields:
        schema: dict[str, Any] = {"title": field.title_en}
        if field.type == "array":
            schema.update(type="array", items={"type": "string", "enum": field.choices})
        else:
            schema["type"] = field.type
            if field.choices:
                schema["enum"] = field.choices
        if field.unit:
            schema["x-unit"] = field.unit
        found[f"{field.kind}.{field.name}"] = schema
    return found


def measurement_fields(fields: Iterable[KindField]) -> list[dict[str, Any]]:
    """The fields as the rows PostgreSQL joins to the records' attributes to write
    measurementorfact.txt (see `store.DWCA_MEASUREMENT`); `n` keeps the schemas' order."""
    return [
        {
            "field_kind": field.kind,
            "field_version": field.version,
            "field_name": field.name,
            "title": field.title_en,
            "unit": field.unit,
            "n": n,
        }
        for n, field in enumerate(fields)
    ]


def meta_extension(attrs: str) -> str:
    """The meta.xml `<extension>` of measurementorfact.txt."""
    terms = "\n".join(
        f'    <field index="{i + 1}" term="{DWC}{term}"/>'
        for i, term in enumerate(MEASUREMENT_TERMS)
    )
    return f"""  <extension {attrs} rowType="{MEASUREMENT_ROW_TYPE}">
    <files><location>measurementorfact.txt</location></files>
    <coreid index="0"/>
{terms}
  </extension>
"""
