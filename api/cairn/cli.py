"""The `cairn` command: serve, migrate, load demo data, write the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import yaml

from cairn.settings import Settings, SettingsError

if TYPE_CHECKING:
    import asyncpg

    from cairn.core.db import Connection
    from cairn.reference.importers import ImportSummary
    from cairn.staff.model import Role

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(f"bad setting: {exc}") from None


def resolve_database(settings: Settings) -> str:
    """The DSN of Cairn's database: `DATABASE_URL`, or the embedded server's (started here)."""
    from cairn.core.db import (  # noqa: PLC0415
        DATABASE_NAME,
        database_dsn,
        ensure_database,
        start_embedded,
    )

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
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port (each with its own pool).",
)
@click.option(
    "--reference/--no-reference",
    default=True,
    help="Import the bundled reference data if the database has none.",
)
def serve(
    host: str | None,
    port: int | None,
    demo: bool,
    run_migrations: bool,
    workers: int,
    reference: bool,
) -> None:
    """Run the API (and the PWA) with uvloop and httptools, on one or more processes."""
    import uvicorn  # noqa: PLC0415

    from cairn.app import create_app  # noqa: PLC0415
    from cairn.core.db import migrate as run_migrate  # noqa: PLC0415

    settings = _settings()
    dsn = resolve_database(settings)
    if run_migrations:
        run_migrate(dsn)
    if reference or demo:
        _fill_fresh_database(dsn, settings, demo=demo)
    host = host or settings.host
    port = port or settings.port
    click.echo(f"Cairn is listening on http://{host}:{port} (Ctrl-C to stop)", err=True)
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "log_level": settings.log_level.lower(),
        "access_log": False,
    }
    if workers > 1:
        # Worker processes build their own app from the environment; the
        # embedded server (if any) stays owned by this parent process.
        os.environ["DATABASE_URL"] = dsn
        config = uvicorn.Config("cairn.app:app_from_env", factory=True, workers=workers, **options)
    else:
        config = uvicorn.Config(create_app(settings, dsn), **options)
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally
    # instead lets atexit stop the embedded PostgreSQL cleanly.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if workers > 1:
        from uvicorn.supervisors.multiprocess import Multiprocess  # noqa: PLC0415

        sock = config.bind_socket()
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run()


@cli.command()
@click.argument("direction", type=click.Choice(["up", "down"]), default="up")
@click.argument("revision", required=False)
def migrate(direction: str, revision: str | None) -> None:
    """Upgrade the schema (`up [REV]`, default head) or downgrade it (`down REV`, e.g. base)."""
    from cairn.core.db import migrate as run_migrate  # noqa: PLC0415

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
    from cairn.demo.seed import (  # noqa: PLC0415
        ensure_reference,
        load_demo,
    )

    settings = _settings()

    async def job(conn: Connection) -> int:
        await ensure_reference(conn)
        return await load_demo(conn, settings, count)

    loaded = run_on_database(resolve_database(settings), job)
    click.echo(f"{loaded} demo observations loaded (programme `demo`).")


def _import(job: Callable[[Connection], Awaitable[ImportSummary]]) -> None:
    """Run one importer in one transaction; a bad file is one clear message, nothing written."""
    from cairn.reference.places import PlaceFormatError  # noqa: PLC0415
    from cairn.reference.taxa import TaxonFormatError  # noqa: PLC0415

    async def in_transaction(conn: Connection) -> ImportSummary:
        async with conn.transaction():
            return await job(conn)

    try:
        summary = run_on_database(resolve_database(_settings()), in_transaction)
    except (TaxonFormatError, PlaceFormatError, ValueError) as exc:
        raise click.ClickException(f"nothing imported: {exc}") from None
    click.echo(summary.line())


def _progress_bar(path: Path) -> tuple[Callable[[int], None], Callable[[], None]]:
    """A rich progress bar on a terminal; silence otherwise."""
    if not sys.stderr.isatty():
        return (lambda _: None), (lambda: None)
    from rich.progress import Progress  # noqa: PLC0415

    bar = Progress(transient=True)
    task = bar.add_task(f"Importing {path.name}", total=path.stat().st_size)
    bar.start()
    return (lambda done: bar.update(task, completed=done)), bar.stop


ExistingFile = click.Path(exists=True, dir_okay=False, path_type=Path)


@cli.command("import-taxa")
@click.argument("file", type=ExistingFile)
def import_taxa_command(file: Path) -> None:
    """Import taxa from a TAXREF file (tab-separated) or the park list (CSV); idempotent."""
    from cairn.reference.importers import import_taxa  # noqa: PLC0415

    update, stop = _progress_bar(file)
    try:
        _import(lambda conn: import_taxa(conn, file, update))
    finally:
        stop()


@cli.command("import-communes")
@click.argument("file", type=ExistingFile)
@click.option("--attributes", type=ExistingFile, help="CSV with insee, population, epci_*.")
def import_communes_command(file: Path, attributes: Path | None) -> None:
    """Import commune outlines from GeoJSON (properties insee/code, name/nom); idempotent."""
    from cairn.reference.importers import import_communes  # noqa: PLC0415

    _import(lambda conn: import_communes(conn, file, attributes))


@cli.command("import-heritage")
@click.argument("file", type=ExistingFile)
@click.option("--source", required=True, help="Who the file comes from, e.g. 'merimee-2026'.")
def import_heritage_command(file: Path, source: str) -> None:
    """Import known heritage items from a CSV (category, name, lon, lat, insee, ref); idempotent."""
    from cairn.reference.importers import import_heritage  # noqa: PLC0415

    _import(lambda conn: import_heritage(conn, file, source))


@cli.command("import-reference")
def import_reference_command() -> None:
    """Import the bundled reference data of the first territory (communes, park taxa)."""
    from cairn.reference.importers import import_bundled_reference  # noqa: PLC0415

    async def job(conn: Connection) -> list[ImportSummary]:
        async with conn.transaction():
            return await import_bundled_reference(conn)

    for summary in run_on_database(resolve_database(_settings()), job):
        click.echo(summary.line())


@cli.command("create-api-key")
@click.option("--owner", required=True, help="Who the key is for (a lab, a person).")
@click.option("--email", default=None, help="Whom to contact about its use.")
def create_api_key_command(owner: str, email: str | None) -> None:
    """Create a researcher's API key (higher rate limit, usage counted); shown once."""
    from cairn.apikeys import store as api_keys  # noqa: PLC0415

    key = run_on_database(
        resolve_database(_settings()), lambda conn: api_keys.create(conn, owner, email)
    )
    click.echo(f"API key for {owner} (shown once; send it as the X-API-Key header):\n{key}")


