"""The app factory: settings in, a wired Litestar app out."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Contact, License, Tag

from cairn import __version__
from cairn.db import create_pool
from cairn.domain.errors import CODES
from cairn.http import health, intake, share, widgets
from cairn.http.deps import provide_pool, provide_settings
from cairn.http.openapi import StrictStructSchemaPlugin
from cairn.http.problems import EXCEPTION_HANDLERS
from cairn.settings import Settings

API_DESCRIPTION = (
    "Cairn collects participatory-science observations (species and vernacular heritage) "
    "in the Briançonnais, the Écrins, the Guillestrois and the Queyras, and publishes the "
    "validated ones as open data.\n\nErrors are RFC 9457 problem documents "
    "(`application/problem+json`) with a stable `code`:\n\n"
    + "\n".join(f"- `{code}`: {meaning}" for code, meaning in CODES.items())
)

TAGS = [
    Tag(name="health", description="Liveness and database reachability"),
    Tag(name="intake", description="Contributors submit observations"),
    Tag(name="share", description="Trail QR codes and posters that open the field app"),
    Tag(name="widgets", description="Embeddable widgets for hosts' websites (HTML and scripts)"),
]


def create_app(settings: Settings, dsn: str | None = None) -> Litestar:
    """Build the app. `dsn` overrides `settings.database_url` (the embedded server's)."""
    database = dsn or settings.database_url

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if database is None:
            raise RuntimeError("create_app needs a database: DATABASE_URL or the embedded one")
        app.state.pool = await create_pool(database, settings.pool_min_size, settings.pool_max_size)
        try:
            yield
        finally:
            await app.state.pool.close()

    api = Router(
        path="/api/v1",
        route_handlers=[
            health.health,
            intake.submit_observation,
            intake.read_observation,
            share.qr_code,
            share.poster,
        ],
    )
    logging.getLogger("cairn").setLevel(settings.log_level)
    return Litestar(
        route_handlers=[
            api,
            widgets.builder,
            widgets.recent,
            widgets.species_of_the_month,
            widgets.programme_progress,
            widgets.widget_asset,
            widgets.embed_script,
        ],
        lifespan=[lifespan],
        state=State({"settings": settings}),
        dependencies={
            "pool": Provide(provide_pool, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Cairn API",
            version=__version__,
            description=API_DESCRIPTION,
            contact=Contact(name="Cairn maintainers"),
            license=License(name="AGPL-3.0-or-later", identifier="AGPL-3.0-or-later"),
            tags=TAGS,
            path="/api/docs",
            render_plugins=[ScalarRenderPlugin()],
        ),
        plugins=[StrictStructSchemaPlugin()],
        debug=False,
    )
