"""The offline bundle carries every published programme kind, and its ETag follows publication."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import asyncpg

from tests.protocols.examples import AMPHIBIAN_CROSSING, programme_admin, publish_kind
from tests.world import Client

FIGURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "protocols" / "bundle-size.json"


async def test_ten_published_kinds_travel_in_the_bundle(
    client: Client, db: asyncpg.Connection
) -> None:
    before = await client.get("/api/v1/reference/bundle")
    assert before.json()["kinds"] == []
    admin = await programme_admin(client, db, "default")
    draft = await client.post(
        "/api/v1/programmes/default/kinds",
        json={"kind": "draft_only", "schema": AMPHIBIAN_CROSSING},
        headers=admin,
    )
    assert draft.status_code == 201
    for number in range(10):
        await publish_kind(client, admin, "default", f"protocol_{number}", AMPHIBIAN_CROSSING)
    after = await client.get("/api/v1/reference/bundle")
    assert after.headers["etag"] != before.headers["etag"]
    kinds = after.json()["kinds"]
    assert sorted(k["kind"] for k in kinds) == [f"protocol_{n}" for n in range(10)]  # no draft
    assert kinds[0]["schema"]["properties"] == AMPHIBIAN_CROSSING["properties"]
    sizes = {
        "raw_before": len(before.content),
        "raw_after": len(after.content),
        "gzip_before": len(gzip.compress(before.content, 6)),
        "gzip_after": len(gzip.compress(after.content, 6)),
    }
    # Issue 19's closing note: the figures of this run, kept beside the other test artifacts.
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(sizes, indent=1))
    added = sizes["raw_after"] - sizes["raw_before"]
    assert added < 10 * 2_000, "a four-field kind costs the phone well under 2 KB"
    assert sizes["gzip_after"] - sizes["gzip_before"] < added / 4, "ten alike kinds compress"
