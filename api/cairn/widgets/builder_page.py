"""The widget builder's page: a form without JavaScript, its mistakes and its result."""

from __future__ import annotations

from functools import cache
from string import Template
from xml.sax.saxutils import escape, quoteattr

from cairn.widgets.builder_model import (
    BUILDER_WORDS,
    LANGUAGE_NAMES,
    BuilderForm,
    BuilderWords,
    Snippets,
)
from cairn.widgets.model import WIDGETS, WORDS
from cairn.widgets.static import assets, read


@cache
def _builder_template() -> Template:
    return Template(read("builder.html").decode("utf-8"))


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
