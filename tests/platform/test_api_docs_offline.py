"""/api/docs works with no internet: every script, style and icon it loads comes from Cairn."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


async def test_the_docs_page_loads_only_what_cairn_serves(
    client: AsyncTestClient[Litestar],
) -> None:
    page = await client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    urls = ASSET.findall(page.text)
    assert any(url.endswith(".js") for url in urls), urls
    assert any(url.endswith(".css") for url in urls), urls
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} would need the internet"
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 0, url
    bundle = next(url for url in urls if url.endswith("bundle.js"))
    assert "SwaggerUIBundle" in (await client.get(bundle)).text
    assert "/api/v1/observations" in page.text  # the document is inlined: nothing to fetch


async def test_nothing_but_the_docs_files_is_served_from_their_folder(
    client: AsyncTestClient[Litestar],
) -> None:
    for name in ["../__init__.py", "index.html", "swagger-editor-bundle.js", "%2e%2e%2fcore.py"]:
        answer = await client.get(f"/api/docs-assets/{name}")
        assert answer.status_code == 404, name
