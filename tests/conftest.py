"""Test fixtures: one embedded PostgreSQL per session, one fresh database per test.

The schema is migrated once into a template database; each test gets its own
copy (`CREATE DATABASE … TEMPLATE`, a file copy, ~50 ms), so tests are
isolated, can run in any order, and see the real server with the real app.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from playwright.async_api import Browser, async_playwright

from cairn.app import create_app
from cairn.core.db import (
    database_dsn,
    ensure_database,
    init_connection,
    migrate,
    quote_ident,
    start_embedded,
)
from cairn.demo.seed import ensure_reference
from cairn.settings import Settings
from tests.browser import CHROMIUM, CHROMIUM_ARGS, live_cairn
from tests.world import add_staff, sign_in

TEMPLATE = "cairn_template"


def pytest_configure(config: pytest.Config) -> None:
    """Each run gets its own temporary folder, removed when the process exits.

    pytest's default numbered folders are shared by every run of the same user and
    pruned to the last three: a second suite running at the same time (another
    checkout, a benchmark) would delete the embedded server's data under this one.
    The removal is registered before the embedded server starts, so at exit (last
    in, first out) the server stops first, then its folder goes.
    """
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="cairn-tests-")
        atexit.register(shutil.rmtree, config.option.basetemp, ignore_errors=True)


@pytest.fixture(scope="session")
def admin_dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The admin DSN of a server for this session: DATABASE_URL's, or a fresh embedded one."""
    external = os.environ.get("CAIRN_TEST_DATABASE_URL")
    if external:
        yield external
        return
    yield start_embedded(tmp_path_factory.mktemp("pg"))


@pytest.fixture(scope="session")
def template_dsn(admin_dsn: str) -> str:
    """A database migrated to head, copied by every test."""
    asyncio.run(_recreate(admin_dsn, TEMPLATE))
    dsn = database_dsn(admin_dsn, TEMPLATE)
    migrate(dsn)
    asyncio.run(_import_reference(dsn))
    return dsn


async def _import_reference(dsn: str) -> None:
    """Every test database starts with the real bundled reference data, as `make run` has."""
    conn = await asyncpg.connect(dsn)
    try:
        await init_connection(conn)
        await ensure_reference(conn)
    finally:
        await conn.close()


async def _recreate(admin_dsn: str, name: str, template: str | None = None) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
    finally:
        await conn.close()
    await ensure_database(admin_dsn, name, template)


@pytest.fixture
async def dsn(admin_dsn: str, template_dsn: str) -> AsyncIterator[str]:
    """A fresh database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    await ensure_database(admin_dsn, name, TEMPLATE)
    yield database_dsn(admin_dsn, name)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
    finally:
        await conn.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings as a fresh install has them, with data under the test's folder."""
    return Settings.from_env({"CAIRN_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def app(settings: Settings, dsn: str) -> Litestar:
    """The real app on the test's database."""
    return create_app(settings, dsn)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An HTTP client that goes through the whole app (lifespan included)."""
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def db(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    """A direct connection to the test's database, to check what was written."""
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    yield conn
    await conn.close()


@pytest.fixture
def cairn_url(dsn: str, settings: Settings, request: pytest.FixtureRequest) -> Iterator[str]:
    """Cairn under uvicorn on loopback (indirect `param`: extra CAIRN_* settings)."""
    with live_cairn(dsn, settings.data_dir, getattr(request, "param", {})) as url:
        yield url


@pytest.fixture
def chromium() -> str:
    assert CHROMIUM.exists(), "run `make browser` (Debian's chromium) first"
    return str(CHROMIUM)


@pytest.fixture
async def browser(chromium: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def admin(client: AsyncTestClient[Litestar], db: asyncpg.Connection) -> dict[str, str]:
    """A platform admin, signed in through the API: the Authorization header."""
    await add_staff(db, "root@petr.fr", "admin")
    return await sign_in(client, "root@petr.fr")
