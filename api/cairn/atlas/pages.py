"""Shareable atlas pages: HTML with the figures in plain text, and the tags link previews read.

A page is built from the same open figures as the atlas API (so it never shows
more than the open data), in one language. It carries a title, a description,
a canonical link with its fr/en/it alternates, Open Graph and Twitter card tags
pointing at its PNG card, and readable content for people without JavaScript
and for search engines. When the field app is built, the page is the app's own
shell with that content inside: the app starts and takes the page over.
"""

from __future__ import annotations

import re
from typing import Any, Final, TypedDict
from xml.sax.saxutils import escape, quoteattr

import msgspec

from cairn.atlas.card import Card, CardFigure
from cairn.atlas.model import AtlasCount, AtlasHeritage, Band, SharedImpact, TaxonChecklistEntry
from cairn.atlas.page_words import WORDS, Noun, PageWords, counted, day, noun_for, number
from cairn.core.grid import cell_code
from cairn.core.languages import LANGS, Lang
from cairn.sites.model import PublicSite, SiteHistory, anchor

PAGE_LIST_LIMIT: Final = 200
"""Entries of a list shown on a page (the app shows the rest)."""


class PageLink(msgspec.Struct, frozen=True):
    """An entry of a list on a page: a text, maybe a link, and its language when not the page's."""

    text: str
    href: str | None = None
    lang: str | None = None


class PageSection(msgspec.Struct, frozen=True):
    title: str
    entries: list[PageLink]


class PageChart(msgspec.Struct, frozen=True):
    """Bars drawn in the page itself (SVG): seen before, and without, the app's scripts."""

    title: str
    labels: list[str]
    """Under each bar."""
    names: list[str]
    """Each bar's name in full, for screen readers."""
    values: list[int]


class AtlasPage(msgspec.Struct, frozen=True, kw_only=True):
    """One atlas page in one language: what the HTML says and what its card shows."""

    lang: Lang
    path: str
    """The page's address without the origin (`/atlas/taxon/61098`)."""
    app_route: str | None
    """The field app's screen for the same thing (`#/atlas/taxon/61098`), if it has one."""
    title: str
    description: str
    heading: str
    subheading: str | None = None
    subheading_lang: str | None = None
    figures: list[CardFigure]
    notes: list[str] = []
    charts: list[PageChart] = []
    sections: list[PageSection] = []
    indexable: bool = True
    """False for a contributor's page: shareable, but not for search engines."""
    card: Card


class _Address(TypedDict):
    path: str
    app_route: str
    title: str


def _address(lang: Lang, what: str, key: str | int, name: str) -> _Address:
    """Where an atlas page lives, its screen in the field app, and its title."""
    return _Address(
        path=f"/atlas/{what}/{key}",
        app_route=f"#/atlas/{what}/{key}",
        title=f"{name} · {WORDS[lang].atlas}",
    )


def _card(page_words: PageWords, title: str, subtitle: str | None, **rest: Any) -> Card:
    return Card(kicker=page_words.atlas, title=title, subtitle=subtitle, **rest)