@cli.command("refresh-profiles")
def refresh_profiles_command() -> None:
    """Recompute taxa's altitude and season profiles from validated observations."""
    from cairn.reference.taxa_store import refresh_profiles  # noqa: PLC0415

    settings = _settings()
    count = run_on_database(
        resolve_database(settings), lambda conn: refresh_profiles(conn, settings.public_statuses)
    )
    click.echo(f"{count} taxon profiles computed.")


@cli.command("partition-public")
@click.option("--by", "by", type=click.Choice(["year"]), default="year", help="Partition key.")
@click.option("--undo", is_flag=True, help="Back to one unpartitioned table.")
def partition_public_command(by: str, undo: bool) -> None:
    """Partition the open-data table by year of observation (opt-in; see opendata.partitions).

    One transaction; a second run says the table is already partitioned and gives
    the years found in the default partition their own.
    """
    from cairn.core.clock import now  # noqa: PLC0415
    from cairn.opendata.partitions import partition_by_year, unpartition  # noqa: PLC0415

    if undo:
        rows = run_on_database(resolve_database(_settings()), unpartition)
        click.echo(
            "public_observation is not partitioned."
            if rows is None
            else f"public_observation is one table again: {rows} rows."
        )
        return
    done = run_on_database(
        resolve_database(_settings()), lambda conn: partition_by_year(conn, now().year)
    )
    years = ", ".join(map(str, done.new_years)) or "none"
    if done.converted:
        click.echo(f"public_observation partitioned by year: {done.rows} rows; years {years}.")
    else:
        click.echo(f"public_observation is already partitioned by year; new years: {years}.")


