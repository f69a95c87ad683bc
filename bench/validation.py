"""Validation cost per observation, and taxon search latency, each against a raw baseline.

    .venv/bin/python -m bench.validation

Validation: the pure pipeline (kind schema, references, geography with the
commune lookup, time, flags) vs msgspec decoding alone of the same body.
Search: GET /api/v1/taxa through the app vs the bare trigram SQL it runs,
over the full bundled reference set.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import msgspec

from bench.common import Figure, emit, fresh_database, percentile, running_server
from cairn.core.db import init_connection
from cairn.demo.seed import ensure_reference
from cairn.observations.model import ObservationIn
from cairn.observations.validation import Context, TaxonRef, validate
from cairn.protocols.kinds import registry
from cairn.reference.places_store import load_territory

QUERIES = [
    "bouquetin",
    "gentianne",
    "Capra ibex",
    "gypaete",
    "edelweiss",
    "chamois",
    "lis martagon",
    "marmotte",
    "aigle royal",
    "saxifrage",
    "tetras lyre",
    "campanule",
    "orchis",
    "papillon",
]


def body(i: int) -> bytes:
    return msgspec.json.encode(
        {
            "id": str(uuid.uuid4()),
            "kind": "species",
            "schema_version": 1,
            "observed_at": "2025-07-14T09:32:00+02:00",
            "location": {
                "lon": 6.6433 + (i % 50) * 1e-4,
                "lat": 44.8986,
                "accuracy_m": 12,
                "altitude_m": 1326,
            },
            "data": {"cd_nom": 61098, "count": 1 + i % 5, "sex": "female", "life_stage": "adult"},
        }
    )


async def measure_in_process(dsn: str) -> tuple[float, float, list[float]]:
    """(decode µs, pipeline µs, raw search latencies) measured without HTTP."""
    conn = await asyncpg.connect(dsn)
    await init_connection(conn)
    await ensure_reference(conn)
    territory = await load_territory(conn)
    kind = registry()[("species", 1)]
    bodies = [body(i) for i in range(5000)]

    started = time.perf_counter()
    decoded = [msgspec.json.decode(b, type=ObservationIn) for b in bodies]
    decode_us = (time.perf_counter() - started) / len(bodies) * 1e6

    now = datetime.now(UTC)
    started = time.perf_counter()
    for obs in decoded:
        validate(
            obs,
            Context(
                kind_validator=kind.validator,
                kind_accepts=kind.accepts,
                taxon=TaxonRef(61098, 61098, "Capra ibex"),
                location=territory.locate(obs.location.lon, obs.location.lat),
                now=now,
                clock_skew=timedelta(minutes=5),
            ),
        )
    pipeline_us = (time.perf_counter() - started) / len(decoded) * 1e6

    raw: list[float] = []
    for _ in range(10):
        for q in QUERIES:
            t = time.perf_counter()
            await conn.fetch(
                "SELECT cd_nom FROM taxon WHERE cairn_fold(scientific_name) % cairn_fold($1) "
                "OR cairn_fold(vernacular_fr) % cairn_fold($1) LIMIT 20",
                q,
            )
            raw.append(time.perf_counter() - t)
    await conn.close()
    return decode_us, pipeline_us, raw


def main() -> None:
    dsn = fresh_database()
    decode_us, pipeline_us, raw = asyncio.run(measure_in_process(dsn))
    api: list[float] = []
    with running_server(dsn) as base, httpx.Client(base_url=base) as client:
        for _ in range(10):
            for q in QUERIES:
                t = time.perf_counter()
                client.get("/api/v1/taxa", params={"q": q}).raise_for_status()
                api.append(time.perf_counter() - t)
    print(f"{'what':52} {'value':>10}")
    print(f"{'msgspec decode alone (µs/observation)':52} {decode_us:10.1f}")
    print(f"{'validation pipeline (µs/observation)':52} {pipeline_us:10.1f}")
    for name, values in (("raw trigram SQL", raw), ("GET /api/v1/taxa", api)):
        label = f"{name} p50 / p99 (ms)"
        print(f"{label:52} {percentile(values, 50):5.2f} / {percentile(values, 99):5.2f}")
    ratio = statistics.median(api) / statistics.median(raw)
    print(f"ratio search API / raw SQL (p50): {ratio:.2f}")
    emit(
        Figure(
            bench="validation",
            what="taxon search p50",
            value=percentile(api, 50),
            unit="ms",
            baseline="trigram SQL p50",
            baseline_value=percentile(raw, 50),
            ratio=ratio,
        ),
        Figure(
            bench="validation",
            what="validation pipeline",
            value=pipeline_us,
            unit="µs/obs",
            baseline="msgspec decode alone",
            baseline_value=decode_us,
            ratio=pipeline_us / decode_us,
        ),
    )


if __name__ == "__main__":
    main()
