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

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.specs.openapi import checks as openapi_checks
from schemathesis.specs.openapi.checks import RejectedPositiveData

from cairn.core.queryparams import FORMATS
from tests.platform.test_cli import CAIRN, free_port, wait_healthy

OPENAPI = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
EXAMPLES = int(os.environ.get("CAIRN_FUZZ_EXAMPLES", "60"))


def degrees(low: float, high: float) -> st.SearchStrategy[float]:
    """Decimal degrees as a client writes them (6 decimals: 0.1 m)."""
    return st.floats(low, high).map(lambda value: round(value, 6))


def square(lon: float, lat: float, side: float) -> str:
    """A WKT square of `side` degrees from its south-west corner."""
    east, north = round(lon + side, 6), round(lat + side, 6)
    corners = [(lon, lat), (east, lat), (east, north), (lon, north), (lon, lat)]
    return "POLYGON((" + ", ".join(f"{x} {y}" for x, y in corners) + "))"


FORMAT_VALUES: dict[str, st.SearchStrategy[str]] = {
    "lon-lat": st.builds("{},{}".format, degrees(-180, 180), degrees(-90, 90)),
    "bbox": st.builds(
        lambda lons, lats: f"{min(lons)},{min(lats)},{max(lons)},{max(lats)}",
        st.tuples(degrees(-180, 180), degrees(-180, 180)),
        st.tuples(degrees(-90, 90), degrees(-90, 90)),
    ),
    "polygon": st.builds(square, degrees(5, 7.5), degrees(44, 45.5), degrees(0.001, 0.5)),
    "instant": st.one_of(
        st.dates(min_value=date(1900, 1, 1)).map(date.isoformat),
        st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)).map(
            datetime.isoformat
        ),
    ),
    # Latin-1, so the PDF poster (Helvetica) can print it too.
    "label": st.text(
        st.characters(codec="latin-1", categories=["L", "N", "P", "S", "Zs"]),
        min_size=1,
        max_size=60,
    ).filter(str.strip),
}
"""Values of each format Cairn documents beyond JSON Schema's, as the server reads them."""

for name, strategy in FORMAT_VALUES.items():
    schemathesis.openapi.format(name, strategy)

schema = schemathesis.openapi.from_path(OPENAPI)
DOCUMENT = json.loads(OPENAPI.read_text())


def test_every_format_of_cairn_has_values_to_fuzz_with() -> None:
    assert set(FORMAT_VALUES) == set(FORMATS)


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


def cairn_formats(case: Case) -> set[str]:
    """Pointers of the operation's parameters whose rule is one of Cairn's own formats.

    JSON Schema tools do not check those formats (a WKT polygon, `lon,lat`):
    Schemathesis's boundary values for them are any text, which the server
    refuses as the format's description says; its random values come from
    `FORMAT_VALUES`, which the server must accept.
    """
    operation = DOCUMENT["paths"][case.operation.path][case.method.lower()]
    return {
        f"/{parameter['in']}/{parameter['name']}"
        for parameter in operation.get("parameters", [])
        if parameter["schema"].get("format") in FORMATS
    }


def rules_beyond_the_schema(response: schemathesis.Response, case: Case) -> bool:
    """Whether a refusal names only rules JSON Schema cannot state.

    A taxon that must exist, a place inside the territory, a date not in the
    future, a kind's own fields: each error names its rule by a code outside
    `SCHEMA_RULE_CODES`, points into a kind's `data`, or names a parameter of
    one of Cairn's formats.
    """
    if response.status_code not in {400, 422}:
        return False
    body = response.json()
    errors = body.get("errors") or [{"pointer": "", "code": body["code"]}]
    formatted = cairn_formats(case)
    return all(
        error["code"] not in SCHEMA_RULE_CODES
        or error["pointer"].startswith(KIND_DATA)
        or error["pointer"] in formatted
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
        if rules_beyond_the_schema(response, case):
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
