"""The widgets' page template and static assets, loaded once and versioned by content.

The page is plain HTML that names its script and stylesheet with a `?v=` of
their hash, so browsers keep those forever and a new release is picked up by
the next page load. `embed.js` gets the widgets' titles and sizes from
`cairn.widgets.model`, so the words live in one place.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from string import Template
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import msgspec

from cairn.widgets.model import SANDBOX, SIZES, WORDS, WidgetConfig

MEDIA_TYPES: Final = {
    ".js": "text/javascript",
    ".css": "text/css",
}


class Asset(msgspec.Struct, frozen=True):
    """A static file with its media type and content version."""

    body: bytes
    media_type: str
    version: str


def read(name: str) -> bytes:
    """A file of this package (templates, scripts, stylesheets)."""
    return files("cairn.widgets").joinpath(name).read_bytes()


def _asset(name: str, body: bytes) -> Asset:
    media_type = MEDIA_TYPES[name[name.rindex(".") :]]
    return Asset(body, media_type, hashlib.sha256(body).hexdigest()[:12])


@cache
def assets() -> dict[str, Asset]:
    """`widget.js`, `widget.css`, `builder.css` (under /widgets/assets/); `embed.js` (/widgets/)."""
    titles = {lang: words.titles for lang, words in WORDS.items()}
    sizes = {name: [size.width, size.height] for name, size in SIZES.items()}
    embed = (
        read("embed.js")
        .replace(b"__TITLES__", msgspec.json.encode(titles))
        .replace(b"__SIZES__", msgspec.json.encode(sizes))
        .replace(b"__SANDBOX__", msgspec.json.encode(SANDBOX))
    )
    return {
        "widget.js": _asset("widget.js", read("widget.js")),
        "widget.css": _asset("widget.css", read("widget.css")),
        "builder.css": _asset("builder.css", read("builder.css")),
        "embed.js": _asset("embed.js", embed),
    }


@cache
def _template() -> Template:
    return Template(read("page.html").decode("utf-8"))


def render_page(config: WidgetConfig, home: str) -> bytes:
    """The widget's HTML: headings and links server-side, data filled in by widget.js."""
    words = config.words
    title = config.heading + (f" · {config.subtitle}" if config.subtitle else "")
    subtitle = f'<p class="sub">{escape(config.subtitle)}</p>' if config.subtitle else ""
    contribute = (
        f'<a class="cta" href={quoteattr(config.contribute)} target="_blank" rel="noopener">'
        f"{escape(words.contribute)}</a>"
        if config.contribute
        else ""
    )
    page = _template().substitute(
        lang=config.lang,
        theme=config.theme,
        size=config.size,
        title=escape(title),
        css_version=assets()["widget.css"].version,
        js_version=assets()["widget.js"].version,
        config=escape(msgspec.json.encode(config).decode("utf-8"), {'"': "&quot;"}),
        heading=escape(config.heading),
        subtitle=subtitle,
        loading=escape(words.loading),
        noscript=escape(words.noscript),
        contribute=contribute,
        home=escape(home, {'"': "&quot;"}),
        open_data=escape(words.open_data),
    )
    return page.encode("utf-8")
