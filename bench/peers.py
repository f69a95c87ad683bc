"""Cairn's OGC API beside its peers, on the same rows in the same PostgreSQL.

    .venv/bin/python -m bench.peers [--rows 100000]

One throw-away Debian PostgreSQL with PostGIS (`bench/postgis.py`) holds two
databases: Cairn's (migrated, the rows of `bench.opendata` loaded into its public
projection) and a PostGIS table of the same rows (same columns, a Point
geometry, indexes on the id, the geometry and the date). Served by:

- Cairn: `cairn serve --workers 2` (uvicorn, uvloop, httptools), its `/ogc`;
- tipg (developmentseed, FastAPI + asyncpg): `uvicorn tipg.main:app --workers 2`
  with uvloop and httptools, as its documentation runs it;
- pygeoapi (PostgreSQL provider): `gunicorn pygeoapi.flask_app:APP --workers 2`,
  its documented production server;
- Cairn's app under granian (same workers), to compare the servers.

The peers come from PyPI at the versions of bench/requirements-peers.txt, in their
own virtual environment (`.venv-peers`, made by `make bench`). The same httpx
client, 8 concurrent, runs each scenario on each server for the same time, the turns
interleaved over several rounds: an items page (bbox + limit 100), a walk of 10
pages by `next` links, a datetime-filtered page, and (one client) a full GeoJSON
dump by pages of 10 000, beside `ogr2ogr` from PostGIS as the dump's floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import yaml

from bench.common import (
    Figure,
    ServerURL,
    emit,
    free_port,
    not_run,
    percentile,
    running_server,
    serving,
)
from bench.opendata import BBOX, PAGE_BOX, load
from bench.postgis import missing, postgis_server
from cairn.core.db import database_dsn, ensure_database, migrate

ROOT = Path(__file__).resolve().parent.parent
PEERS_VENV = ROOT / ".venv-peers"
WORKERS = 2
CONCURRENCY = 8
DATETIME = "2020-01-01T00:00:00Z/2020-12-31T23:59:59Z"
DUMP_PAGE = 10_000
COLUMNS = """id, kind, schema_version, programme, status, observed_at, taxon_cd_ref,
    scientific_name, vernacular_fr, taxon_group, kingdom, attributes, uncertainty_m,
    altitude_m, sensitivity_level, generalisation, grid_10km, grid_1km, commune_insee,
    departement, comment, observer, licence, photos, updated_at, site_id"""
"""The public projection's columns the peers serve (every property of Cairn's features)."""


async def copy_rows(cairn_dsn: str, peers_dsn: str) -> int:
    """The public rows of Cairn's database into a PostGIS table of the peers' database."""
    source, target = await asyncpg.connect(cairn_dsn), await asyncpg.connect(peers_dsn)
    try:
        await target.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        types = await source.fetch(
            """SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute
                WHERE attrelid = 'public_observation'::regclass AND attnum > 0
                  AND NOT attisdropped AND attname = ANY($1)""",
            [c.strip() for c in COLUMNS.split(",")] + ["lon", "lat"],
        )
        known = {r["attname"]: r["type"].replace("public.", "") for r in types}
        wanted = [c.strip() for c in COLUMNS.split(",")] + ["lon", "lat"]
        columns = ", ".join(f"{c} {'text' if known[c] == 'ltree' else known[c]}" for c in wanted)
        await target.execute(f"CREATE TABLE staging ({columns})")
        with tempfile.TemporaryFile() as spool:
            await source.copy_from_query(
                f"SELECT {COLUMNS}, lon, lat FROM public_observation "
                "WHERE status = ANY('{certain,probable}')",
                output=spool,
                format="binary",
            )
            spool.seek(0)
            await target.copy_to_table("staging", source=spool, format="binary")
        await target.execute(
            f"""CREATE TABLE observations AS
                SELECT {COLUMNS},
                       ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geometry(Point, 4326) AS geom
                  FROM staging;
                DROP TABLE staging;
                ALTER TABLE observations ADD PRIMARY KEY (id);
                CREATE INDEX observations_geom ON observations USING gist (geom);
                CREATE INDEX observations_observed ON observations (observed_at, id)"""
        )
        await target.execute("VACUUM ANALYZE observations")
        return int(await target.fetchval("SELECT count(*) FROM observations"))
    finally:
        await source.close()
        await target.close()


def pygeoapi_config(folder: Path, port: int, peers_dsn: str) -> dict[str, str]:
    """pygeoapi's configuration and OpenAPI document for the peers' table; its environment."""
    db = urlsplit(peers_dsn)
    west, south, east, north = BBOX
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 10, "max_items": DUMP_PAGE},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "-"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "Cairn benchmark", "description": "The rows Cairn serves",
                "keywords": ["observations"], "keywords_type": "theme",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
                "url": "https://example.org",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "Cairn", "url": "https://example.org"},
            "contact": {"name": "bench", "email": "bench@example.org", "url": "https://example.org",
                        "role": "pointOfContact"},
        },
        "resources": {
            "observations": {
                "type": "collection", "title": "Observations",
                "description": "Cairn's public observations", "keywords": ["observations"],
                "extents": {"spatial": {
                    "bbox": [west, south, east, north],
                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
                "providers": [{
                    "type": "feature", "name": "PostgreSQL",
                    "data": {"host": db.hostname, "port": db.port, "dbname": db.path[1:],
                             "user": db.username, "search_path": ["public"]},
                    "id_field": "id", "table": "observations", "geom_field": "geom",
                    "time_field": "observed_at",
                }],
            }
        },
    }  # fmt: skip
    path, openapi = folder / "pygeoapi.yml", folder / "openapi.yml"
    path.write_text(yaml.safe_dump(config))
    env = {"PYGEOAPI_CONFIG": str(path), "PYGEOAPI_OPENAPI": str(openapi)}
    subprocess.run(
        [PEERS_VENV / "bin" / "pygeoapi", "openapi", "generate", path, "--output-file", openapi],
        check=True,
        env={**env, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
    )
    return env


class Target:
    """One server under test: its name and the URL of its collection's items."""

    def __init__(self, name: str, items: str, extra: str = "") -> None:
        self.name, self.items, self.extra = name, items, extra

    def page(self, query: str) -> str:
        return f"{self.items}?{query}{self.extra}"


