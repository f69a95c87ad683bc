"""The baseline of the load benchmark: a Litestar app that only answers a constant.

Served by the same uvicorn (uvloop, httptools, same worker count) as `cairn serve`,
it shows what the machine and the HTTP stack can do with no work at all.
"""

from __future__ import annotations

from litestar import Litestar, get


@get("/ping", sync_to_thread=False)
def ping() -> dict[str, str]:
    """The smallest JSON answer."""
    return {"status": "ok"}


def create() -> Litestar:
    """The app, as a factory like Cairn's (`bench.common.asgi_command` serves factories)."""
    return Litestar([ping])