def run_on_database(dsn: str, job: Callable[[Connection], Awaitable[T]]) -> T:
    """Run `job` with one connection to Cairn's database."""
    from cairn.core.db import create_pool  # noqa: PLC0415

    async def main() -> T:
        pool = await create_pool(dsn, 1, 1)
        try:
            async with pool.acquire() as conn:
                return await job(conn)
        finally:
            await pool.close()

    return asyncio.run(main())


def run_on_pool(dsn: str, job: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    """Run `job` with a small pool, as a service called by a route would get."""
    from cairn.core.db import create_pool  # noqa: PLC0415

    async def main() -> T:
        pool = await create_pool(dsn, 1, 2)
        try:
            return await job(pool)
        finally:
            await pool.close()

    return asyncio.run(main())


def _fill_fresh_database(dsn: str, settings: Settings, *, demo: bool) -> None:
    from cairn.demo.seed import (  # noqa: PLC0415
        ensure_reference,
        has_observations,
        load_demo,
    )

    async def job(conn: Connection) -> None:
        for summary in await ensure_reference(conn):
            click.echo(f"Reference data: {summary.line()}", err=True)
        if demo and not await has_observations(conn):
            loaded = await load_demo(conn, settings, 200)
            click.echo(f"Demo data: {loaded} labelled demo observations loaded.", err=True)

    run_on_database(dsn, job)


@cli.command("export-dwca")
@click.option("--programme", default=None, help="Only this programme: its GBIF dataset.")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_dwca_command(programme: str | None, out: Path) -> None:
    """Write a Darwin Core Archive of every public species observation to OUT (a .zip)."""
    from cairn.opendata import store as public  # noqa: PLC0415
    from cairn.opendata.dwca import PublishedDataset, write_archive  # noqa: PLC0415
    from cairn.opendata.routes import dataset_info  # noqa: PLC0415

    settings = _settings()

    async def job(conn: Connection) -> int:
        written = 0
        with out.open("wb") as handle:

            async def write(chunk: bytes) -> None:
                nonlocal written
                written += handle.write(chunk)

            filters = public.Filters(statuses=settings.public_statuses, programme=programme)
            found = await public.published_dataset(conn, programme) if programme else None
            dataset = None if found is None else PublishedDataset(**dict(found))
            query = f"?programme={programme}" if programme else ""
            await write_archive(conn, filters, dataset_info(settings, query, dataset), write)
        return written

    size = run_on_database(resolve_database(settings), job)
    click.echo(f"Wrote {out} ({size:,} bytes).")


@cli.command("export-sinp")
@click.option("--programme", required=True, help="The programme's slug.")
@click.option("--since", default=None, help="Only records changed after (RFC 3339, or a date).")
@click.option(
    "--deletions",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the ids the receiver must delete (withdrawn or erased) to this CSV.",
)
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_sinp_command(
    programme: str, since: str | None, deletions: Path | None, out: Path
) -> None:
    """Write the programme's precise records for the park's GeoNature / the SINP to OUT (CSV)."""
    from cairn.core.errors import NotFoundError  # noqa: PLC0415
    from cairn.core.filters import QueryError, parse_time  # noqa: PLC0415
    from cairn.exchange import service  # noqa: PLC0415

    settings = _settings()
    try:
        updated_since = parse_time("--since", since) if since else None
    except QueryError as exc:
        raise click.BadParameter(exc.error.detail, param_hint="--since") from None

    async def job(pool: asyncpg.Pool) -> str:
        dataset = await service.export_dataset(pool, None, programme)
        with out.open("wb") as handle:

            async def write(chunk: bytes) -> None:
                handle.write(chunk)

            done = await service.write_sinp(
                pool, None, dataset, updated_since, settings.base_url, write
            )
        report = f"Wrote {out}: {done.rows:,} records of dataset {done.dataset_id}."
        if deletions is not None:
            with deletions.open("wb") as handle:

                async def write_deleted(chunk: bytes) -> None:
                    handle.write(chunk)

                gone = await service.write_deletions(
                    pool, None, dataset, updated_since, write_deleted
                )
            report += f"\nWrote {deletions}: {gone.rows:,} records to delete."
        return report

    try:
        click.echo(run_on_pool(resolve_database(settings), job))
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command("import-observations")
@click.argument("file", type=ExistingFile)
@click.option("--programme", required=True, help="The programme the records go into.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["sinp", "dwc"]),
    required=True,
    help="sinp: Cairn's SINP export or a GeoNature Synthèse export; dwc: an occurrence.txt.",
)
def import_observations_command(file: Path, programme: str, fmt: str) -> None:
    """Load past records from FILE into a programme: all of it, or nothing and the reasons."""
    from cairn.core.errors import NotFoundError  # noqa: PLC0415
    from cairn.exchange import service  # noqa: PLC0415
    from cairn.reference.places_store import load_territory  # noqa: PLC0415

    settings = _settings()
    progress, stop = _progress_bar(file)

    async def job(pool: asyncpg.Pool) -> service.ImportReport:
        territory = await load_territory(pool)
        with file.open("rb") as stream:
            upload = service.Upload(
                stream=stream,
                file_name=file.name,
                format="dwc" if fmt == "dwc" else "sinp",
                progress=progress,
            )
            return await service.import_observations(
                pool, territory, settings, None, programme, upload
            )

    try:
        report = run_on_pool(resolve_database(settings), job)
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        stop()
    if not report.loaded:
        for refusal in report.refused:
            click.echo(f"line {refusal.line}, {refusal.field}: {refusal.detail}", err=True)
        raise click.ClickException(
            f"nothing imported: {len(report.refused)} refusals in {report.rows:,} rows"
        )
    click.echo(
        f"Imported {file.name} into {programme}: {report.created:,} created, "
        f"{report.corrected:,} corrected, {report.unchanged:,} unchanged."
    )


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
    from cairn.core.errors import ConflictError  # noqa: PLC0415
    from cairn.staff import service  # noqa: PLC0415
    from cairn.staff.model import MIN_PASSWORD  # noqa: PLC0415

    if "@" not in email.strip("@") or any(c.isspace() for c in email):
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < MIN_PASSWORD:
        raise click.ClickException(f"the password needs at least {MIN_PASSWORD} characters")
    try:
        account = run_on_pool(
            resolve_database(_settings()),
            lambda pool: service.create_account(pool, None, email, display_name, password),
        )
    except ConflictError as exc:
        raise click.ClickException(exc.detail) from None
    click.echo(
        f"Created {account.email} ({account.id}). Give it a role: cairn grant {email} ROLE …"
    )


@cli.command()
@click.argument("email")
@click.argument("role", type=click.Choice(["admin", "moderator", "viewer"]))
@click.option("--programme", help="The role applies to this programme only.")
@click.option("--organisation", help="The role applies to every programme of this organisation.")
@click.option(
    "--platform", is_flag=True, help="The role applies everywhere (the first admin needs this)."
)
@click.option(
    "--taxon-group",
    "taxon_groups",
    multiple=True,
    help="Only records of taxa in this INPN group, e.g. Oiseaux (repeatable).",
)
def grant(
    email: str,
    role: Role,
    programme: str | None,
    organisation: str | None,
    platform: bool,
    taxon_groups: tuple[str, ...],
) -> None:
    """Give ROLE to a staff account on one scope (replacing its role on that same scope).

    The same service as `POST /api/v1/grants`, so the change is in the staff audit trail,
    with no actor: an operator at the server's command line.
    """
    from cairn.core.errors import InvalidInputError  # noqa: PLC0415
    from cairn.staff import service  # noqa: PLC0415

    if [bool(programme), bool(organisation), platform].count(True) != 1:
        raise click.UsageError("give exactly one of --programme, --organisation, --platform")
    try:
        run_on_pool(
            resolve_database(_settings()),
            lambda pool: service.grant(
                pool, None, email, role, organisation, programme, list(taxon_groups)
            ),
        )
    except InvalidInputError as exc:
        what = {
            "/email": f"no account {email.lower()}; create it with create-user",
            "/programme": f"no programme {programme}",
            "/organisation": f"no organisation {organisation}",
        }
        raise click.ClickException(
            "; ".join(what.get(error.pointer, error.detail) for error in exc.errors)
        ) from None
    scope = (
        f"programme {programme}"
        if programme
        else f"organisation {organisation}"
        if organisation
        else "the whole platform"
    )
    groups = f" for {', '.join(sorted(set(taxon_groups)))}" if taxon_groups else ""
    click.echo(f"{email.lower()} is now {role} of {scope}{groups}.")


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