@contextlib.contextmanager
def peers(peers_dsn: str) -> Iterator[list[Target]]:
    """tipg and pygeoapi, 2 workers each, as their documentation runs them in production."""
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-peers-"))
    tipg_port, pygeoapi_port = free_port(), free_port()
    tipg = [PEERS_VENV / "bin" / "uvicorn", "tipg.main:app", "--host", "127.0.0.1",
            "--port", str(tipg_port), "--workers", str(WORKERS), "--loop", "uvloop",
            "--http", "httptools", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    tipg_env = {
        "DATABASE_URL": peers_dsn,
        "TIPG_TABLE_CONFIG__public_observations__datetimecol": "observed_at",
        "TIPG_MAX_FEATURES_PER_QUERY": str(DUMP_PAGE),
    }
    gunicorn = [PEERS_VENV / "bin" / "gunicorn", "pygeoapi.flask_app:APP", "--workers",
                str(WORKERS), "--bind", f"127.0.0.1:{pygeoapi_port}"]  # fmt: skip
    try:
        pygeoapi_env = pygeoapi_config(folder, pygeoapi_port, peers_dsn)
        with (
            serving([str(c) for c in tipg], tipg_port, "/collections", tipg_env) as tipg_base,
            serving(
                [str(c) for c in gunicorn], pygeoapi_port, "/collections?f=json", pygeoapi_env
            ) as pygeoapi_base,
        ):
            yield [
                Target("tipg", f"{tipg_base}/collections/public.observations/items"),
                Target("pygeoapi", f"{pygeoapi_base}/collections/observations/items", "&f=json"),
            ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def next_link(page: dict[str, object]) -> str | None:
    links = page.get("links") or []
    assert isinstance(links, list)  # noqa: S101 (GeoJSON FeatureCollection from OGC API)
    return next((link["href"] for link in links if link.get("rel") == "next"), None)


class Scenario:
    """A unit of work a client repeats (one request, or a walk), and what it checks."""

    def __init__(
        self, name: str, run: Callable[[httpx.AsyncClient, Target], Awaitable[None]]
    ) -> None:
        self.name, self.run = name, run


async def get_page(http: httpx.AsyncClient, url: str, at_least: int = 1) -> dict[str, object]:
    response = await http.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code} {response.text[:200]}")
    page = response.json()
    if len(page["features"]) < at_least:
        raise RuntimeError(f"{url}: {len(page['features'])} features, expected {at_least}")
    return dict(page)


async def items_page(http: httpx.AsyncClient, target: Target) -> None:
    await get_page(http, target.page(f"bbox={PAGE_BOX}&limit=100"), 100)


async def walk(http: httpx.AsyncClient, target: Target) -> None:
    url: str | None = target.page(f"bbox={PAGE_BOX}&limit=100")
    for _ in range(10):
        if url is None:
            raise RuntimeError(f"{target.name}: the walk ended before 10 pages")
        url = next_link(await get_page(http, url, 100))


async def datetime_page(http: httpx.AsyncClient, target: Target) -> None:
    await get_page(http, target.page(f"datetime={DATETIME}&limit=100"), 100)


SCENARIOS = [
    Scenario("items page (bbox + limit 100)", items_page),
    Scenario("walk of 10 pages by next links", walk),
    Scenario("datetime-filtered page", datetime_page),
]


async def hammer(target: Target, scenario: Scenario, seconds: float) -> tuple[float, list[float]]:
    """A scenario run over and over by 8 concurrent clients for about `seconds` (a slow peer
    gets as long as a fast one): (seconds taken, latency of each run)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        await scenario.run(http, target)  # warm-up: connections and the server's caches
        started = time.perf_counter()
        deadline = started + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                begun = time.perf_counter()
                await scenario.run(http, target)
                latencies.append(time.perf_counter() - begun)

        await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
        return time.perf_counter() - started, latencies


async def dump(target: Target) -> tuple[float, int]:
    """(seconds, features) to page through the whole collection by `next` links, one client."""
    features, started = 0, time.perf_counter()
    async with httpx.AsyncClient(timeout=600) as http:
        url: str | None = target.page(f"limit={DUMP_PAGE}")
        while url is not None:
            page = await get_page(http, url, 0)
            batch = page["features"]
            assert isinstance(batch, list)  # noqa: S101
            features += len(batch)
            url = next_link(page) if batch else None
    return time.perf_counter() - started, features


def ogr2ogr_dump(peers_dsn: str) -> tuple[float, int] | None:
    """(seconds, bytes) of `ogr2ogr` writing the table as GeoJSON, or None without gdal-bin."""
    ogr = shutil.which("ogr2ogr")
    if ogr is None:
        return None
    db = urlsplit(peers_dsn)
    source = f"PG:host={db.hostname} port={db.port} dbname={db.path[1:]} user={db.username}"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dump.geojson"
        started = time.perf_counter()
        subprocess.run([ogr, "-f", "GeoJSON", out, source, "observations"], check=True)
        return time.perf_counter() - started, out.stat().st_size


class Measured:
    """Seconds and latencies per (target, scenario), summed over rounds."""

    def __init__(self) -> None:
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.runs: dict[tuple[str, str], int] = defaultdict(int)
        self.latencies: dict[tuple[str, str], list[float]] = defaultdict(list)

    def rate(self, target: str, scenario: str) -> float:
        return self.runs[target, scenario] / self.seconds[target, scenario]

    def spread(self, target: str, scenario: str) -> str:
        values = self.latencies[target, scenario]
        return f"{target} p50 {percentile(values, 50):.1f} / p95 {percentile(values, 95):.1f} ms"


def measure(targets: list[Target], rounds: int, turn: float) -> Measured:
    """Every scenario on every target, in turns of `turn` seconds that rotate each round."""
    measured = Measured()
    for round_ in range(rounds):
        for scenario in SCENARIOS:
            order = targets[round_ % len(targets) :] + targets[: round_ % len(targets)]
            for target in order:
                seconds, latencies = asyncio.run(hammer(target, scenario, turn))
                key = (target.name, scenario.name)
                measured.seconds[key] += seconds
                measured.runs[key] += len(latencies)
                measured.latencies[key] += latencies
                rate = len(latencies) / seconds
                print(f"  {target.name:14} {scenario.name:34} {rate:8.1f} runs/s")
    return measured


def figures(measured: Measured, dumps: dict[str, tuple[float, int]]) -> list[Figure]:
    """Cairn's rate ÷ each peer's, per scenario; the server rows; the dumps (rows/s)."""
    out = []
    for scenario in SCENARIOS:
        short = scenario.name.split(" (")[0]
        unit = "walks/s" if scenario.run is walk else "req/s"
        cairn = measured.rate("cairn", scenario.name)
        for peer, target in (("tipg", ">= 1.0"), ("pygeoapi", ">= 3")):
            out.append(
                Figure(
                    bench="ogc", what=f"{short} vs {peer}", value=cairn, unit=unit,
                    baseline=peer, baseline_value=measured.rate(peer, scenario.name),
                    ratio=cairn / measured.rate(peer, scenario.name),
                    target=target if scenario.run is items_page else None,
                    note=f"{measured.spread('cairn', scenario.name)}; "
                         f"{measured.spread(peer, scenario.name)}",
                )
            )  # fmt: skip
        granian = measured.rate("cairn-granian", scenario.name)
        out.append(
            Figure(
                bench="server", what=f"ogc {short}, granian vs uvicorn (cairn serve)",
                value=granian, unit=unit, baseline="uvicorn + httptools + uvloop",
                baseline_value=cairn, ratio=granian / cairn,
                note=f"{measured.spread('cairn-granian', scenario.name)}; "
                     f"{measured.spread('cairn', scenario.name)}; 2 workers each",
            )
        )  # fmt: skip
    cairn_s, rows = dumps["cairn"]
    for peer, (seconds, count) in dumps.items():
        if peer == "cairn":
            continue
        out.append(
            Figure(
                bench="ogc", what=f"full GeoJSON dump vs {peer}", value=rows / cairn_s,
                unit="rows/s", baseline=peer, baseline_value=count / seconds,
                ratio=seconds / cairn_s * rows / count,
                note=f"Cairn {cairn_s:.1f} s for {rows:,} features; {peer} {seconds:.1f} s"
                     + ("" if peer == "ogr2ogr" else f" for {count:,}"),
            )
        )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--turn", type=float, default=20, help="seconds of each turn")
    args = parser.parse_args()
    why = missing() or (
        None
        if (PEERS_VENV / "bin" / "gunicorn").exists() and (PEERS_VENV / "bin" / "uvicorn").exists()
        else f"no {PEERS_VENV.name} (make bench installs bench/requirements-peers.txt there)"
    )
    if why:
        emit(*not_run_rows(why))
        print(f"peers not run: {why}")
        return
    with postgis_server() as admin:
        asyncio.run(ensure_database(admin, "cairn"))
        asyncio.run(ensure_database(admin, "peers"))
        cairn_dsn, peers_dsn = database_dsn(admin, "cairn"), database_dsn(admin, "peers")
        migrate(cairn_dsn)
        for start in range(0, args.rows, 100_000):
            asyncio.run(load(cairn_dsn, start, min(100_000, args.rows - start)))
        rows = asyncio.run(copy_rows(cairn_dsn, peers_dsn))
        print(f"{rows:,} public observations in Cairn's database and in PostGIS")
        with (
            running_server(cairn_dsn, workers=WORKERS) as cairn,
            running_server(cairn_dsn, workers=WORKERS, server="granian") as granian,
            peers(peers_dsn) as others,
        ):
            targets = [ogc(cairn, "cairn"), ogc(granian, "cairn-granian"), *others]
            measured = measure(targets, args.rounds, args.turn)
            dumps = {}
            for target in (targets[0], *others):
                dumps[target.name] = asyncio.run(dump(target))
                print(f"  {target.name:10} full dump {dumps[target.name][0]:.1f} s")
        floor = ogr2ogr_dump(peers_dsn)
        if floor is not None:
            dumps["ogr2ogr"] = (floor[0], rows)
    emit(*figures(measured, dumps))
    if floor is None:
        emit(not_run_dump("gdal-bin is not installed (make bench installs it)"))


def ogc(base: ServerURL, name: str) -> Target:
    return Target(name, f"{base}/ogc/collections/observations/items")


def not_run_rows(why: str) -> list[Figure]:
    return [
        not_run("ogc", "items page vs tipg", why, ">= 1.0"),
        not_run("ogc", "items page vs pygeoapi", why, ">= 3"),
        not_run("server", "ogc items page, granian vs uvicorn (cairn serve)", why),
    ]


def not_run_dump(why: str) -> Figure:
    return not_run("ogc", "full GeoJSON dump vs ogr2ogr", why)


if __name__ == "__main__":
    main()
