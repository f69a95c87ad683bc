"""The issue's acceptance test: a widget embedded in a page of ANOTHER origin works.

Cairn runs under uvicorn on one loopback port; a plain static server on another
serves a host page that holds only the one-line embed scripts. Debian's Chromium
loads that page; the widgets must build their frames, load across origins and
render what the open-data API answers.

The open-data list (`GET /api/v1/observations`, issue 7) is built by another
team; until it is on main, its answers here are contract-shaped documents
served by Playwright's router (`contract_answer`). Everything else is real.
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.async_api import Browser, Frame, Page, Route

from cairn.widgets.model import SANDBOX
from tests.browser import free_port, serious_violations, until_true

pytestmark = pytest.mark.browser

BRIANCON = (6.6433, 44.8986)
NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)
"""The browser's clock, fixed (`context.clock`): no assertion depends on when the suite runs."""


HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hôtel des Écrins (test page)</title></head>
<body><h1>A host's own page</h1>
<p>Before</p>
<script src="{cairn}/widgets/embed.js" data-widget="recent" data-near="6.6433,44.8986"
  data-radius-km="5" data-lang="en" data-theme="dark" async></script>
<p>Between</p>
<script src="{cairn}/widgets/embed.js" data-widget="species-of-the-month" data-commune="05023"
  data-size="small" async></script>
<script src="{cairn}/widgets/embed.js" data-widget="programme" data-programme="demo"
  data-lang="it" data-title="Il nostro programma" async></script>
</body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder without logging every request."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Say nothing."""


@contextmanager
def static_site(folder: Path, page: str) -> Iterator[str]:
    """A plain static server (another origin: `localhost`, another port) serving `page`."""
    (folder / "index.html").write_text(page, "utf-8")
    handler = partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def observation(n: int, lon: float, lat: float, days_ago: float, **extra: Any) -> dict[str, Any]:
    """A public observation as the contract describes it (demo values, real TAXREF taxa)."""
    return {
        "id": f"00000000-0000-4000-8000-{n:012d}",
        "kind": "species",
        "programme": "demo",
        "observed_at": (NOW - timedelta(days=days_ago)).isoformat(),
        "status": "certain",
        "taxon": {
            "cd_ref": 61098,
            "scientific_name": "Capra ibex",
            "vernacular_fr": "Bouquetin des Alpes",
        },
        "heritage": None,
        "location": {"lon": lon, "lat": lat},
        "generalisation": None,
        "grid_10km": "E096N642",
        "commune": "05023",
        "observer": f"demo-{n % 3}",
        "licence": "CC-BY-4.0",
        "photos": [],
        "updated_at": NOW.isoformat(),
        **extra,
    }


CONTRACT_FILTERS = {
    *("taxon", "kind", "programme", "status", "bbox", "polygon", "commune", "from", "to"),
    *("updated_since", "limit", "cursor", "format", "occurrence_status"),
}
"""The query parameters of `GET /observations` in the cross-team contract (open data, issue 7)."""
MARMOT = {"cd_ref": 61143, "scientific_name": "Marmota marmota", "vernacular_fr": "Marmotte"}
NEAR = observation(1, 6.65, 44.90, 1)
OLDER_NEAR = observation(2, 6.64, 44.89, 3, taxon=MARMOT)
BLURRED = observation(  # a generalised position: no distance is claimed for it
    6, 6.6433, 44.8986, 2, generalisation={"level": 1, "method": "commune", "code": "05023"}
)
OUTSIDE_CIRCLE = observation(3, 6.7, 44.94, 0.5, taxon=MARMOT)  # inside the box, ~6.5 km away
PHOTOGRAPHED = observation(4, 6.6, 44.9, 0, photos=["/media/demo-thumb.png"], observer="demo-a")
PROGRAMME_PAGES = [
    [observation(10 + i, 6.6, 44.9, i, commune="05093" if i % 2 else "05023") for i in range(3)],
    [observation(20, 6.6, 44.9, 40, taxon=MARMOT, observer=None)],
]


