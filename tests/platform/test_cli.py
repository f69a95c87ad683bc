"""The real `cairn` command in subprocesses: serve over HTTP, and clean refusals."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.factories import observation_payload, signed_live

CAIRN = str(Path(sys.executable).with_name("cairn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise AssertionError(f"cairn serve exited early: {stderr}")
        try:
            return httpx.get(url + "/api/v1/health", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("cairn serve did not answer in time")


@pytest.mark.slow
def test_serve_answers_http_and_stores_once(dsn: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "CAIRN_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [CAIRN, "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = wait_healthy(base, process)
        assert health.json()["status"] == "ok"
        payload, headers = observation_payload(), signed_live(base)
        assert (
            httpx.post(base + "/api/v1/observations", json=payload, headers=headers).status_code
            == 201
        )
        assert (
            httpx.post(base + "/api/v1/observations", json=payload, headers=headers).status_code
            == 200
        )
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert process.returncode == 0


@pytest.mark.slow
def test_serve_starts_the_embedded_database_and_reuses_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CAIRN_DATA_DIR"] = str(tmp_path / "data")
    ident = str(uuid.uuid4())
    for attempt in range(2):
        port = free_port()
        process = subprocess.Popen(
            [CAIRN, "serve", "--port", str(port), "--demo"], env=env, stderr=subprocess.PIPE
        )
        try:
            base = f"http://127.0.0.1:{port}"
            assert wait_healthy(base, process).json()["status"] == "ok"
            expected = 201 if attempt == 0 else 200
            response = httpx.post(
                base + "/api/v1/observations",
                json=observation_payload(id=ident),
                headers=signed_live(base),
            )
            assert response.status_code == expected
            # Two thirds of the 200 demo records are published, labelled as demo data.
            shown = httpx.get(base + "/api/v1/observations?programme=demo&limit=500").json()
            assert 120 <= len(shown["items"]) <= 134
            assert all(item["status"] == "certain" for item in shown["items"])
        finally:
            process.terminate()
            process.wait(timeout=30)
        assert (tmp_path / "data" / "pg" / "PG_VERSION").exists()


@pytest.mark.parametrize(
    ("args", "env", "needle"),
    [
        (["serve", "--port", "abc"], {}, "Invalid value for '--port'"),
        (["nonsense"], {}, "No such command"),
        (["migrate", "down"], {}, "needs a target revision"),
        (["migrate"], {"CAIRN_PORT": "x"}, "CAIRN_PORT"),
    ],
)
def test_bad_usage_is_a_message_not_a_traceback(
    args: list[str], env: dict[str, str], needle: str
) -> None:
    result = subprocess.run(
        [CAIRN, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_serve_with_several_workers_shares_one_database(dsn: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "CAIRN_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [CAIRN, "serve", "--port", str(port), "--workers", "2"], env=env, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_healthy(base, process).json()["status"] == "ok"
        payload, headers = observation_payload(), signed_live(base)
        statuses = sorted(
            httpx.post(base + "/api/v1/observations", json=payload, headers=headers).status_code
            for _ in range(6)
        )
        assert statuses == [200, 200, 200, 200, 200, 201]
        pids = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert len(pids) >= 2, "expected two worker processes"
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode == 0
