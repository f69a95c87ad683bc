"""The widget builder: a host's webmaster gets an embed code that matches the choice."""

from __future__ import annotations

import html
import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from cairn.widgets.builder_model import BUILDER_WORDS

Client = AsyncTestClient[Litestar]


def textareas(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page)]


async def test_the_empty_builder_is_a_form_in_french(client: Client) -> None:
    response = await client.get("/widgets/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src" not in csp, "the builder runs no script"
    page = response.text
    assert '<html lang="fr">' in page
    assert f"<h1>{BUILDER_WORDS['fr'].title}</h1>" in page
    assert '<label for="f-near">' in page
    assert '<option value="05093">Névache</option>' in page
    assert "<textarea" not in page, "no code before a choice"
    assert (await client.get("/widgets")).status_code == 200


async def test_a_valid_choice_gives_both_codes_and_a_preview(client: Client) -> None:
    response = await client.get(
        "/widgets/?ui=en&widget=recent&near=6.6433,44.8986&radius_km=3&lang=it&theme=dark"
        "&programme=&commune="
    )
    page = response.text
    script, iframe = textareas(page)
    assert script == (
        '<script src="http://127.0.0.1:8000/widgets/embed.js" data-widget="recent" '
        'data-lang="it" data-size="medium" data-theme="dark" data-near="6.6433,44.8986" '
        'data-radius-km="3" data-days="30" async></script>'
    )
    src = (
        "http://127.0.0.1:8000/widgets/recent"
        "?lang=it&size=medium&theme=dark&near=6.6433,44.8986&radius_km=3&days=30"
    )
    assert iframe == (
        f'<iframe src="{src.replace("&", "&amp;")}" title="Osservazioni recenti qui vicino" '
        'width="360" height="420" style="border:0;max-width:100%" loading="lazy" '
        'sandbox="allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox">'
        "</iframe>"
    )
    assert iframe in page, "the preview is the very code"
    widget = await client.get(src.removeprefix("http://127.0.0.1:8000"))
    assert widget.status_code == 200
    assert 'value="6.6433,44.8986"' in page, "the form keeps what was typed"


async def test_mistakes_are_shown_next_to_their_fields(client: Client) -> None:
    response = await client.get("/widgets/?ui=it&widget=species-of-the-month&commune=99999")
    assert response.status_code == 200
    page = response.text
    assert '<div role="alert">' in page
    assert '<a href="#f-commune">' in page
    assert 'aria-describedby="h-commune e-commune" aria-invalid="true"' in page
    assert "<textarea" not in page
    unknown = await client.get("/widgets/?widget=weather")
    assert 'id="e-widget"' in unknown.text


async def test_a_programme_widget_names_the_programme_in_its_title(client: Client) -> None:
    response = await client.get("/widgets/?widget=programme&programme=demo&size=small")
    _, iframe = textareas(response.text)
    assert 'title="Avancement du programme · demo" width="300" height="280"' in iframe
