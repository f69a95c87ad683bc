"""The `cairn` command: serve, migrate, load demo data, write the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import yaml

from cairn.settings import Settings, SettingsError


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(f"bad setting: {exc}") from None


def resolve_database(settings: Settings) -> str:
    """The DSN of Cairn's database: `DATABASE_URL`, or the embedded server's (started here)."""
    from cairn.db import DATABASE_NAME, database_dsn, ensure_database, start_embedded  # noqa: PLC0415

    if settings.database_url:
        return settings.database_url
    click.echo(f"Starting the embedded PostgreSQL under {settings.data_dir / 'pg'} …", err=True)
    admin = start_embedded(settings.data_dir)
    asyncio.run(ensure_database(admin, DATABASE_NAME))
    return database_dsn(admin, DATABASE_NAME)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cairn")
def cli() -> None:
    """Cairn: observations from visitors, moderated by parks, published as open data.

    Configuration comes from the environment (DATABASE_URL, CAIRN_*): see README.md.
    """


@cli.command()
@click.option(
    "--host", default=None, help="Address to listen on [default: CAIRN_HOST or 127.0.0.1]."
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port [default: CAIRN_PORT or 8000].",
)
@click.option(
    "--demo/--no-demo", default=False, help="Load labelled demo data if the database is empty."
)
@click.option(
    "--migrate/--no-migrate", "run_migrations", default=True, help="Upgrade the schema first."
)
def serve(host: str | None, port: int | None, demo: bool, run_migrations: bool) -> None:
    """Run the API (and the PWA) on one process with uvloop and httptools."""
    import uvicorn  # noqa: PLC0415

    from cairn.app import create_app  # noqa: PLC0415
    from cairn.db import migrate as run_migrate  # noqa: PLC0415

    settings = _settings()
    dsn = resolve_database(settings)
    if run_migrations:
        run_migrate(dsn)
    if demo:
        loaded = asyncio.run(_load_demo(dsn, only_if_empty=True, count=200))
        click.echo(f"Demo data: {loaded} labelled demo observations loaded.", err=True)
    host = host or settings.host
    port = port or settings.port
    click.echo(f"Cairn is listening on http://{host}:{port} (Ctrl-C to stop)", err=True)
    config = uvicorn.Config(
        create_app(settings, dsn),
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level.lower(),
        access_log=False,
    )
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally
    # instead lets atexit stop the embedded PostgreSQL cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.Server(config).run()


@cli.command()
@click.argument("direction", type=click.Choice(["up", "down"]), default="up")
@click.argument("revision", required=False)
def migrate(direction: str, revision: str | None) -> None:
    """Upgrade the schema (`up [REV]`, default head) or downgrade it (`down REV`, e.g. base)."""
    from cairn.db import migrate as run_migrate  # noqa: PLC0415

    if direction == "down" and not revision:
        raise click.UsageError("`migrate down` needs a target revision (e.g. `base` or `0001`).")
    dsn = resolve_database(_settings())
    run_migrate(dsn, revision or "head", down=direction == "down")
    click.echo(
        f"Schema {'downgraded' if direction == 'down' else 'upgraded'} to {revision or 'head'}."
    )


@cli.command()
@click.option("--count", type=click.IntRange(1, 1_000_000), default=200, show_default=True)
def demo(count: int) -> None:
    """Load labelled demo observations (programme `demo`), even if data exists."""
    dsn = resolve_database(_settings())
    loaded = asyncio.run(_load_demo(dsn, only_if_empty=False, count=count))
    click.echo(f"{loaded} demo observations loaded (programme `demo`).")


async def _load_demo(dsn: str, *, only_if_empty: bool, count: int) -> int:
    import asyncpg  # noqa: PLC0415

    from cairn.db import create_pool  # noqa: PLC0415
    from cairn.domain.demo import demo_observations  # noqa: PLC0415
    from cairn.domain.observation import content_hash  # noqa: PLC0415
    from cairn.reference import park_taxa_codes, territory  # noqa: PLC0415
    from cairn.store import observations  # noqa: PLC0415

    pool: asyncpg.Pool = await create_pool(dsn, 1, 2)
    try:
        async with pool.acquire() as conn:
            if only_if_empty and await conn.fetchval("SELECT EXISTS (SELECT 1 FROM observation)"):
                return 0
            created = 0
            seed = int(datetime.now(UTC).timestamp())
            records = demo_observations(
                count, territory(), park_taxa_codes(), seed, datetime.now(UTC)
            )
            async with conn.transaction():
                for obs in records:
                    stored = await observations.insert(conn, obs, content_hash(obs), flags=[])
                    created += stored.created
            return created
    finally:
        await pool.close()


@cli.command("create-user")
@click.argument("email")
@click.option("--name", "display_name", required=True, help="The name colleagues see.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (for scripts) instead of prompting.",
)
def create_user(email: str, display_name: str, password_stdin: bool) -> None:
    """Create a staff account (argon2id-hashed password); then give it a role with `grant`."""
    from cairn.domain.staff import MIN_PASSWORD, hash_password  # noqa: PLC0415
    from cairn.store.staff import UserExistsError, create_user  # noqa: PLC0415

    if "@" not in email.strip("@") or any(c.isspace() for c in email):
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    dsn = resolve_database(_settings())

    async def run(conn: Any) -> object:
        return await create_user(conn, email, display_name, hash_password(password))

    try:
        user_id = asyncio.run(_with_connection(dsn, run))
    except UserExistsError:
        raise click.ClickException(f"an account {email.lower()} exists already") from None
    click.echo(f"Created {email.lower()} ({user_id}). Give it a role: cairn grant {email} ROLE …")


@cli.command()
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "moderator", "viewer"]))
@click.option("--programme", help="The role applies to this programme only.")
@click.option("--organisation", help="The role applies to every programme of this organisation.")
@click.option(
    "--platform", is_flag=True, help="The role applies everywhere (the first admin needs this)."
)
def grant(
    email: str, role: str, programme: str | None, organisation: str | None, platform: bool
) -> None:
    """Give ROLE to a staff account on one scope (replacing its role on that same scope)."""
    from cairn.store.staff import UnknownScopeError, user_id_by_email  # noqa: PLC0415
    from cairn.store.staff import grant as store_grant  # noqa: PLC0415

    if [bool(programme), bool(organisation), platform].count(True) != 1:
        raise click.UsageError("give exactly one of --programme, --organisation, --platform")
    dsn = resolve_database(_settings())

    async def run(conn: Any) -> object:
        user_id = await user_id_by_email(conn, email)
        if user_id is None:
            raise click.ClickException(f"no account {email.lower()}; create it with create-user")
        try:
            return await store_grant(conn, user_id, role, organisation, programme)  # type: ignore[arg-type]
        except UnknownScopeError:
            what = f"programme {programme}" if programme else f"organisation {organisation}"
            raise click.ClickException(f"no {what}") from None

    asyncio.run(_with_connection(dsn, run))
    scope = (
        f"programme {programme}"
        if programme
        else f"organisation {organisation}"
        if organisation
        else "the whole platform"
    )
    click.echo(f"{email.lower()} is now {role} of {scope}.")


async def _with_connection(dsn: str, job: Callable[[Any], Awaitable[object]]) -> object:
    """Run `job` on one connection in one transaction."""
    import asyncpg  # noqa: PLC0415

    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            return await job(conn)
    finally:
        await conn.close()


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("openapi"),
    show_default=True,
    help="Folder for openapi.json and openapi.yaml.",
)
def openapi(out: Path) -> None:
    """Write the OpenAPI document generated from the app (no database needed)."""
    document = openapi_document()
    out.mkdir(parents=True, exist_ok=True)
    (out / "openapi.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    (out / "openapi.yaml").write_text(
        yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    )
    click.echo(f"Wrote {out / 'openapi.json'} and {out / 'openapi.yaml'}.")


def openapi_document() -> dict[str, object]:
    """The OpenAPI document of an app built with default settings, as plain JSON data."""
    import msgspec  # noqa: PLC0415

    from cairn.app import create_app  # noqa: PLC0415

    document = create_app(Settings()).openapi_schema.to_schema()
    builtins: dict[str, object] = msgspec.to_builtins(document)
    return builtins


def main() -> None:
    """Entry point: run the CLI, turning expected failures into one-line messages."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        cli.main(standalone_mode=True)
    except OSError as exc:  # e.g. the database cannot be reached
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
