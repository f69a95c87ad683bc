"""Every bad field at once: the envelope and the kind's data are checked in one pass, so a
contributor fixes a form in one go, whichever fields are wrong."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient

from tests.factories import observation_payload

BAD_FIELDS: dict[str, Any] = {
    "/location/lat": 91,
    "/location/accuracy_m": -5,
    "/location/altitude_m": 9001,
    "/id": "not-a-uuid",
    "/licence": "GPL-3.0",
    "/comment": "x" * 2001,
    "/extra": True,
    "/data/count": -3,
    "/data/cd_nom": 0,
    "/data/colour": "brown",
}
"""Independent mistakes, half in the envelope and half in the species data."""


def with_bad(payload: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = pointer.strip("/").split("/")
    target = payload
    for part in parents:
        target = target[part]
    target[last] = value


def test_negative_accuracy_and_negative_count_are_reported_together(app: Litestar) -> None:
    with TestClient(app) as client:
        token = client.post("/api/v1/devices").json()["token"]
        payload = observation_payload()
        payload["location"]["accuracy_m"] = -1
        payload["data"]["count"] = -1
        answer = client.post(
            "/api/v1/observations", json=payload, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 422
        pointers = {e["pointer"] for e in answer.json()["errors"]}
        assert pointers == {"/location/accuracy_m", "/data/count"}


def test_any_combination_of_bad_fields_is_listed_exactly(app: Litestar) -> None:
    with TestClient(app) as client:
        token = client.post("/api/v1/devices").json()["token"]
        headers = {"Authorization": f"Bearer {token}"}

        @hypothesis_settings(
            max_examples=60, deadline=None, suppress_health_check=list(HealthCheck)
        )
        @given(st.sets(st.sampled_from(sorted(BAD_FIELDS)), min_size=1), st.booleans())
        def submit_with(bad: set[str], in_batch: bool) -> None:
            payload = observation_payload()
            for pointer in bad:
                with_bad(payload, pointer, BAD_FIELDS[pointer])
            if in_batch:
                answer = client.post(
                    "/api/v1/observations/batch", json={"observations": [payload]}, headers=headers
                )
                assert answer.status_code == 200, answer.text
                problem = answer.json()["results"][0]["problem"]
                prefix = "/observations/0"
            else:
                answer = client.post("/api/v1/observations", json=payload, headers=headers)
                assert answer.status_code == 422, answer.text
                problem, prefix = answer.json(), ""
            assert {e["pointer"] for e in problem["errors"]} == {prefix + p for p in bad}

        submit_with()
