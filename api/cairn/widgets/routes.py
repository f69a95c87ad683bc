"""Embeddable widgets: HTML pages for an <iframe>, their assets, and the one-line embed script.

The pages are static for a given URL; their script reads the open-data API on
Cairn's own origin from inside the frame, so a host page needs no CORS and the
widgets show exactly what the open data shows.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

import asyncpg
import msgspec
from litestar import Request, Response, Router, get
from litestar.params import FromPath, QueryParameter

from cairn.core.caching import cached_response
from cairn.core.deps import AppSettings, ReadPool
from cairn.core.documents import answers
from cairn.core.errors import InvalidInputError, NotFoundError
from cairn.core.languages import LANGS, preferred_language
from cairn.core.problems import ProblemError, responses
from cairn.core.querydocs import choice_query, number_query, query, slug_query
from cairn.core.queryparams import INSEE
from cairn.core.querystring import require_single_values
from cairn.programmes import store as programmes
from cairn.reference.deps import AppTerritory
from cairn.reference.territory import Territory
from cairn.settings import Settings
from cairn.share.model import programme_title
from cairn.widgets.builder_model import builder_content_security_policy, prepare_builder
from cairn.widgets.builder_page import render_builder
from cairn.widgets.messages import TITLES, localised
from cairn.widgets.model import (
    DAYS,
    RADIUS_KM,
    SIZES,
    THEMES,
    content_security_policy,
    cors_origin,
    parse_widget,
)
from cairn.widgets.static import assets, render_page

PAGE_MAX_AGE: Final = 3_600
"""An hour: pages change only with a release or the settings."""
ASSET_MAX_AGE: Final = 31_536_000
"""A year, for assets named with their content version (`?v=`)."""
EMBED_MAX_AGE: Final = 3_600
"""Hosts link embed.js by a fixed URL: a release reaches them within the hour."""

PAGE = answers("The widget's HTML page, for an <iframe>", "text/html")

Lang = Annotated[str | None, choice_query("fr (default), en or it", LANGS)]
Size = Annotated[str | None, choice_query("small, medium (default) or large", tuple(SIZES))]
Theme = Annotated[str | None, choice_query("light (default) or dark", THEMES)]
Programme = Annotated[str | None, slug_query("Programme slug")]
ProgrammeNeeded = Annotated[str | None, slug_query("Programme slug", required=True)]
Near = Annotated[str | None, query("lon,lat", required=True, format="lon-lat")]
RadiusKm = Annotated[
    str | None, number_query("Radius around `near`, km (default 5)", *RADIUS_KM[:2])
]
Days = Annotated[str | None, number_query("How many days back (default 30)", *DAYS[:2], whole=True)]
Commune = Annotated[
    str | None, query("INSEE code of a covered commune", required=True, pattern=INSEE)
]
BuilderField = Annotated[
    str | None, QueryParameter(description="As the widget takes it; mistakes shown on the form")
]
"""The builder takes any text and shows each mistake next to its field (it answers 200)."""


@get(
    "/widgets/recent",
    summary="Widget: recent observations near a place",
    description=(
        "HTML for an `<iframe>`: the latest public observations within `radius_km` "
        "(0.5 to 50, default 5) of `near=lon,lat`, over the last `days` (1 to 365, default 30)."
    ),
    tags=["widgets"],
    responses=responses(422),
    operation_class=PAGE,
)
async def recent(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    territory: AppTerritory,
    near: Near = None,
    radius_km: RadiusKm = None,
    days: Days = None,
    programme: Programme = None,
    lang: Lang = None,
    size: Size = None,
    theme: Theme = None,
) -> Response[bytes]:
    """The "recent observations near here" page."""
    return await _page(
        request,
        settings,
        read_pool,
        territory,
        "recent",
        near=near,
        radius_km=radius_km,
        days=days,
        programme=programme,
        lang=lang,
        size=size,
        theme=theme,
    )


@get(
    "/widgets/species-of-the-month",
    summary="Widget: the species most observed this month in a commune",
    description=(
        "HTML for an `<iframe>`: the species with the most public observations this "
        "month (last month while this one has none) in `commune` (INSEE code)."
    ),
    tags=["widgets"],
    responses=responses(422),
    operation_class=PAGE,
)
async def species_of_the_month(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    territory: AppTerritory,
    commune: Commune = None,
    programme: Programme = None,
    lang: Lang = None,
    size: Size = None,
    theme: Theme = None,
) -> Response[bytes]:
    """The "species of the month in this commune" page."""
    return await _page(
        request,
        settings,
        read_pool,
        territory,
        "species-of-the-month",
        commune=commune,
        programme=programme,
        lang=lang,
        size=size,
        theme=theme,
    )


@get(
    "/widgets/programme",
    summary="Widget: a programme's progress",
    description=(
        "HTML for an `<iframe>`: public observations, species, communes and contributors "
        "of `programme`, with a link that opens the field app on it."
    ),
    tags=["widgets"],
    responses=responses(422),
    operation_class=PAGE,
)
async def programme_progress(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    territory: AppTerritory,
    programme: ProgrammeNeeded = None,
    lang: Lang = None,
    size: Size = None,
    theme: Theme = None,
) -> Response[bytes]:
    """The "programme progress" page."""
    return await _page(
        request,
        settings,
        read_pool,
        territory,
        "programme",
        programme=programme,
        lang=lang,
        size=size,
        theme=theme,
    )


async def _page(
    request: Request[Any, Any, Any],
    settings: Settings,
    read_pool: asyncpg.Pool,
    territory: Territory,
    widget: str,
    **query: str | None,
) -> Response[bytes]:
    try:
        require_single_values(request)
        config = parse_widget(widget, base_url=settings.base_url, communes=territory.names, **query)
    except InvalidInputError as exc:  # said in the widget's language, as the rest of it is
        lang = preferred_language(query.get("lang"), request.headers.get("accept-language"))
        raise ProblemError(
            422,
            "validation_failed",
            TITLES[lang],
            errors=localised(exc.errors, lang),
            headers={"Content-Language": lang, "Vary": "Accept-Language"},
        ) from exc
    slug = query.get("programme")
    names = None
    if slug:
        async with read_pool.acquire() as conn:
            names = await programmes.names(conn, slug)
    if slug and names:  # the programme's own name rather than its slug
        title = programme_title(slug, names, config.lang)
        config = msgspec.structs.replace(config, subtitle=title)
    return cached_response(
        request,
        render_page(config, settings.base_url),
        "text/html",
        max_age=PAGE_MAX_AGE,
        headers={
            "Content-Security-Policy": content_security_policy(
                settings.widget_origins, settings.base_url
            ),
            "Referrer-Policy": "strict-origin-when-cross-origin",
        },
    )


@get(
    ["/widgets", "/widgets/"],
    summary="Widget builder: choose a widget, preview it, copy its embed code",
    description=(
        "An HTML form for hosts' webmasters (no JavaScript). With `widget` and its "
        "parameters it shows the one-line script, the `<iframe>` and a live preview; "
        "mistakes are shown next to their fields. `ui` is the page's language."
    ),
    tags=["widgets"],
    responses=responses(400),
    operation_class=answers("The builder page", "text/html"),
)
async def builder(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    territory: AppTerritory,
    ui: BuilderField = None,
    widget: Annotated[str | None, QueryParameter(description="The widget to embed")] = None,
    programme: BuilderField = None,
    commune: BuilderField = None,
    near: BuilderField = None,
    radius_km: BuilderField = None,
    days: BuilderField = None,
    lang: BuilderField = None,
    size: BuilderField = None,
    theme: BuilderField = None,
) -> Response[bytes]:
    """The builder form, filled with what was chosen."""
    query = {
        "widget": widget,
        "programme": programme,
        "commune": commune,
        "near": near,
        "radius_km": radius_km,
        "days": days,
        "lang": lang,
        "size": size,
        "theme": theme,
    }
    form = prepare_builder(
        ui,
        query,
        base_url=settings.base_url,
        communes=territory.names,
        origins=settings.widget_origins,
    )
    return cached_response(
        request,
        render_builder(form),
        "text/html",
        max_age=PAGE_MAX_AGE,
        headers={"Content-Security-Policy": builder_content_security_policy(settings.base_url)},
    )


@get(
    "/widgets/assets/{name:str}",
    summary="A widget page's script or stylesheet",
    tags=["widgets"],
    responses=responses(404),
    operation_class=answers("The script or stylesheet", "text/javascript", "text/css"),
)
async def widget_asset(
    request: Request[Any, Any, Any],
    name: FromPath[str],
    v: Annotated[str | None, QueryParameter(description="Content version")] = None,
) -> Response[bytes]:
    """`widget.js` or `widget.css`, kept a year when asked by their current version."""
    asset = assets().get(name)
    if asset is None or name == "embed.js":
        raise NotFoundError(f"no widget asset {name}")
    current = v == asset.version
    return cached_response(
        request,
        asset.body,
        asset.media_type,
        max_age=ASSET_MAX_AGE if current else PAGE_MAX_AGE,
        immutable=current,
    )


@get(
    "/widgets/embed.js",
    summary="The one-line embed script for host pages",
    description=(
        'Paste `<script src="…/widgets/embed.js" data-widget="recent" data-near="6.64,44.90" '
        "async></script>`; `data-*` attributes are the widget's query parameters "
        "(`data-radius-km` for `radius_km`) plus `data-title`. It inserts the `<iframe>` "
        "right after itself and fits its height to the content."
    ),
    tags=["widgets"],
    responses=responses(404),
    operation_class=answers("The embed script", "text/javascript"),
)
async def embed_script(request: Request[Any, Any, Any], settings: AppSettings) -> Response[bytes]:
    """The embed script, cacheable for an hour, readable cross-origin by the allowed sites."""
    asset = assets()["embed.js"]
    allowed = cors_origin(settings.widget_origins, request.headers.get("origin"))
    cors = {"Access-Control-Allow-Origin": allowed} if allowed else {}
    return cached_response(
        request,
        asset.body,
        asset.media_type,
        max_age=EMBED_MAX_AGE,
        headers={**cors, "Vary": "Origin", "Cross-Origin-Resource-Policy": "cross-origin"},
    )


router = Router(
    path="/",
    route_handlers=[
        builder,
        recent,
        species_of_the_month,
        programme_progress,
        widget_asset,
        embed_script,
    ],
)
"""The widgets feature's routes, mounted by the app factory."""
