"""Trail QR codes and A4 posters that open the field app on a programme."""

from __future__ import annotations

from typing import Annotated, Any, Final

import asyncpg
from litestar import Request, Response, Router, get

from cairn.core.caching import cached_response
from cairn.core.deps import AppSettings, ReadPool
from cairn.core.documents import answers
from cairn.core.errors import FieldError, InvalidInputError
from cairn.core.languages import LANGS
from cairn.core.problems import responses
from cairn.core.querydocs import choice_query, number_query, query, slug_query
from cairn.core.queryparams import UUID_OR_EMPTY
from cairn.core.querystring import require_single_values
from cairn.programmes import store as programmes
from cairn.share import posters as qr
from cairn.share.model import (
    MAX_SCALE,
    PLACE_MAX_LENGTH,
    POSTER_FORMATS,
    QR_FORMATS,
    ShareRequest,
    deep_link,
    file_stem,
    parse_request,
    programme_title,
)
from cairn.sites import store as sites

MAX_AGE: Final = 86_400
"""A day: the bytes change only with the deployment's base URL or Cairn's version."""
MEDIA_TYPES: Final = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
}

Programme = Annotated[str | None, slug_query("Programme slug, e.g. `demo`", required=True)]
Place = Annotated[
    str | None,
    query(
        f"Where the code hangs (trailhead, board), ≤ {PLACE_MAX_LENGTH} characters",
        format="label",
    ),
]
Site = Annotated[
    str | None,
    query(
        "A site of the programme, in use: scanning opens the record form on it",
        pattern=UUID_OR_EMPTY,
    ),
]
Lang = Annotated[
    str | None,
    choice_query("Force the app's language and the poster's first: fr, en or it", LANGS),
]


@get(
    "/share/qr",
    summary="QR code that opens the field app on a programme",
    description=(
        "The code encodes the deep link `/?programme=…&place=…&lang=…&site=…` of the field app. "
        "`format=svg` (default) or `png`; `scale` is pixels (SVG units) per module, 1 to 40."
    ),
    tags=["share"],
    responses=responses(422),
    operation_class=answers("The QR code", MEDIA_TYPES["svg"], MEDIA_TYPES["png"]),
)
async def qr_code(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    programme: Programme = None,
    place: Place = None,
    lang: Lang = None,
    site: Site = None,
    fmt: Annotated[
        str | None, choice_query("svg (default) or png", QR_FORMATS, name="format")
    ] = None,
    scale: Annotated[
        str | None,
        number_query(f"Pixels per module, 1 to {MAX_SCALE} (default 10)", 1, MAX_SCALE, whole=True),
    ] = None,
) -> Response[bytes]:
    """Draw the code of the programme's deep link."""
    require_single_values(request)
    checked = parse_request(
        programme=programme, place=place, lang=lang, fmt=fmt, formats=QR_FORMATS, scale=scale,
        site=site,
    )  # fmt: skip
    await _check_site(read_pool, checked)
    link = deep_link(settings.base_url, checked.target)
    title = await _title(read_pool, checked.target.programme, checked.target.lang)
    body = qr.qr_file(link, checked.format, checked.scale, title)
    return _answer(request, checked, body, "qr")


@get(
    "/share/poster",
    summary="Printable A4 poster with a programme's QR code",
    description=(
        "The programme's name, the place, a call to action in French, English and Italian "
        "(`poster_lang` first and largest), the QR code and its link in plain text. "
        "`lang` forces the app's language for everyone who scans; leave it out on a trail "
        "(each phone keeps its own) and choose the printed order with `poster_lang`. "
        "`format=pdf` (default) or `svg`. The PDF uses the built-in Helvetica, so a place "
        "written outside Western European characters needs `format=svg`."
    ),
    tags=["share"],
    responses=responses(422),
    operation_class=answers("The A4 poster", MEDIA_TYPES["pdf"], MEDIA_TYPES["svg"]),
)
async def poster(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    programme: Programme = None,
    place: Place = None,
    lang: Lang = None,
    site: Site = None,
    fmt: Annotated[
        str | None, choice_query("pdf (default) or svg", POSTER_FORMATS, name="format")
    ] = None,
    poster_lang: Annotated[
        str | None, choice_query("Language printed first (default: `lang`, else fr)", LANGS)
    ] = None,
) -> Response[bytes]:
    """Lay the poster out once and draw it in the requested format."""
    require_single_values(request)
    checked = parse_request(
        programme=programme,
        place=place,
        lang=lang,
        fmt=fmt,
        formats=POSTER_FORMATS,
        poster_lang=poster_lang,
        site=site,
    )
    await _check_site(read_pool, checked)
    link = deep_link(settings.base_url, checked.target)
    title = await _title(read_pool, checked.target.programme, checked.poster_lang)
    body = qr.poster_file(link, checked.format, title, checked.target, checked.poster_lang)
    return _answer(request, checked, body, "poster")


async def _check_site(read_pool: asyncpg.Pool, checked: ShareRequest) -> None:
    """A code may target only a site in use of its own programme."""
    if checked.target.site is None:
        return
    async with read_pool.acquire() as conn:
        found = (await sites.programmes_of(conn, [checked.target.site])).get(checked.target.site)
    if found is None or found != (checked.target.programme, False):
        detail = f"no site in use {checked.target.site} in programme {checked.target.programme}"
        raise InvalidInputError(
            [FieldError("/query/site", "unknown_site", detail)], "Invalid share parameters"
        )


async def _title(read_pool: asyncpg.Pool, slug: str, lang: str | None) -> str:
    async with read_pool.acquire() as conn:
        return programme_title(slug, await programmes.names(conn, slug), lang)


def _answer(
    request: Request[Any, Any, Any], checked: ShareRequest, body: bytes, what: str
) -> Response[bytes]:
    filename = f"{file_stem(checked.target, what)}.{checked.format}"
    return cached_response(
        request,
        body,
        MEDIA_TYPES[checked.format],
        max_age=MAX_AGE,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


router = Router(
    path="/",
    route_handlers=[
        qr_code,
        poster,
    ],
)
"""The share feature's routes, mounted by the app factory."""