def taxon_page(lang: Lang, taxon: Any, figures: dict[str, Any], *, footer: str) -> AtlasPage:
    """A taxon's page from `GET /atlas/taxa/{cd_nom}`'s taxon and figures."""
    words = WORDS[lang]
    vernacular = getattr(taxon, f"vernacular_{lang}") or (
        taxon.vernacular_fr if lang == "fr" else None
    )
    heading = vernacular or taxon.scientific_name
    scientific = taxon.scientific_name if vernacular else None
    cells = [cell.code for cell in figures["cells"]]
    records = counted(figures["count"], words.records, lang)
    cell_count = counted(len(cells), words.cells, lang)
    notes = [] if figures["count"] else [words.no_records]
    if figures["generalised"]:
        notes.append(words.generalised(figures["generalised"]))
    for label, moment in (
        (words.first_seen, figures["first_seen"]),
        (words.last_seen, figures["last_seen"]),
    ):
        if moment is not None:
            notes.append(f"{label}{_colon(lang)}{day(moment, lang)}")
    shown = heading + (f" ({scientific})" if scientific else "")
    card_figures = _figures(lang, (figures["count"], words.records), (len(cells), words.cells))
    bands: list[Band] = figures["altitude_bands"] or []
    charts = [
        PageChart(
            words.phenology,
            [str(month) for month in range(1, 13)],
            list(words.months),
            figures["months"],
        ),
        *(
            [
                PageChart(
                    words.altitudes,
                    [number(band.low, lang) for band in bands],
                    [f"{number(band.low, lang)}-{number(band.high, lang)} m" for band in bands],
                    [band.count for band in bands],
                )
            ]
            if bands
            else []
        ),
    ]
    return AtlasPage(
        lang=lang,
        **_address(lang, "taxon", taxon.cd_ref, shown),
        description=words.taxon_description(shown, records, cell_count),
        heading=heading,
        subheading=scientific,
        subheading_lang="la" if scientific else None,
        figures=card_figures,
        notes=notes,
        charts=charts,
        sections=[PageSection(words.cells_list, [PageLink(code) for code in cells])]
        if cells
        else [],
        card=_card(words, heading, scientific, figures=card_figures, cells=cells, footer=footer),
    )


def commune_page(
    lang: Lang,
    insee: str,
    name: str,
    figures: dict[str, Any],
    cells: list[str],
    heritage_labels: dict[str, str],
    *,
    footer: str,
) -> AtlasPage:
    """A commune's page from its atlas figures and the cells of its public records."""
    words = WORDS[lang]
    total = sum(count.count for count in figures["by_kind"])
    species: list[TaxonChecklistEntry] = figures["species"]
    heritage: list[AtlasCount] = figures["heritage"]
    card_figures = _figures(
        lang,
        (total, words.records),
        (len(species), words.species),
        (sum(c.count for c in heritage), words.heritage),
    )
    sections = []
    if species:
        sections.append(
            PageSection(
                words.species_list,
                [_taxon_link(entry, lang) for entry in species[:PAGE_LIST_LIMIT]],
            )
        )
    if heritage:
        sections.append(
            PageSection(
                words.heritage_list,
                [
                    PageLink(
                        f"{heritage_labels.get(c.key, c.key)} · {number(c.count, lang)}",
                        f"/atlas/heritage/{c.key}?lang={lang}",
                    )
                    for c in heritage
                ],
            )
        )
    return AtlasPage(
        lang=lang,
        **_address(lang, "commune", insee, name),
        description=words.commune_description(
            name, counted(total, words.records, lang), counted(len(species), words.species, lang)
        ),
        heading=name,
        figures=card_figures,
        notes=[] if total else [words.no_records],
        sections=sections,
        card=_card(
            words, name, None, figures=card_figures, cells=cells, highlight=insee, footer=footer
        ),
    )


def programme_page(
    lang: Lang, programme: Any, figures: dict[str, Any], cells: list[str], *, footer: str
) -> AtlasPage:
    """A programme's page from its atlas figures and the cells of its public records."""
    words = WORDS[lang]
    name: str = getattr(programme.name, lang)
    description: str = getattr(programme.description, lang)
    targets = programme.target_taxa or []
    shown: list[tuple[int, Noun]] = [
        (figures["count"], words.records),
        (len(cells), words.cells),
    ]
    if targets:
        shown.append((len(figures["targets_seen"]), words.targets_seen))
    card_figures = _figures(lang, *shown)
    notes = [description] if description else []
    return AtlasPage(
        lang=lang,
        **_address(lang, "programme", programme.slug, name),
        description=words.programme_description(
            name,
            counted(figures["count"], words.records, lang),
            counted(len(cells), words.cells, lang),
        ),
        heading=name,
        figures=card_figures,
        notes=notes if figures["count"] else [*notes, words.no_records],
        card=_card(words, name, None, figures=card_figures, cells=cells, footer=footer),
    )


