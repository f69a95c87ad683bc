"""The framework's floor: a minimal Litestar app running exactly Cairn's SQL, nothing else.

Served by the same server, loop, HTTP parser and worker count as `cairn serve`
(`python -m uvicorn bench.floor:create --factory …`), it decodes the same JSON
with msgspec and runs Cairn's own statements (imported, so they cannot drift):

- `POST /api/v1/observations`: the intake insert-and-project statement for one record;
- `POST /api/v1/observations/batch`: the same statement for the 500 records of a batch;
- `GET /api/v1/observations?taxon=&bbox=&cursor=`: the open-data keyset page, its rows as
  JSON and the next page's URL.

What it leaves out is what Cairn adds on top of the framework: the device token,
reading what a record refers to, validation, the disclosure policy, the public
record's encoding, ETags. The gap between the two is Cairn's own cost.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import asyncpg
import msgspec
from litestar import Litestar, Request, Response, get, post
from litestar.datastructures import State

from cairn.core.db import init_connection
from cairn.observations.store import _INSERT_MANY
from cairn.opendata import store as public

DSN = "CAIRN_FLOOR_DSN"
STATUSES = ("certain", "probable")


class Location(msgspec.Struct):
    lon: float
    lat: float
    accuracy_m: float | None = None
    altitude_m: float | None = None


class Observation(msgspec.Struct):
    """The submitted JSON, typed by msgspec and nothing more."""

    id: UUID
    kind: str
    schema_version: int
    observed_at: datetime
    location: Location
    data: dict[str, Any]


class Batch(msgspec.Struct):
    observations: list[Observation]


def _columns(batch: list[Observation]) -> list[list[Any]]:
    """The unnest arrays ($1 to $21) of Cairn's insert, straight from the JSON."""
    rows = []
    for obs in batch:
        offset = obs.observed_at.utcoffset()
        cd_nom = obs.data.get("cd_nom")
        data = msgspec.json.encode(obs.data)
        rows.append(
            (
                obs.id, obs.kind, obs.schema_version, "default", obs.observed_at,
                int(offset.total_seconds()) if offset else 0, obs.location.lon, obs.location.lat,
                obs.location.accuracy_m, obs.location.altitude_m, data.decode(), "CC-BY-4.0",
                None, hashlib.sha256(data).digest(), "[]", cd_nom, cd_nom, None, 0, None, None,
            )
        )  # fmt: skip
    return [list(column) for column in zip(*rows, strict=True)]


async def _insert(state: State, batch: list[Observation]) -> list[asyncpg.Record]:
    pool: asyncpg.Pool = state.pool
    async with pool.acquire() as conn:
        return list(
            await conn.fetch(
                _INSERT_MANY, *_columns(batch), None, [], state.rules, datetime.now(UTC)
            )
        )


@post("/api/v1/observations", status_code=201)
async def single(data: Observation, state: State) -> Response[bytes]:
    """One INSERT (with Cairn's projection CTE) from the JSON; the stored row back."""
    [row] = await _insert(state, [data])
    return Response(msgspec.json.encode(dict(row)), media_type="application/json")


@post("/api/v1/observations/batch", status_code=200)
async def batch(data: Batch, state: State) -> Response[bytes]:
    """The same statement for a whole batch; one outcome per row stored."""
    rows = await _insert(state, data.observations)
    results = [{"id": row["id"], "outcome": "created"} for row in rows]
    return Response(msgspec.json.encode({"results": results}), media_type="application/json")


@get("/api/v1/observations")
async def page(
    request: Request[Any, Any, Any], state: State, taxon: int, bbox: str, cursor: UUID | None = None
) -> Response[bytes]:
    """Cairn's keyset query (`opendata.store.select`); its rows as JSON, then the next cursor."""
    paths: dict[int, str] = state.paths
    pool: asyncpg.Pool = state.pool
    async with pool.acquire() as conn:
        if taxon not in paths:
            paths[taxon] = await conn.fetchval(
                "SELECT path::text FROM taxon WHERE cd_nom = $1", taxon
            )
        west, south, east, north = (float(v) for v in bbox.split(","))
        box = (west, south, east, north)
        filters = public.Filters(statuses=STATUSES, taxon_path=paths[taxon], bbox=box)
        rows = await public.select(conn, filters, 100, cursor)
    items = [{**row, "position": tuple(row["position"])} for row in rows]
    query = urlencode({"taxon": taxon, "bbox": bbox, "cursor": rows[-1]["id"]}) if rows else ""
    following = str(request.url.with_replacements(query=query)) if len(rows) == 100 else None
    return Response(
        msgspec.json.encode({"items": items, "next": following}), media_type="application/json"
    )


async def _open(app: Litestar) -> None:
    app.state.pool = await asyncpg.create_pool(
        os.environ[DSN], min_size=2, max_size=10, init=init_connection
    )
    app.state.rules = await app.state.pool.fetchval("SELECT cairn_rules_version()")
    app.state.paths = {}


async def _close(app: Litestar) -> None:
    await app.state.pool.close()


def create() -> Litestar:
    """The app (a factory: each worker opens its own pool, as Cairn's do)."""
    return Litestar([single, batch, page], on_startup=[_open], on_shutdown=[_close])