async def contract_answer(calls: list[dict[str, list[str]]], route: Route) -> None:
    """Stand-in for the open-data list until issue 7 lands: same shapes, paged by `next`."""
    query = parse_qs(urlsplit(route.request.url).query)
    calls.append(query)
    items: list[dict[str, Any]] = []
    next_url = None
    if "bbox" in query:
        items = [OUTSIDE_CIRCLE, OLDER_NEAR, BLURRED, NEAR]
    elif "commune" in query:
        items = [NEAR, PHOTOGRAPHED, observation(5, 6.6, 44.9, 0, taxon=MARMOT)]
    elif query.get("cursor") == ["2"]:
        items = PROGRAMME_PAGES[1]
    elif "programme" in query:
        items = PROGRAMME_PAGES[0]
        next_url = "https://cairn.example/api/v1/observations?programme=demo&cursor=2"
    await route.fulfill(json={"items": items, "next": next_url})


def monthly_counts(items: list[dict[str, Any]]) -> list[int]:
    """Observations per calendar month (UTC), the last 12 months, oldest first."""
    months = [(NOW.year * 12 + NOW.month - 1 - k) for k in range(11, -1, -1)]
    seen = [datetime.fromisoformat(o["observed_at"]) for o in items]
    return [sum(1 for t in seen if t.year * 12 + t.month - 1 == m) for m in months]


async def photo_answer(route: Route) -> None:
    """A real PNG where the contract's photo URL points (media is issue 5's)."""
    image = io.BytesIO()
    Image.new("RGB", (160, 120), (90, 120, 60)).save(image, "PNG")
    await route.fulfill(body=image.getvalue(), content_type="image/png")


async def widget_frame(page: Page, index: int) -> Frame:
    iframe = page.locator("iframe").nth(index)
    await iframe.wait_for()
    frame = await (await iframe.element_handle()).content_frame()
    assert frame is not None
    await frame.wait_for_selector("main[aria-busy=false]", state="attached", timeout=10_000)
    return frame


