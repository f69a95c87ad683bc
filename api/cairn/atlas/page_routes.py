"""Shareable atlas addresses: HTML pages, their PNG cards, the sitemap and robots.txt.

`/atlas/taxon/{cd_ref}`, `/atlas/commune/{insee}`, `/atlas/programme/{slug}`,
`/atlas/heritage/{category}` and a contributor's `/impact/{share_id}` answer
HTML in the language of `?lang=`, else of Accept-Language, else French. An
address that names nothing answers a 404 page in that language.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from typing import Annotated, Any, Final
from urllib.parse import quote
from xml.sax.saxutils import escape

import asyncpg
from litestar import Request, Response, Router, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from cairn.atlas import store as atlas
from cairn.atlas.card import draw_card
from cairn.atlas.model import ATLAS_MAX_AGE
from cairn.atlas.page_loading import PageNotFoundError, load_page
from cairn.atlas.pages import (
    page_url,
    render_not_found,
    render_page,
)
from cairn.core.caching import cached_response
from cairn.core.deps import AppSettings, ReadPool
from cairn.core.documents import answers
from cairn.core.errors import NotFoundError
from cairn.core.http import accepted_encodings, content_security_policy
from cairn.core.languages import LANGS, Lang, preferred_language
from cairn.core.problems import responses
from cairn.reference.deps import AppTerritory
from cairn.reference.territory import Territory
from cairn.settings import Settings

AskedLang = Annotated[
    str | None, QueryParameter(description="fr, en or it (else Accept-Language, else fr)")
]
PAGE = answers("The page (HTML, with Open Graph and Twitter card tags)", "text/html")
"""Its 404 is a page in the reader's language for a browser (Accept: text/html), else a
problem document."""
_STYLESHEET_LINK: Final = re.compile(
    r'<link rel="stylesheet"[^>]*href="/assets/([\w.-]+\.css)"[^>]*>'
)
"""The field app's stylesheet in its page (`make pwa` writes it so)."""
CARD = answers("The page's card: a 1200 x 630 PNG", "image/png")


def _language(request: Request[Any, Any, Any], asked: str | None) -> Lang:
    return preferred_language(asked, request.headers.get("accept-language"))


def _shell(settings: Settings) -> str | None:
    """The field app's page, when it is built: atlas pages are that page with content inside.

    Its stylesheet is put inside the page: a shared page then paints with its first answer,
    not a round trip later (the app's scripts stay separate, cached and deferred).
    """
    path = settings.pwa_dir / "index.html"
    if not path.is_file():
        return None

    def inline(link: re.Match[str]) -> str:
        css = settings.pwa_dir / "assets" / link.group(1)
        text = css.read_text("utf-8") if css.is_file() else "<"
        return link.group(0) if "<" in text else f"<style>{text}</style>"

    return _STYLESHEET_LINK.sub(inline, path.read_text("utf-8"))


def _compressed(
    request: Request[Any, Any, Any], body: bytes, headers: dict[str, str]
) -> tuple[bytes, dict[str, str]]:
    """The page gzipped when the client takes it (a fixed mtime keeps the ETag stable)."""
    headers = {**headers, "Vary": f"{headers['Vary']}, Accept-Encoding"}
    if "gzip" not in accepted_encodings(request.headers.get("accept-encoding")):
        return body, headers
    return gzip.compress(body, 6, mtime=0), {**headers, "Content-Encoding": "gzip"}


def _html_headers(settings: Settings, lang: Lang) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(settings),
        "Content-Language": lang,
        "Vary": "Accept-Language",
    }


async def _page(
    request: Request[Any, Any, Any],
    settings: Settings,
    read_pool: asyncpg.Pool,
    what: str,
    key: str,
    asked: str | None,
) -> Response[bytes]:
    lang = _language(request, asked)
    shell = _shell(settings)
    try:
        async with read_pool.acquire() as conn:
            page = await load_page(conn, settings, what, key, lang)
    except PageNotFoundError as exc:
        if "text/html" not in request.headers.get("accept", ""):
            raise NotFoundError(str(exc)) from exc  # a script or a tool: a problem document
        return Response(
            render_not_found(lang, shell),
            status_code=404,
            media_type="text/html",
            headers=_html_headers(settings, lang),
        )
    if isinstance(page, str):  # a synonym: the valid name's page is the one to share
        query = f"?lang={quote(asked)}" if asked in LANGS else ""
        return Response(b"", status_code=301, headers={"Location": page + query})
    body, headers = _compressed(
        request, render_page(page, settings.base_url, shell), _html_headers(settings, lang)
    )
    return cached_response(request, body, "text/html", max_age=ATLAS_MAX_AGE, headers=headers)


async def _card(
    request: Request[Any, Any, Any],
    settings: Settings,
    read_pool: asyncpg.Pool,
    territory: Territory,
    what: str,
    key: str,
    asked: str | None,
) -> Response[bytes]:
    lang = _language(request, asked)
    try:
        async with read_pool.acquire() as conn:
            page = await load_page(conn, settings, what, key, lang)
    except PageNotFoundError as exc:
        raise NotFoundError(str(exc)) from exc
    if isinstance(page, str):
        raise NotFoundError(f"CD_NOM {key} is a synonym: its card is at {page}/card.png")
    png = await asyncio.to_thread(
        draw_card, page.card, territory.outline_l93, territory.communes_l93
    )
    return cached_response(
        request,
        png,
        "image/png",
        max_age=ATLAS_MAX_AGE,
        headers={"Content-Language": lang, "Vary": "Accept-Language"},
    )