def heritage_page(
    lang: Lang,
    labels: dict[str, str],
    figures: AtlasHeritage,
    cells: list[str],
    *,
    footer: str,
) -> AtlasPage:
    """A heritage category's page from its atlas figures and the cells of its public records."""
    words = WORDS[lang]
    label = labels[lang]
    card_figures = _figures(
        lang,
        (figures.count, words.records),
        (len(figures.communes), words.communes),
        (len(cells), words.cells),
    )
    communes = [PageLink(f"{c.key} · {number(c.count, lang)}", lang="fr") for c in figures.communes]
    return AtlasPage(
        lang=lang,
        **_address(lang, "heritage", figures.category, label),
        description=words.heritage_description(
            label,
            counted(figures.count, words.records, lang),
            counted(len(figures.communes), words.communes, lang),
        ),
        heading=label,
        figures=card_figures,
        notes=[] if figures.count else [words.no_records],
        sections=[PageSection(words.communes_list, communes)] if communes else [],
        card=_card(words, label, None, figures=card_figures, cells=cells, footer=footer),
    )


def site_page(lang: Lang, history: SiteHistory, *, footer: str) -> AtlasPage:
    """A monitored site's page from its public view and its visits (the public records only).

    The card shows the site's 10 km cell only when that is no finer than its public view.
    """
    words = WORDS[lang]
    site = history.site
    name: str = getattr(site.name, lang)
    records = sum(visit.records for visit in history.visits)
    card_figures = _figures(lang, (records, words.records), (len(history.visits), words.visits))
    notes = [getattr(site.description, lang)] if site.description is not None else []
    if site.generalisation is not None:
        notes.append(words.site_generalised)
    if not history.visits:
        notes.append(words.no_records)
    visits = [
        PageLink(
            f"{words.date(v.date.day, words.months[v.date.month - 1], v.date.year)}"
            f"{_colon(lang)}{counted(v.records, words.records, lang)}"
            + ("" if v.count is None else f" · {number(v.count, lang)}")
        )
        for v in reversed(history.visits[-PAGE_LIST_LIMIT:])
    ]
    return AtlasPage(
        lang=lang,
        **_address(lang, "site", str(site.id), name),
        description=words.site_description(
            name,
            counted(records, words.records, lang),
            counted(len(history.visits), words.visits, lang),
        ),
        heading=name,
        figures=card_figures,
        notes=notes,
        sections=[PageSection(words.visits_list, visits)] if visits else [],
        card=_card(words, name, None, figures=card_figures, cells=site_cells(site), footer=footer),
    )


def site_cells(site: PublicSite) -> list[str]:
    """The 10 km cell a site's card may show: its own when precise, its public one at level 2."""
    if site.generalisation is None and site.geometry is not None:
        return [cell_code(*anchor(site.geometry), "10km")]
    if site.generalisation is not None and site.generalisation.method == "grid_10km":
        return [site.generalisation.code] if site.generalisation.code else []
    return []


def impact_page(lang: Lang, share_id: str, impact: SharedImpact, *, footer: str) -> AtlasPage:
    """A contributor's shared impact: public counts and the cells of full-precision records."""
    words = WORDS[lang]
    title = words.impact_title(impact.pseudonym)
    card_figures = _figures(
        lang,
        (impact.records, words.records),
        (impact.species, words.species),
        (len(impact.cells), words.cells),
    )
    return AtlasPage(
        lang=lang,
        path=f"/impact/{share_id}",
        app_route=None,
        title=title,
        description=words.impact_description(
            counted(impact.records, words.records, lang),
            counted(impact.species, words.species, lang),
            counted(len(impact.cells), words.cells, lang),
        ),
        heading=title,
        figures=card_figures,
        notes=[words.impact_note],
        indexable=False,
        card=Card(
            kicker="Cairn",
            title=title,
            figures=card_figures,
            cells=impact.cells,
            footer=footer,
        ),
    )


def _figures(lang: Lang, *figures: tuple[int, Noun]) -> list[CardFigure]:
    return [CardFigure(number(value, lang), noun_for(value, noun, lang)) for value, noun in figures]


def _colon(lang: Lang) -> str:
    return "\u202f: " if lang == "fr" else ": "


