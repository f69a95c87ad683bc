"""Where a server's time goes, per layer: py-spy samples its workers while a load runs.

Each sample is put in the layer of the innermost Cairn module on its stack
(`cairn.observations.validation`, `cairn.core.db`, …: what that layer does,
the libraries it calls included), or, with no Cairn frame, in the package of
its innermost frame (litestar, uvicorn, asyncpg, msgspec…: the framework's
own work). A sample whose innermost frame is the event loop's own run is the
worker waiting (for PostgreSQL or the client): its own line, `waiting`. A worker
still building its app (`cairn/app.py` on the stack: the factory and its start-up)
is left out; `cairn serve`'s entry point is no layer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

PY_SPY = Path(sys.executable).with_name("py-spy")
_FRAME = re.compile(r"\((?P<file>[^():]+)(?::\d+)?\)$")
_CAIRN = re.compile(r"/cairn/(?P<module>[\w/]+)\.py$")
_IDLE = ("asyncio/runners.py", "asyncio/base_events.py", "selectors.py")
"""Where the event loop's thread waits for the network (uvloop's wait is native code)."""
_START = "/cairn/app.py"
WAITING = "waiting (PostgreSQL, client)"
_PACKAGE = re.compile(r"site-packages/(?P<package>[\w]+)")


def layer(stack: str) -> str | None:
    """The layer a sample belongs to (see the module's docstring); None while a worker is
    starting."""
    frames = [m["file"] for f in stack.split(";") if (m := _FRAME.search(f.strip()))]
    if not frames or any(f.endswith(_START) for f in frames):
        return None
    if frames[-1].endswith(_IDLE):
        return WAITING
    for file in reversed(frames):
        if (found := _CAIRN.search(file)) and found["module"] != "cli":
            return "cairn." + found["module"].replace("/", ".")
    for file in reversed(frames):
        if found := _PACKAGE.search(file):
            return found["package"]
    return "python (stdlib, event loop)"


def layers(raw: str) -> Counter[str]:
    """Samples per layer of py-spy's raw output (`frame;frame;… count` lines)."""
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit() and (name := layer(stack)) is not None:
            counts[name] += int(count)
    return counts


def sample(pid: int, seconds: int, drive: Callable[[], object]) -> Counter[str] | None:
    """Samples per layer of process `pid` and its children while `drive()` runs (it should
    last about `seconds`); None when py-spy is missing or may not attach here."""
    if shutil.which(str(PY_SPY)) is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "raw.txt"
        spy = subprocess.Popen(
            [PY_SPY, "record", "--pid", str(pid), "--subprocesses", "--duration", str(seconds),
             "--rate", "200", "--format", "raw", "--nonblocking", "--full-filenames",
             "--output", out],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        drive()
        spy.wait(timeout=seconds + 60)
        return layers(out.read_text()) if out.exists() else None


def shares(counts: Counter[str], top: int = 8) -> str:
    """The largest layers as percentages of the samples, for a note."""
    total = sum(counts.values()) or 1
    return ", ".join(f"{name} {100 * n / total:.0f}%" for name, n in counts.most_common(top))
