"""GET /api/v1/health."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.app import create_app
from cairn.core.db import connect
from cairn.core.errors import UnavailableError
from cairn.settings import Settings


async def test_health_reports_database_version_and_revision(
    client: AsyncTestClient[Litestar],
) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["reachable"] is True
    assert body["database"]["server_version"].split(".")[0].isdigit()
    assert body["database"]["schema_revision"] is not None


async def test_health_is_degraded_not_crashing_when_the_database_is_gone(
    settings: Settings, dsn: str, admin_dsn: str
) -> None:
    app = create_app(settings, dsn)
    async with AsyncTestClient(app=app) as client:
        name = urlsplit(dsn).path.lstrip("/")
        conn = await asyncpg.connect(admin_dsn)
        try:
            # Cut every connection of the app's pool and make the database unreachable.
            await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
            response = await client.get("/api/v1/health")
            assert response.status_code == 503
            assert response.json()["status"] == "degraded"
            assert response.json()["database"]["reachable"] is False
            await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            recovered = await client.get("/api/v1/health")
            assert recovered.status_code == 200
        finally:
            await conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
            await conn.close()


async def test_a_database_that_refuses_connections_is_named_as_an_outage() -> None:
    """Socket errors are translated where they can only mean the database, nowhere else."""
    with pytest.raises(UnavailableError) as refused:
        await connect("postgresql://cairn@127.0.0.1:9/cairn", timeout=5)
    assert refused.value.dependency == "database"
    assert isinstance(refused.value.__cause__, OSError)
