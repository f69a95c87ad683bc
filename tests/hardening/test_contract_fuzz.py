"""Fuzz the committed OpenAPI contract against a real `cairn serve`, with every check.

Schemathesis generates valid and invalid requests for every documented
operation and runs all of its checks: every answer is documented (status,
content type, headers, schema), never a 5xx, every error is a problem document,
a request the document calls invalid is refused, `Allow` lists exactly the
documented methods, and a request the document calls valid is not refused for
a rule the document could have stated. Bounded for CI by CAIRN_FUZZ_EXAMPLES
(default 60 per operation); `make fuzz` runs longer.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import RejectedPositiveData

from tests.platform.test_cli import CAIRN, free_port, wait_healthy

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
EXAMPLES = int(os.environ.get("CAIRN_FUZZ_EXAMPLES", "60"))

schema = schemathesis.openapi.from_path(OPENAPI)

SCHEMA_RULE_CODES = frozenset(
    {
        "missing",
        "unknown_field",
        "wrong_type",
        "out_of_range",
        "invalid_format",
        "not_allowed",
        "too_long",
        "too_short",
        "invalid_character",
        "malformed_json",
        "unsupported_media_type",
    }
)
"""Codes of rules JSON Schema states (type, bounds, lengths, patterns, enums, required…).

A request the document calls valid refused with one of these means the
document failed to say what the server enforces.
"""

KIND_DATA = "/data/"
"""An observation's `data` follows its kind's own schema (`GET /api/v1/schemas/{kind}/{version}`),
chosen by the body's `kind`: the API document cannot name it, so its answers are not the API's."""


@pytest.fixture(scope="module")
def live_server(
    admin_dsn: str, template_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One real server on a fresh database for the whole fuzz run."""
    import asyncio

    from cairn.core.db import database_dsn, ensure_database

    asyncio.run(ensure_database(admin_dsn, "fuzz", "cairn_template"))
    env = {
        **os.environ,
        "DATABASE_URL": database_dsn(admin_dsn, "fuzz"),
        "CAIRN_DATA_DIR": str(tmp_path_factory.mktemp("fuzz-data")),
        "CAIRN_LOG_LEVEL": "ERROR",
        "CAIRN_RATE_LIMIT_PER_MINUTE": "1000000",  # the fuzzer is fast on purpose
    }
    port = free_port()
    process = subprocess.Popen(
        [CAIRN, "serve", "--port", str(port), "--no-migrate"], env=env, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def problem_details_for_errors(ctx: object, response: schemathesis.Response, case: Case) -> bool:
    """Every 4xx/5xx answer is an RFC 9457 document with Cairn's stable fields."""
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])
        value = content_type[0] if isinstance(content_type, list) else content_type
        assert value.startswith("application/problem+json"), value
        body = response.json()
        assert body["status"] == response.status_code
        assert isinstance(body["code"], str) and body["code"]
        assert body["type"].startswith("https://")
    return True


def rules_beyond_the_schema(response: schemathesis.Response) -> bool:
    """Whether a refusal names only rules JSON Schema cannot state.

    A taxon that must exist, a place inside the territory, a date not in the
    future, a kind's own fields: each error names its rule by a code outside
    `SCHEMA_RULE_CODES`, or points into a kind's `data`.
    """
    if response.status_code not in {400, 422}:
        return False
    body = response.json()
    errors = body.get("errors") or [{"pointer": "", "code": body["code"]}]
    return all(
        error["code"] not in SCHEMA_RULE_CODES or error["pointer"].startswith(KIND_DATA)
        for error in errors
    )


def schema_valid_requests_are_accepted(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Case
) -> bool | None:
    """Schemathesis's own positive-data check, where the document can speak.

    A request the document calls valid may still break a rule that needs the
    database or the clock; that refusal is documented (its 400/422 and codes).
    Any refusal for a rule JSON Schema states fails: the document is missing it.
    """
    try:
        return openapi_checks.positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if rules_beyond_the_schema(response):
            return None
        raise


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_contract_holds_under_generated_requests(case: Case, live_server: str) -> None:
    case.call_and_validate(
        base_url=live_server,
        additional_checks=[problem_details_for_errors, schema_valid_requests_are_accepted],
        excluded_checks=[openapi_checks.positive_data_acceptance],
    )
