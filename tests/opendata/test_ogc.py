"""OGC API - Features read by OWSLib (what QGIS-like clients use) from a real `cairn serve`."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import asyncpg
import httpx
import pytest
from owslib.ogcapi.features import Features

from cairn.core.db import init_connection
from cairn.records.projection import project_all
from tests.factories import observation_payload, signed_live
from tests.platform.test_cli import CAIRN, free_port, wait_healthy


async def validate_everything(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await init_connection(conn)
        await conn.execute("UPDATE observation SET status = 'certain'")
        await project_all(conn)
    finally:
        await conn.close()


@pytest.mark.slow
def test_owslib_reads_collections_items_and_pages(dsn: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "CAIRN_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [CAIRN, "serve", "--port", str(port), "--no-migrate"], env=env, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, process)
        sent, headers = [], signed_live(base)
        for i in range(5):
            payload = observation_payload(
                location={"lon": 6.60 + i * 0.01, "lat": 44.90, "accuracy_m": 5},
                data={"cd_nom": 99854 if i < 4 else 2852, "count": 1},
            )
            answer = httpx.post(base + "/api/v1/observations", json=payload, headers=headers)
            assert answer.status_code == 201
            sent.append(str(payload["id"]))
        asyncio.run(validate_everything(dsn))

        api = Features(f"{base}/ogc")
        assert (
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
            in api.conformance()["conformsTo"]
        )
        assert [c["id"] for c in api.collections()["collections"]] == ["observations"]
        assert api.collection("observations")["extent"]["spatial"]["bbox"]
        page = api.collection_items("observations", limit=3)
        assert page["numberReturned"] == 3
        next_link = next(link["href"] for link in page["links"] if link["rel"] == "next")
        rest = httpx.get(next_link).json()
        assert {f["id"] for f in page["features"]} | {f["id"] for f in rest["features"]} == set(
            sent
        )
        boxed = api.collection_items("observations", bbox=[6.595, 44.89, 6.625, 44.91])
        assert boxed["numberReturned"] == 3
        sensitive = api.collection_item("observations", sent[4])
        assert sensitive["properties"]["generalisation"]["method"] == "grid_10km"
        dated = api.collection_items("observations", datetime_="2026-07-01T00:00:00Z/..")
        assert dated["numberReturned"] == 5
        missing = httpx.get(f"{base}/ogc/collections/nothing/items")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
    finally:
        process.terminate()
        process.wait(timeout=30)
