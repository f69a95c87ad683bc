"""`make bench`: run every benchmark, then write one table of figures and their baselines.

Each benchmark runs in its own process (each starts its own embedded database
and server) and hands its figures back as JSON lines; the table goes to
bench/results/summary.md and summary.json, and to the terminal.

    .venv/bin/python -m bench.summary [--full]
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import msgspec

from bench.common import OUT, Figure, not_run

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHELL_BUDGET_KB = 150
SHELL_FIGURE = "app shell, gzipped"

QUICK = {
    "intake": ["--count", "2000", "--batches", "10", "--photos", "8"],
    "validation": [],
    "moderation": ["--records", "20000", "--pages", "100", "--bulks", "3"],
    "opendata": ["--rows", "100000"],
    "share": ["--count", "200"],
    "widgets": ["--runs", "3"],
    "pwa": ["--runs", "7"],  # interleaved page loads: fewer swing with the machine's load
    "load": ["--quick"],
    "peers": ["--rows", "100000", "--turn", "6"],
}
FULL: dict[str, list[str]] = {name: [] for name in QUICK}


def pwa_shell() -> Figure | None:
    """The field app's shell (JS + CSS gzipped, no Leaflet: it loads lazily) against its budget."""
    assets = ROOT / "pwa" / "dist" / "assets"
    if not assets.is_dir():
        return None
    files = [
        p
        for p in assets.iterdir()
        if p.suffix in {".js", ".css"} and not p.name.startswith("leaflet")
    ]
    size_kb = sum(len(gzip.compress(p.read_bytes(), 9)) for p in files) / 1024
    return Figure(
        bench="pwa", what=SHELL_FIGURE, value=size_kb, unit="KB",
        baseline="budget", baseline_value=SHELL_BUDGET_KB, ratio=size_kb / SHELL_BUDGET_KB,
        target="<= 1",
    )  # fmt: skip


def run(name: str, args: list[str], out: Path) -> tuple[int, float]:
    started = time.perf_counter()
    env = {**os.environ, OUT: str(out)}
    log = RESULTS / f"{name}.log"
    with log.open("w") as sink:
        code = subprocess.call(
            [sys.executable, "-m", f"bench.{name}", *args],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    return code, time.perf_counter() - started


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def table(figures: list[Figure]) -> str:
    lines = [
        "| bench | figure | value | baseline (same run) | ratio | target | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        baseline = f"{f.baseline}: {number(f.baseline_value)} {f.unit}" if f.baseline else "—"
        value = "—" if f.value is None else f"{number(f.value)} {f.unit}"
        lines.append(
            f"| {f.bench} | {f.what} | {value} | {baseline} | "
            f"{'—' if f.ratio is None else f'{f.ratio:.2f}x'} | {f.target or '—'} | "
            f"{f.note or ''} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="each benchmark's default sizes (long)")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    options = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    plan = FULL if options.full else QUICK
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "figures.jsonl"
        out.touch()
        for name, args in plan.items():
            if options.only and name not in options.only:
                continue
            print(f"running bench.{name} {' '.join(args)} …", flush=True)
            code, seconds = run(name, args, out)
            print(f"  {'ok' if code == 0 else f'FAILED ({code})'} in {seconds:.0f} s", flush=True)
            if code != 0:
                failed.append(name)
        figures = [msgspec.json.decode(line, type=Figure) for line in out.read_bytes().splitlines()]
    figures += [
        not_run(name, "the whole benchmark", f"it failed, see bench/results/{name}.log")
        for name in failed
    ]
    if options.only and (RESULTS / "summary.json").exists():  # keep the other benchmarks' rows
        earlier = msgspec.json.decode((RESULTS / "summary.json").read_bytes(), type=list[Figure])
        kept = [f for f in earlier if f.bench not in options.only and f.what != SHELL_FIGURE]
        figures = kept + figures
    shell = pwa_shell()
    if shell is not None:
        figures.append(shell)
    markdown = table(figures)
    (RESULTS / "summary.md").write_text(markdown)
    (RESULTS / "summary.json").write_bytes(msgspec.json.format(msgspec.json.encode(figures)))
    print()
    print(markdown)
    print(f"written to {RESULTS / 'summary.md'} and summary.json; logs in {RESULTS}/*.log")
    if failed:
        raise SystemExit(f"benchmarks failed: {', '.join(failed)} (see their logs)")


if __name__ == "__main__":
    main()