PAGE_KINDS: Final = ("taxon", "commune", "programme", "heritage", "site")
"""What `/atlas/{what}/…` may name (a contributor's impact has its own address)."""
NO_PAGE: Final = ""


@get(
    "/atlas/{what:str}/{key:str}",
    summary="A shareable atlas page: taxon, commune, programme, heritage type or site (HTML)",
    description="`what` is `taxon` (a TAXREF CD_REF; a synonym's CD_NOM redirects), "
    "`commune` (INSEE code), `programme` (slug), `heritage` (category) or `site` (a "
    "monitored site's id). Readable without "
    "JavaScript, with Open Graph and Twitter card tags; the field app takes it over.",
    tags=["atlas"],
    responses={
        301: ResponseSpec(None, description="A synonym's CD_NOM: its valid name's page"),
        **responses(404),
    },
    operation_class=PAGE,
)
async def atlas_page(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    what: FromPath[str],
    key: FromPath[str],
    lang: AskedLang = None,
) -> Response[bytes]:
    """Only what the open data shows: figures from the public projection."""
    kind = what if what in PAGE_KINDS else NO_PAGE
    return await _page(request, settings, read_pool, kind, key, lang)


@get(
    "/atlas/{what:str}/{key:str}/card.png",
    summary="The picture of a shareable atlas page: name, figures, 10 km cells on the territory",
    tags=["atlas"],
    responses=responses(404),
    operation_class=CARD,
)
async def atlas_card(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    territory: AppTerritory,
    what: FromPath[str],
    key: FromPath[str],
    lang: AskedLang = None,
) -> Response[bytes]:
    """Cells as the public projection has them: a sensitive record only in its public cell."""
    kind = what if what in PAGE_KINDS else NO_PAGE
    return await _card(request, settings, read_pool, territory, kind, key, lang)


@get(
    "/impact/{share_id:str}",
    summary="A contributor's shared impact (HTML): public counts only, no record, no device",
    tags=["atlas"],
    responses=responses(404),
    operation_class=PAGE,
)
async def impact_share_page(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    share_id: FromPath[str],
    lang: AskedLang = None,
) -> Response[bytes]:
    """The link the contributor made; revoked, it answers 404."""
    return await _page(request, settings, read_pool, "impact", share_id, lang)


@get(
    "/impact/{share_id:str}/card.png",
    summary="The picture of a contributor's shared impact",
    tags=["atlas"],
    responses=responses(404),
    operation_class=CARD,
)
async def impact_share_card(
    request: Request[Any, Any, Any],
    settings: AppSettings,
    read_pool: ReadPool,
    territory: AppTerritory,
    share_id: FromPath[str],
    lang: AskedLang = None,
) -> Response[bytes]:
    """Cells only of records published at full precision."""
    return await _card(request, settings, read_pool, territory, "impact", share_id, lang)


@get(
    "/sitemap.xml",
    summary="The atlas pages for search engines, each in French, English and Italian",
    tags=["atlas"],
    responses=responses(),
    operation_class=answers("The sitemap", "application/xml"),
)
async def sitemap(
    request: Request[Any, Any, Any], settings: AppSettings, read_pool: ReadPool
) -> Response[bytes]:
    """Taxa with public records, communes, programmes and heritage categories."""
    async with read_pool.acquire() as conn:
        pages = await atlas.atlas_pages(conn, settings.public_statuses)
    paths = [
        *(f"/atlas/taxon/{cd_ref}" for cd_ref in pages.taxa),
        *(f"/atlas/commune/{insee}" for insee in pages.communes),
        *(f"/atlas/programme/{slug}" for slug in pages.programmes),
        *(f"/atlas/heritage/{category}" for category in pages.heritage),
        *(f"/atlas/site/{site_id}" for site_id in pages.sites),
    ]
    urls = "".join(
        f"<url><loc>{escape(page_url(settings.base_url, path, lang))}</loc></url>\n"
        for path in paths
        for lang in LANGS
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )
    return cached_response(request, body.encode(), "application/xml", max_age=ATLAS_MAX_AGE)


@get(
    "/robots.txt",
    summary="Where crawlers may go, and the sitemap",
    tags=["atlas"],
    responses=responses(),
    operation_class=answers("robots.txt", "text/plain"),
)
async def robots(request: Request[Any, Any, Any], settings: AppSettings) -> Response[bytes]:
    """Everything but the API may be crawled; the sitemap lists the atlas pages."""
    body = (
        f"User-agent: *\nDisallow: /api/\n\nSitemap: {settings.base_url.rstrip('/')}/sitemap.xml\n"
    )
    return cached_response(request, body.encode(), "text/plain", max_age=ATLAS_MAX_AGE)


router = Router(
    path="/",
    route_handlers=[atlas_page, atlas_card, impact_share_page, impact_share_card, sitemap, robots],
)
"""The shareable atlas pages, mounted at the root by the app factory."""
