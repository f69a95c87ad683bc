"""Debian's PostgreSQL with PostGIS in a temporary folder, on loopback: the peers' database.

`make bench` installs the packages (`postgresql`, `postgresql-postgis`); this module
only starts a throw-away cluster of them, run by the `postgres` system user (the
server refuses root), and stops it at the end.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.common import free_port

SYSTEM_USER = "postgres"


def bin_dir() -> Path | None:
    """Where Debian's server binaries are (the newest installed version), if any."""
    config = shutil.which("pg_config")
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: p.parts)
    if config is None or not versions:
        return None
    return versions[-1].parent


def missing() -> str | None:
    """Why a PostGIS server cannot start here, or None when it can."""
    where = bin_dir()
    if where is None:
        return "Debian's postgresql is not installed (make bench installs it)"
    version = where.parent.name
    control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
    if not control.exists():
        return f"postgresql-{version}-postgis-3 is not installed (make bench installs it)"
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        return f"no system user {SYSTEM_USER} to run the server"
    return None


@contextlib.contextmanager
def postgis_server() -> Iterator[str]:
    """Start a fresh cluster with PostGIS on loopback; yield the admin DSN; stop and remove it."""
    where = bin_dir()
    assert where is not None, missing()  # noqa: S101 (callers check `missing` first)
    folder = Path(tempfile.mkdtemp(prefix="cairn-bench-postgis-"))
    data = folder / "data"
    owner = pwd.getpwnam(SYSTEM_USER)
    os.chown(folder, owner.pw_uid, owner.pw_gid)
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "user": SYSTEM_USER, "cwd": folder}
    subprocess.run(
        [where / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
         "--locale=C.UTF-8"],
        check=True, **quiet,
    )  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    subprocess.run(
        [where / "pg_ctl", "-D", data, "-w", "-l", folder / "server.log", "-o", options, "start"],
        check=True,
        **quiet,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        stop = [where / "pg_ctl", "-D", data, "-w", "-m", "fast", "stop"]
        subprocess.run(stop, check=False, **quiet)
        shutil.rmtree(folder, ignore_errors=True)
