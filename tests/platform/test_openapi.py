"""The committed OpenAPI document is the app's, and every route is documented."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.cli import openapi_document
from cairn.core.queryparams import FORMATS

OPENAPI = Path(__file__).resolve().parents[2] / "openapi"


def test_committed_document_is_not_stale() -> None:
    generated = openapi_document()
    committed = json.loads((OPENAPI / "openapi.json").read_text())
    assert committed == generated, "openapi/ is stale: run `make openapi` and commit it"
    assert yaml.safe_load((OPENAPI / "openapi.yaml").read_text()) == generated


def test_every_operation_has_summary_tags_and_problem_errors() -> None:
    document = openapi_document()
    paths = document["paths"]
    assert isinstance(paths, dict)
    for path, item in paths.items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), f"{where} has no summary"
            assert operation.get("tags"), f"{where} has no tags"
            errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
            if path.startswith("/api/v1/health"):
                continue
            assert errors, f"{where} documents no error response"
            for code, response in errors.items():
                if code == "400" and "application/problem+json" not in response.get("content", {}):
                    continue  # Litestar's generic validation entry; ours are below
                assert "application/problem+json" in response["content"], f"{where} {code}"


def test_component_names_carry_no_module_prefix() -> None:
    """Litestar prefixes a struct's module when two structs share a name (`staff_auth_Me`).

    A client generator turns those into class names, so each component must be
    named for what it is, in PascalCase, with no module path in it.
    """
    components = openapi_document()["components"]
    assert isinstance(components, dict)
    names = list(components["schemas"])
    assert names, "the document has components"
    prefixed = [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)]
    assert prefixed == [], "rename the structs so each name says what it is"


def _nodes(value: object) -> Iterator[dict[str, object]]:
    """Every JSON object inside `value`, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


DOCUMENT = json.loads((OPENAPI / "openapi.json").read_text())
PATTERNS = sorted(
    {node["pattern"] for node in _nodes(DOCUMENT) if isinstance(node.get("pattern"), str)}
)
"""Every documented pattern (a `properties` map naming a field `pattern` is not one)."""
JSON_SCHEMA_FORMATS = {"uuid", "date-time", "date", "binary", "email", "uri"}


@settings(max_examples=25, derandomize=True)
@given(data=st.data())
def test_no_documented_pattern_admits_a_nul_character(data: st.DataObject) -> None:
    """The server refuses NUL in every string: a pattern of the document must too."""
    assert r"^[^\x00]*$" in PATTERNS
    for pattern in PATTERNS:
        text = data.draw(st.from_regex(pattern, fullmatch=True), label=pattern)
        cut = data.draw(st.integers(0, len(text)))
        assert re.search(pattern, text[:cut] + "\x00" + text[cut:]) is None, pattern


def test_every_format_is_json_schemas_or_one_of_cairns_described() -> None:
    formats = {node["format"] for node in _nodes(DOCUMENT) if isinstance(node.get("format"), str)}
    assert formats - JSON_SCHEMA_FORMATS <= set(FORMATS), "describe it in queryparams.FORMATS"
    assert set(FORMATS) <= formats


PATH_VALUES = {"integer": "1", "uuid": "3f1c2b9e-8d4a-4c6e-9f0b-1a2b3c4d5e6f"}


def _concrete(path: str, item: dict[str, dict[str, object]]) -> str:
    """`path` with each `{parameter}` replaced by a value its schema admits."""
    for operation in item.values():
        for parameter in operation.get("parameters", []):  # type: ignore[attr-defined]
            if parameter["in"] == "path":
                schema = parameter["schema"]
                value = PATH_VALUES.get(schema.get("format") or schema.get("type"), "a")
                path = path.replace("{" + parameter["name"] + "}", value)
    return path


async def test_options_allows_exactly_the_documented_methods_of_each_path(
    client: AsyncTestClient[Litestar],
) -> None:
    """Even where a path's handlers live in two modules (GET and DELETE /me/impact/share)."""
    for path, item in DOCUMENT["paths"].items():
        response = await client.options(_concrete(path, item))
        assert response.status_code == 204, path
        allowed = {method.strip() for method in response.headers["allow"].split(",")}
        assert allowed == {method.upper() for method in item} | {"OPTIONS"}, path
