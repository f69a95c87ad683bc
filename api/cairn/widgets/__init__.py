"""The widgets' page template and static assets, loaded once and versioned by content.

The page is plain HTML that names its script and stylesheet with a `?v=` of
their hash, so browsers keep those forever and a new release is picked up by
the next page load. `embed.js` gets the widgets' titles and sizes from
`cairn.domain.widgets`, so the words live in one place.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
from string import Template
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import msgspec

from cairn.domain.widgets import (
    BUILDER_WORDS,
    LANGUAGE_NAMES,
    SANDBOX,
    SIZES,
    WIDGETS,
    WORDS,
    BuilderForm,
    BuilderWords,
    Snippets,
    WidgetConfig,
)

MEDIA_TYPES: Final = {
    ".js": "text/javascript",
    ".css": "text/css",
}


class Asset(msgspec.Struct, frozen=True):
    """A static file with its media type and content version."""

    body: bytes
    media_type: str
    version: str


def _read(name: str) -> bytes:
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
        _read("embed.js")
        .replace(b"__TITLES__", msgspec.json.encode(titles))
        .replace(b"__SIZES__", msgspec.json.encode(sizes))
        .replace(b"__SANDBOX__", msgspec.json.encode(SANDBOX))
    )
    return {
        "widget.js": _asset("widget.js", _read("widget.js")),
        "widget.css": _asset("widget.css", _read("widget.css")),
        "builder.css": _asset("builder.css", _read("builder.css")),
        "embed.js": _asset("embed.js", embed),
    }


@cache
def _template() -> Template:
    return Template(_read("page.html").decode("utf-8"))


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


@cache
def _builder_template() -> Template:
    return Template(_read("builder.html").decode("utf-8"))


def render_builder(form: BuilderForm) -> bytes:
    """The no-JavaScript form that gives a host its embed code and a live preview."""
    words = BUILDER_WORDS[form.ui]
    titles = WORDS[form.ui].titles
    fields = [
        _select(form, "widget", words.widget, {w: titles[w] for w in WIDGETS}),
        _input(form, "programme", words.programme, words.programme_hint),
        _select(
            form,
            "commune",
            words.commune,
            {"": "—", **dict(sorted(form.communes.items(), key=lambda kv: kv[1]))},
            words.commune_hint,
        ),
        _input(form, "near", words.near, words.near_hint),
        _input(form, "radius_km", words.radius_km, None, "decimal"),
        _input(form, "days", words.days, None, "numeric"),
        _select(form, "lang", words.lang, LANGUAGE_NAMES),
        _select(form, "size", words.size, words.sizes),
        _select(form, "theme", words.theme, words.themes),
    ]
    errors = ""
    if form.errors:
        items = "".join(
            f'<li><a href="#f-{name}">{escape(detail)}</a></li>'
            for name, detail in form.errors.items()
        )
        errors = f'<div role="alert"><p>{escape(words.errors)}</p><ul>{items}</ul></div>'
    page = _builder_template().substitute(
        ui=form.ui,
        title=escape(words.title),
        intro=escape(words.intro),
        css_version=assets()["widget.css"].version,
        builder_version=assets()["builder.css"].version,
        lang_label=escape(words.ui_lang),
        languages=" · ".join(
            f'<a href="?ui={code}" lang="{code}">{name}</a>'
            for code, name in LANGUAGE_NAMES.items()
            if code != form.ui
        ),
        errors=errors,
        fields="\n".join(fields),
        show=escape(words.show),
        result=_result(form.snippets, words) if form.snippets else "",
        origins_label=escape(words.origins),
        origins=escape(", ".join(form.origins)),
    )
    return page.encode("utf-8")


def _described(form: BuilderForm, name: str, hint: str | None) -> tuple[str, str]:
    """`aria-*` attributes and the hint/error paragraphs of one field."""
    ids, notes, invalid = [], [], ""
    if hint:
        ids.append(f"h-{name}")
        notes.append(f'<span class="meta" id="h-{name}">{escape(hint)}</span>')
    if name in form.errors:
        ids.append(f"e-{name}")
        notes.append(f'<strong class="meta" id="e-{name}">{escape(form.errors[name])}</strong>')
        invalid = ' aria-invalid="true"'
    described = f' aria-describedby="{" ".join(ids)}"' if ids else ""
    return described + invalid, "".join(notes)


def _input(
    form: BuilderForm, name: str, label: str, hint: str | None, mode: str | None = None
) -> str:
    attributes, notes = _described(form, name, hint)
    inputmode = f' inputmode="{mode}"' if mode else ""
    value = quoteattr(form.values.get(name, ""))
    return (
        f'<p><label for="f-{name}">{escape(label)}</label>'
        f'<input id="f-{name}" name="{name}" value={value}{inputmode}{attributes}>{notes}</p>'
    )


def _select(
    form: BuilderForm, name: str, label: str, options: dict[str, str], hint: str | None = None
) -> str:
    attributes, notes = _described(form, name, hint)
    chosen = form.values.get(name, "")
    rendered = "".join(
        f"<option value={quoteattr(value)}{' selected' if value == chosen else ''}>"
        f"{escape(text)}</option>"
        for value, text in options.items()
    )
    return (
        f'<p><label for="f-{name}">{escape(label)}</label>'
        f'<select id="f-{name}" name="{name}"{attributes}>{rendered}</select>{notes}</p>'
    )


def _result(snippets: Snippets, words: BuilderWords) -> str:
    return (
        f'<h2 id="code">{escape(words.script)}</h2>'
        f'<textarea readonly rows="4" aria-labelledby="code">{escape(snippets.script)}</textarea>'
        f'<h2 id="frame">{escape(words.iframe)}</h2>'
        f'<textarea readonly rows="4" aria-labelledby="frame">{escape(snippets.iframe)}</textarea>'
        f"<h2>{escape(words.preview)}</h2>{snippets.iframe}"
    )
