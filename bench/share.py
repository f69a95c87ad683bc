"""QR codes and posters: the API's answers against drawing them in-process, same run.

The raw baselines call segno / fpdf2 directly (no HTTP, no validation, no
caching headers); the API side asks a real `cairn serve` with 4 concurrent
clients, each request a distinct place so nothing is served from a cache. A
revalidation (If-None-Match → 304) shows what a board's repeated scans of a
cached poster cost.

    .venv/bin/python bench/share.py [--count N]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable

import httpx

from bench.common import Figure, emit, fresh_database, percentile, run_concurrently, running_server
from cairn.share import posters as qr
from cairn.share.model import ShareTarget, deep_link

CONCURRENCY = 4
BASE = "http://127.0.0.1:8000"


def target(i: int) -> ShareTarget:
    return ShareTarget(programme="demo", place=f"Panneau {i}", lang="fr")


def raw_png(i: int) -> None:
    qr.qr_png(qr.encode(deep_link(BASE, target(i))), 10)


def raw_poster(i: int) -> None:
    link = deep_link(BASE, target(i))
    qr.poster_pdf(qr.poster_layout("demo", target(i), link, qr.encode(link), "fr"), "demo")


def in_process(count: int, draw: Callable[[int], None]) -> tuple[float, list[float]]:
    latencies = []
    started = time.perf_counter()
    for i in range(count):
        one = time.perf_counter()
        draw(i)
        latencies.append(time.perf_counter() - one)
    return count / (time.perf_counter() - started), latencies


async def api(
    base: str, count: int, path: str, revalidate: bool = False
) -> tuple[float, list[float]]:
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        etag = (await client.get(path.format(i=0))).headers["etag"]
        expected = 304 if revalidate else 200

        async def job(i: int) -> None:
            url = path.format(i=0 if revalidate else i)
            headers = {"If-None-Match": etag} if revalidate else {}
            response = await client.get(url, headers=headers)
            if response.status_code != expected:
                raise RuntimeError(f"unexpected {response.status_code}: {response.text}")

        await run_concurrently(min(50, count), CONCURRENCY, job)  # warm-up
        return await run_concurrently(count, CONCURRENCY, job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    qr_path = "/api/v1/share/qr?programme=demo&place=Panneau%20{i}&lang=fr&format=png"
    poster_path = "/api/v1/share/poster?programme=demo&place=Panneau%20{i}&lang=fr"
    dsn = fresh_database()
    raw_qr = in_process(args.count, raw_png)
    raw_pdf = in_process(args.count, raw_poster)
    with running_server(dsn, {"CAIRN_BASE_URL": BASE}) as base:
        api_qr = asyncio.run(api(base, args.count, qr_path))
        api_pdf = asyncio.run(api(base, args.count, poster_path))
        api_304 = asyncio.run(api(base, args.count, poster_path, revalidate=True))
    rows = [
        ("raw segno PNG (in process)", raw_qr),
        ("API GET /share/qr PNG (4 concurrent)", api_qr),
        ("raw fpdf2 poster (in process)", raw_pdf),
        ("API GET /share/poster PDF (4 concurrent)", api_pdf),
        ("API poster revalidation 304 (4 concurrent)", api_304),
    ]
    print(f"{'what':46} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, (rate, lat) in rows:
        print(f"{name:46} {rate:9.0f} {percentile(lat, 50):8.2f} {percentile(lat, 99):8.2f}")
    print(f"ratio API / raw, QR PNG: {api_qr[0] / raw_qr[0]:.2f}")
    print(f"ratio API / raw, poster PDF: {api_pdf[0] / raw_pdf[0]:.2f}")
    print(f"ratio 304 / 200, poster: {api_304[0] / api_pdf[0]:.2f}")
    emit(
        Figure(
            bench="share",
            what="QR PNG",
            value=api_qr[0],
            unit="/s",
            baseline="segno in process",
            baseline_value=raw_qr[0],
            ratio=api_qr[0] / raw_qr[0],
        ),
        Figure(
            bench="share",
            what="poster PDF",
            value=api_pdf[0],
            unit="/s",
            baseline="fpdf2 in process",
            baseline_value=raw_pdf[0],
            ratio=api_pdf[0] / raw_pdf[0],
        ),
    )


if __name__ == "__main__":
    main()