async def test_widgets_work_when_embedded_in_another_origin(
    browser: Browser, cairn_url: str, host_url: str
) -> None:
    context = await browser.new_context(timezone_id="UTC")
    await context.clock.set_fixed_time(NOW)
    calls: list[dict[str, list[str]]] = []
    await context.route("**/api/v1/observations?*", partial(contract_answer, calls))
    await context.route("**/media/demo-thumb.png", photo_answer)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(host_url)

    frames = page.locator("iframe")
    await frames.nth(2).wait_for()
    assert await frames.count() == 3
    src = urlsplit(await frames.nth(0).get_attribute("src") or "")
    assert f"{src.scheme}://{src.netloc}" == cairn_url
    assert src.path == "/widgets/recent"
    assert parse_qs(src.query) == {
        "lang": ["en"],
        "theme": ["dark"],
        "near": ["6.6433,44.8986"],
        "radius_km": ["5"],
    }
    assert await frames.nth(0).get_attribute("title") == "Recent observations near here"
    assert await frames.nth(2).get_attribute("title") == "Il nostro programma"
    assert await frames.nth(1).get_attribute("width") == "300", "size=small sets the frame"
    assert await frames.nth(0).get_attribute("sandbox") == SANDBOX
    placed = await page.evaluate(
        "[...document.body.children].map(e => e.tagName + ':' + (e.textContent || '').trim())"
    )
    assert placed.index("IFRAME:") == placed.index("P:Before") + 2, "frame right after its script"

    recent = await widget_frame(page, 0)
    names = await recent.locator(".list li .name").all_inner_texts()
    assert names == ["Capra ibex", "Capra ibex", "Marmota marmota"], (
        "newest first, only inside the circle"
    )
    near, blurred, older = await recent.locator(".list li .meta").all_inner_texts()
    assert near.endswith(" · 0.6 km")
    assert blurred.endswith(" · blurred location")
    assert older.endswith(" · 1.0 km")
    assert await recent.evaluate("getComputedStyle(document.documentElement).backgroundColor") == (
        "rgb(21, 25, 26)"
    )
    await page.keyboard.press("Tab")
    focused = await recent.evaluate("document.activeElement.textContent")
    assert focused == "Cairn open data", "the keyboard reaches the widget's links"
    [bbox_call] = [c for c in calls if "bbox" in c]
    assert bbox_call["limit"] == ["100"]
    since = datetime.fromisoformat(bbox_call["from"][0].replace("Z", "+00:00"))
    assert since == NOW - timedelta(days=30), "the last 30 days by the page's own clock"

    species = await widget_frame(page, 1)
    assert await species.locator("html").get_attribute("lang") == "fr"
    assert await species.locator(".list li .name").all_inner_texts() == [
        "Bouquetin des Alpes",
        "Marmotte",
    ]
    assert await species.locator(".list li i").first.get_attribute("lang") == "la"
    assert await species.locator(".list li .meta").all_inner_texts() == [
        "2 observations",
        "1 observation",
    ]
    photo = species.locator("figure img")
    await photo.wait_for()
    await until_true(species, "document.querySelector('figure img').complete")
    assert await photo.evaluate("img => img.naturalWidth") == 160
    assert await photo.get_attribute("alt") == "Capra ibex"
    assert await species.locator("figcaption").inner_text() == "Photo demo-a · CC-BY-4.0"
    [commune_call] = [c for c in calls if "commune" in c]
    assert commune_call["kind"] == ["species"]

    progress = await widget_frame(page, 2)
    figures = await progress.locator(".figures div").all_inner_texts()
    month_start = NOW.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = sum(
        datetime.fromisoformat(o["observed_at"]) >= month_start
        for page_items in PROGRAMME_PAGES
        for o in page_items
    )
    assert [" ".join(f.split()) for f in figures] == [
        "osservazioni 4",
        "specie 2",
        "comuni 2",
        "partecipanti 3",
        f"osservazioni questo mese {this_month}",
    ]
    chart = progress.get_by_role("img", name=re.compile("^Osservazioni al mese: "))
    spoken = await chart.get_attribute("aria-label") or ""
    assert [int(n) for n in re.findall(r" (\d+)(?:,|$)", spoken)] == monthly_counts(
        [o for page_items in PROGRAMME_PAGES for o in page_items]
    )
    assert await chart.locator("rect").count() == 12
    for call in calls:
        assert call.keys() <= CONTRACT_FILTERS, "only the open-data contract's filters"
        assert all(len(values) == 1 for values in call.values())
        if "cursor" not in call:  # a first page; `next` links carry what the server wrote
            assert call["occurrence_status"] == ["present"], "a widget never shows an absence"
    cursor_calls = [c for c in calls if c.get("cursor") == ["2"]]
    assert cursor_calls, "the widget follows `next`, on its own origin"
    cta = progress.get_by_role("link", name="Partecipa")
    assert await cta.get_attribute("href") == f"{cairn_url}/?programme=demo&lang=it"
    async with context.expect_page() as opened:
        await cta.click()
    assert (await opened.value).url == f"{cairn_url}/?programme=demo&lang=it", (
        "the sandboxed frame opens the field app in a new tab"
    )
    assert page.url == host_url, "and never navigates the host page"

    await until_true(
        page, "[...document.querySelectorAll('iframe')].every(f => f.height !== '420')"
    )
    height = int(await frames.nth(2).get_attribute("height") or 0)
    content = await progress.evaluate("document.body.offsetHeight")
    assert height == content, "the frame fits its content"
    assert errors == []

    await context.close()


async def until_loaded(frame: Frame, timeout_s: float = 30) -> None:
    """Wait until a frame has left its first about:blank and its own document was parsed."""
    deadline = time.monotonic() + timeout_s
    while frame.url in {"", "about:blank"}:
        if time.monotonic() > deadline:
            raise AssertionError(f"the frame never navigated in {timeout_s} s")
        await asyncio.sleep(0.05)
    await frame.wait_for_load_state("domcontentloaded")


@pytest.mark.parametrize(
    "cairn_url", [{"CAIRN_WIDGET_ORIGINS": "https://www.hotel.example"}], indirect=True
)
async def test_a_site_that_is_not_allowed_cannot_frame_the_widgets(
    browser: Browser, cairn_url: str, host_url: str
) -> None:
    context = await browser.new_context(timezone_id="UTC")
    await context.clock.set_fixed_time(NOW)
    await context.route("**/api/v1/observations?*", partial(contract_answer, []))
    page = await context.new_page()
    await page.goto(host_url)
    await page.locator("iframe").nth(2).wait_for()
    # The event a widget would show at: each frame's document arrived and was parsed (the
    # widget's root is in the page's HTML). A refused frame gets the browser's error page.
    await until_true(
        page, "[...document.querySelectorAll('iframe')].every(f => f.src.includes('/widgets/'))"
    )
    for frame in page.frames[1:]:
        await until_loaded(frame)
        assert await frame.locator("#cairn-widget").count() == 0, frame.url
        assert frame.url.startswith("chrome-error://"), "the browser refused to frame it"
    await context.close()


