"""The app factory: settings in, a wired Litestar app out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, Contact, License, SecurityScheme, Tag

from cairn import __version__
from cairn.apidocs import routes as apidocs
from cairn.apikeys.middleware import check_api_request
from cairn.atlas import page_routes as atlas_pages
from cairn.atlas import routes as atlas
from cairn.bundle import routes as offline_bundle
from cairn.contributors import routes as contributors
from cairn.contributors.devices import provide_device, require_device
from cairn.conversations import routes as conversations
from cairn.core.db import create_pool
from cairn.core.deps import provide_pool, provide_read_pool, provide_settings
from cairn.core.errors import CODES
from cairn.core.hygiene import open_to_every_origin, request_hygiene
from cairn.core.limiter import RedisLimiter, limiter
from cairn.core.openapi import StrictStructSchemaPlugin, state_nul_refusal
from cairn.core.problems import EXCEPTION_HANDLERS
from cairn.core.replica import ReplicaRouter
from cairn.core.storage import photo_store
from cairn.exchange import routes as exchange
from cairn.health import routes as health
from cairn.moderation import routes as moderation
from cairn.mydata import routes as my_data
from cairn.observations import routes as observations
from cairn.opendata import ogc
from cairn.opendata import routes as opendata
from cairn.opinions import routes as opinions
from cairn.photo_review import routes as photo_review
from cairn.photos import routes as photos
from cairn.photos.deps import provide_photo_work
from cairn.photos.service import PhotoWork
from cairn.programmes import routes as programmes
from cairn.protocols import routes as protocols
from cairn.protocols.kinds import forget_published
from cairn.reference import places_store as places
from cairn.reference import routes as reference
from cairn.reference.deps import provide_territory
from cairn.reference.lookup import TaxonLookup
from cairn.sensitivity import routes as sensitivity
from cairn.sensitivity.service import run_job
from cairn.sensitivity.store import unfinished_jobs
from cairn.settings import Settings, signing_key
from cairn.share import routes as share
from cairn.sites import routes as sites
from cairn.staff import routes as staff
from cairn.staff.auth import provide_staff, staff_first
from cairn.webapp import routes as webapp
from cairn.widgets import routes as widgets

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
    Tag(name="contributors", description="Anonymous devices, pseudonyms, my observations"),
    Tag(name="reference", description="Observation schemas, taxa, the offline bundle"),
    Tag(name="open data", description="Validated observations for anyone, generalised"),
    Tag(name="ogc", description="OGC API - Features (Part 1 Core) for GIS tools such as QGIS"),
    Tag(name="staff", description="Staff sign-in: access and refresh tokens"),
    Tag(name="programmes", description="Organisations and the programmes they run"),
    Tag(name="exchange", description="Datasets, the SINP export for GeoNature, imports"),
    Tag(name="moderation", description="The queue, decisions and the history of observations"),
    Tag(
        name="conversations",
        description="A thread per record between its contributor and its staff",
    ),
    Tag(name="sensitivity", description="Sensitivity rules and their background re-projection"),
    Tag(name="share", description="Trail QR codes and posters that open the field app"),
    Tag(name="widgets", description="Embeddable widgets for hosts' websites (HTML and scripts)"),
    Tag(name="atlas", description="What the open data says about a taxon, a commune, a programme"),
    Tag(name="field app", description="The installable web app visitors record with (PWA)"),
]


def create_app(settings: Settings, dsn: str | None = None) -> Litestar:
    """Build the app. `dsn` overrides `settings.database_url` (the embedded server's)."""
    database = dsn or settings.database_url

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if database is None:
            raise RuntimeError("create_app needs a database: DATABASE_URL or the embedded one")
        app.state.signing_key = signing_key(settings)
        forget_published()  # programme kinds compiled for another database
        app.state.pool = await create_pool(database, settings.pool_min_size, settings.pool_max_size)
        # Open-data reads go to a replica when one is configured (DATABASE_READ_URL), while
        # it keeps within CAIRN_REPLICA_MAX_LAG_S of the primary.
        app.state.replica = None
        if settings.database_read_url:
            replica_pool = await create_pool(
                settings.database_read_url, settings.pool_min_size, settings.pool_max_size
            )
            app.state.replica = ReplicaRouter(
                app.state.pool, replica_pool, settings.replica_max_lag_s
            )
            await app.state.replica.check()
        app.state.territory = await places.load_territory(app.state.pool)

        app.state.taxa = TaxonLookup()

        async def reload_reference() -> None:
            app.state.taxa.forget()
            app.state.territory = await places.load_territory(app.state.pool)

        def on_reference_change() -> None:
            task = asyncio.create_task(reload_reference())
            app.state.jobs.add(task)
            task.add_done_callback(app.state.jobs.discard)

        listener = await places.listen_for_reference_changes(database, on_reference_change)
        app.state.jobs = {
            asyncio.create_task(run_job(app.state.pool, job))
            for job in await unfinished_jobs(app.state.pool)
        }
        if app.state.replica is not None and settings.replica_check_s:
            app.state.jobs.add(
                asyncio.create_task(app.state.replica.follow(settings.replica_check_s))
            )
        try:
            yield
        finally:
            for task in list(app.state.jobs):
                task.cancel()
            await asyncio.gather(*app.state.jobs, return_exceptions=True)
            await listener.close()
            if app.state.replica is not None:
                await app.state.replica.replica.close()
            await app.state.pool.close()
            if isinstance(app.state.limiter, RedisLimiter):
                await app.state.limiter.close()

    api = Router(
        path="/api/v1",
        before_request=check_api_request,
        after_request=open_to_every_origin,
        route_handlers=[
            health.router,
            observations.router,
            contributors.router,
            my_data.router,
            contributors.account_router,
            photos.router,
            opendata.router,
            reference.router,
            offline_bundle.router,
            staff.router,
            programmes.router,
            exchange.router,
            protocols.router,
            sites.router,
            moderation.router,
            conversations.router,
            opinions.router,
            photo_review.router,
            sensitivity.router,
            share.router,
            atlas.router,
        ],
    )
    logging.getLogger("cairn").setLevel(settings.log_level)
    app = Litestar(
        route_handlers=[
            api,
            ogc.router,
            widgets.router,
            atlas_pages.router,
            webapp.router,
            apidocs.router,
        ],
        lifespan=[lifespan],
        state=State(
            {
                "settings": settings,
                "limiter": limiter(settings.redis_url),
                "photo_work": PhotoWork(photo_store(settings), settings.photo_workers),
            }
        ),
        dependencies={
            "pool": Provide(provide_pool, sync_to_thread=False),
            "read_pool": Provide(provide_read_pool, sync_to_thread=False),
            "territory": Provide(provide_territory, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
            "staff": Provide(provide_staff),
            "device": Provide(provide_device),
            "me": Provide(require_device),
            "photo_work": Provide(provide_photo_work, sync_to_thread=False),
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
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="Staff access token from `POST /api/v1/auth/login`",
                    )
                }
            ),
            path="/api/docs",
            render_plugins=[apidocs.render_plugin()],
        ),
        plugins=[StrictStructSchemaPlugin()],
        before_request=request_hygiene,
        guards=[staff_first],
        debug=False,
    )
    opendata.document_formats(app.openapi_schema)
    state_nul_refusal(app.openapi_schema)
    return app


def app_from_env() -> Litestar:
    """The app for server worker processes: settings and DATABASE_URL from the environment."""
    return create_app(Settings.from_env())