def _taxon_link(entry: TaxonChecklistEntry, lang: Lang) -> PageLink:
    name = entry.scientific_name or str(entry.cd_ref)
    if lang == "fr" and entry.vernacular_fr:
        name = f"{entry.vernacular_fr} ({name})"
    return PageLink(
        f"{name} · {number(entry.count, lang)}",
        f"/atlas/taxon/{entry.cd_ref}?lang={lang}",
        lang=None if lang == "fr" and entry.vernacular_fr else "la",
    )


# --- HTML ---------------------------------------------------------------------------------

_STYLESHEET: Final = re.compile(r'<link rel="stylesheet"[^>]*>|<style>[^<]*</style>')
_SHELL_MAIN: Final = '<main id="main" tabindex="-1"></main>'
_SHELL_HEAD_TAGS: Final = re.compile(
    r'\s*(<title>[^<]*</title>|<meta (?:name="description"|property="og:[^"]*")[^>]*>)'
)


def page_url(base_url: str, path: str, lang: Lang) -> str:
    """The address of a page in one language: the canonical link of that language's version."""
    return f"{base_url.rstrip('/')}{path}?lang={lang}"


def card_url(base_url: str, path: str, lang: Lang) -> str:
    return f"{base_url.rstrip('/')}{path}/card.png?lang={lang}"


def _head(page: AtlasPage, base_url: str) -> str:
    words = WORDS[page.lang]
    url = page_url(base_url, page.path, page.lang)
    image = card_url(base_url, page.path, page.lang)
    alt = words.card_alt(page.heading)
    alternates: dict[str, str] = {lang: page_url(base_url, page.path, lang) for lang in LANGS}
    alternates["x-default"] = base_url.rstrip("/") + page.path
    tags = [
        f"<title>{escape(page.title)}</title>",
        f'<meta name="description" content={quoteattr(page.description)}>',
        f'<link rel="canonical" href={quoteattr(url)}>',
        *(
            f'<link rel="alternate" hreflang="{lang}" href={quoteattr(address)}>'
            for lang, address in alternates.items()
        ),
        '<meta property="og:site_name" content="Cairn">',
        '<meta property="og:type" content="website">',
        f'<meta property="og:title" content={quoteattr(page.title)}>',
        f'<meta property="og:description" content={quoteattr(page.description)}>',
        f'<meta property="og:url" content={quoteattr(url)}>',
        f'<meta property="og:image" content={quoteattr(image)}>',
        '<meta property="og:image:type" content="image/png">',
        '<meta property="og:image:width" content="1200">',
        '<meta property="og:image:height" content="630">',
        f'<meta property="og:image:alt" content={quoteattr(alt)}>',
        f'<meta property="og:locale" content="{words.og_locale}">',
        *(
            f'<meta property="og:locale:alternate" content="{WORDS[lang].og_locale}">'
            for lang in LANGS
            if lang != page.lang
        ),
        '<meta name="twitter:card" content="summary_large_image">',
        f'<meta name="twitter:title" content={quoteattr(page.title)}>',
        f'<meta name="twitter:description" content={quoteattr(page.description)}>',
        f'<meta name="twitter:image" content={quoteattr(image)}>',
        f'<meta name="twitter:image:alt" content={quoteattr(alt)}>',
    ]
    if not page.indexable:
        tags.append('<meta name="robots" content="noindex">')
    return "\n".join(tags)


def _content(page: AtlasPage) -> str:
    words = WORDS[page.lang]
    parts = [f"<h1>{escape(page.heading)}</h1>"]
    if page.subheading:
        lang = f' lang="{page.subheading_lang}"' if page.subheading_lang else ""
        parts.append(f'<p class="hint"><i{lang}>{escape(page.subheading)}</i></p>')
    parts.append('<div class="figures">')
    for figure in page.figures:
        parts.append(
            f'<div class="figure"><span class="figure-value">{escape(figure.value)}</span>'
            f'<span class="figure-label">{escape(figure.label)}</span></div>'
        )
    parts.append("</div>")
    parts.extend(f"<p>{escape(note)}</p>" for note in page.notes)
    parts.extend(_chart(chart) for chart in page.charts)
    for section in page.sections:
        items = "".join(f"<li>{_entry(entry)}</li>" for entry in section.entries)
        parts.append(f"<section><h2>{escape(section.title)}</h2><ul>{items}</ul></section>")
    card = card_url("", page.path, page.lang)
    parts.append(
        f"<p><img src={quoteattr(card)} alt={quoteattr(words.card_alt(page.heading))} "
        'width="1200" height="630" loading="lazy" decoding="async" '
        'style="max-width:100%;height:auto"></p>'
    )
    app = f"/{page.app_route}" if page.app_route else "/"
    parts.append(f'<p><a class="button" href={quoteattr(app)}>{escape(words.open_in_app)}</a></p>')
    body = "".join(parts)
    return f'<article class="atlas-page" data-server-page="{escape(page.path)}">{body}</article>'