WIDGET_URLS = [
    "/widgets/recent?near=6.6433,44.8986&lang=en",
    "/widgets/species-of-the-month?commune=05023&lang=fr&size=large",
    "/widgets/programme?programme=demo&lang=it&size=small",
]


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("path", WIDGET_URLS)
async def test_axe_finds_no_serious_accessibility_problem(
    browser: Browser, cairn_url: str, path: str, theme: str
) -> None:
    context = await browser.new_context(timezone_id="UTC", viewport={"width": 360, "height": 420})
    await context.route("**/api/v1/observations?*", partial(contract_answer, []))
    await context.route("**/media/demo-thumb.png", photo_answer)
    page = await context.new_page()
    await page.goto(f"{cairn_url}{path}&theme={theme}")
    await page.wait_for_selector("main[aria-busy=false]", state="attached")
    assert await serious_violations(page) == []
    await context.close()


async def test_an_unavailable_open_data_api_is_said_plainly(
    browser: Browser, cairn_url: str
) -> None:
    context = await browser.new_context()

    async def unavailable(route: Route) -> None:
        await route.fulfill(status=503, json={"code": "service_unavailable"})

    await context.route("**/api/v1/observations?*", unavailable)
    page = await context.new_page()
    await page.goto(f"{cairn_url}/widgets/programme?programme=demo&lang=en")
    state = page.get_by_role("status")
    await state.filter(has_text="not available").wait_for()
    assert await state.inner_text() == "The data is not available right now."
    await context.close()


async def test_the_builders_code_works_when_pasted_into_another_site(
    browser: Browser, cairn_url: str, tmp_path: Path
) -> None:
    context = await browser.new_context(timezone_id="UTC")
    await context.clock.set_fixed_time(NOW)
    await context.route("**/api/v1/observations?*", partial(contract_answer, []))
    page = await context.new_page()
    await page.goto(f"{cairn_url}/widgets/?ui=en")
    await page.get_by_label("Widget", exact=True).select_option("programme")
    await page.get_by_label("Programme", exact=True).fill("demo")
    await page.get_by_label("Widget language").select_option("en")
    await page.get_by_role("button", name="Show the code").click()
    script = await page.get_by_label("One line to paste (script)").input_value()
    preview = await widget_frame(page, 0)
    assert await preview.locator("h1").inner_text() == "Programme progress"

    host = f"<!doctype html><html lang='en'><title>A host</title><body>{script}</body></html>"
    with static_site(tmp_path, host) as url:
        await page.goto(url)
        frame = await widget_frame(page, 0)
        assert await frame.locator(".figures dd").first.inner_text() == "4"
    await context.close()


@pytest.mark.parametrize(
    "query",
    ["ui=fr", "ui=it&widget=recent&near=6.6,44.9&lang=en", "ui=en&widget=recent&near=nowhere"],
)
async def test_axe_finds_no_serious_problem_in_the_builder(
    browser: Browser, cairn_url: str, query: str
) -> None:
    context = await browser.new_context()
    await context.route("**/api/v1/observations?*", partial(contract_answer, []))
    page = await context.new_page()
    await page.goto(f"{cairn_url}/widgets/?{query}")
    assert await serious_violations(page) == []
    await context.close()


async def test_a_script_pasted_into_the_head_puts_its_widget_in_the_body(
    browser: Browser, cairn_url: str, tmp_path: Path
) -> None:
    context = await browser.new_context()
    await context.route("**/api/v1/observations?*", partial(contract_answer, []))
    page = await context.new_page()
    host = (
        f'<!doctype html><html lang="en"><head><title>A host</title>'
        f'<script src="{cairn_url}/widgets/embed.js" data-widget="programme" '
        'data-programme="demo" async></script></head><body><p>Hello</p></body></html>'
    )
    with static_site(tmp_path, host) as url:
        await page.goto(url)
        frame = await widget_frame(page, 0)
        assert await page.evaluate("document.querySelector('iframe').parentElement.tagName") == (
            "BODY"
        )
        assert await page.locator("iframe").is_visible()
        assert await frame.locator(".figures dd").first.inner_text() == "4"
    await context.close()
