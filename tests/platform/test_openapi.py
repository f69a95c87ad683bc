"""The committed OpenAPI document is the app's, and every route is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from cairn.cli import openapi_document

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