def _chart(chart: PageChart, height: int = 140) -> str:
    """Vertical bars in SVG with the field app's geometry and classes (its stylesheet applies)."""
    width = max(240, len(chart.values) * 28)
    top = max(1, *chart.values)
    step = width / len(chart.values)
    pairs = zip(chart.names, chart.values, strict=True)
    described = ", ".join(f"{name} {value}" for name, value in pairs)
    shapes = []
    for i, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        bar = round(value / top * (height - 16))
        x, middle = i * step + step * 0.15, i * step + step * 0.5
        shapes.append(
            f'<rect x="{x:g}" y="{height - bar}" width="{step * 0.7:g}" height="{bar}" rx="2" '
            'class="bar"></rect>'
        )
        if value > 0:
            shapes.append(
                f'<text x="{middle:g}" y="{height - bar - 3}" text-anchor="middle" '
                f'class="count">{value}</text>'
            )
        shapes.append(
            f'<text x="{middle:g}" y="{height + 16}" text-anchor="middle" class="label">'
            f"{escape(label)}</text>"
        )
    return (
        f"<section><h2>{escape(chart.title)}</h2>"
        f'<svg viewBox="0 0 {width} {height + 24}" role="img" class="chart" '
        f"aria-label={quoteattr(f'{chart.title}: {described}')}>{''.join(shapes)}</svg></section>"
    )


def _entry(entry: PageLink) -> str:
    lang = f' lang="{entry.lang}"' if entry.lang else ""
    if entry.href is None:
        return f"<span{lang}>{escape(entry.text)}</span>"
    return f"<a href={quoteattr(entry.href)}{lang}>{escape(entry.text)}</a>"


def _document(lang: Lang, head: str, content: str, shell: str | None) -> bytes:
    """A page of its own, styled like the app when the app is built (its stylesheet)."""
    stylesheets = "\n".join(_STYLESHEET.findall(shell or ""))
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'{head}\n{stylesheets}\n</head>\n<body>\n<main id="main">{content}</main>\n'
        "</body>\n</html>\n"
    ).encode()


def render_page(page: AtlasPage, base_url: str, shell: str | None) -> bytes:
    """The page's HTML: inside the field app's shell when there is one (the app takes over),
    else a page of its own that links to the app."""
    head, content = _head(page, base_url), _content(page)
    if shell is None or page.app_route is None or _SHELL_MAIN not in shell:
        return _document(page.lang, head, content, shell)
    document = _SHELL_HEAD_TAGS.sub("", shell)
    document = re.sub(r'<html lang="[a-z]+">', f'<html lang="{page.lang}">', document, count=1)
    document = document.replace("</head>", f"{head}\n</head>", 1)
    document = document.replace(_SHELL_MAIN, f'<main id="main" tabindex="-1">{content}</main>', 1)
    return document.encode()


def render_not_found(lang: Lang, shell: str | None) -> bytes:
    """The 404 page of the atlas addresses, in the reader's language, with a way on."""
    words = WORDS[lang]
    head = (
        f'<meta name="robots" content="noindex">\n<title>{escape(words.not_found)} · Cairn</title>'
    )
    content = (
        f"<h1>{escape(words.not_found)}</h1><p>{escape(words.not_found_detail)}</p>"
        f'<p><a class="button" href="/#/atlas">{escape(words.atlas)}</a></p>'
    )
    return _document(lang, head, content, shell)
