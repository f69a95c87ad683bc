"""Health: is the API up, and can it reach its database?"""

from __future__ import annotations

import asyncio
import time

import msgspec
from litestar import Request, Response, Router, get
from litestar.datastructures import State

from cairn import __version__
from cairn.core.deps import DbPool
from cairn.core.problems import responses
from cairn.core.replica import ReplicaRouter

TIMEOUT_S = 2.0


class DatabaseHealth(msgspec.Struct):
    """What the API knows of its database right now."""

    reachable: bool
    server_version: str | None = None
    latency_ms: float | None = None
    schema_revision: str | None = None
    error: str | None = None


class ReplicaHealth(msgspec.Struct):
    """The read replica (`DATABASE_READ_URL`): whether open reads use it right now."""

    in_use: bool
    """False while it lags by more than `max_lag_s` (or is unreachable): the primary answers."""
    max_lag_s: float


class Health(msgspec.Struct):
    """`ok` when the database answers; `degraded` when it does not (the API still runs)."""

    status: str
    version: str
    database: DatabaseHealth
    replica: ReplicaHealth | None = None


@get(
    "/health",
    summary="Report whether the API and its database are up",
    description=(
        "200 with status `ok`, or 503 with status `degraded` while the database is unreachable."
    ),
    tags=["health"],
    responses=responses(),
)
async def health(request: Request[object, object, State], pool: DbPool) -> Response[Health]:
    """Ping the database with a short time-out, never raising."""
    router: ReplicaRouter | None = request.app.state.replica
    replica = None if router is None else ReplicaHealth(router.fresh, router.max_lag)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT_S):
            async with pool.acquire() as conn:
                version = await conn.fetchval("SHOW server_version")
                revision = await conn.fetchval("SELECT version_num FROM alembic_version LIMIT 1")
    except Exception as exc:  # noqa: BLE001 (health must answer whatever the database does)
        db = DatabaseHealth(reachable=False, error=type(exc).__name__)
        return Response(Health("degraded", __version__, db, replica), status_code=503)
    latency = round((time.perf_counter() - started) * 1000, 2)
    db = DatabaseHealth(
        reachable=True, server_version=version, latency_ms=latency, schema_revision=revision
    )
    return Response(Health("ok", __version__, db, replica), status_code=200)


router = Router(
    path="/",
    route_handlers=[
        health,
    ],
)
"""The health feature's routes, mounted by the app factory."""
