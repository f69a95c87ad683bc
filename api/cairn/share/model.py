"""Trail QR codes and posters: what they point to and what they say.

A code on a trailhead or an information board opens the field app on one
programme (see "Deep links into the field app" in the contracts), optionally
with the place's name and a language. Everything here is pure; drawing the
code and the poster is `cairn.share.posters`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final
from urllib.parse import quote, urlencode
from uuid import UUID

import msgspec

from cairn.core.errors import InvalidInputError
from cairn.core.languages import LANGS
from cairn.core.queryparams import QueryErrors

PLACE_MAX_LENGTH: Final = 60
"""Long enough for "Refuge du Pré de Madame Carle", short enough for a scannable code."""
QR_FORMATS: Final = ("svg", "png")
POSTER_FORMATS: Final = ("pdf", "svg")
DEFAULT_SCALE: Final = 10
"""PNG pixels (SVG units) per module: a 37-module code is 450 px with its border."""
MAX_SCALE: Final = 40
PDF_ENCODING: Final = "windows-1252"
"""The PDF uses the viewer's built-in Helvetica, which covers French and Italian."""


class ShareTarget(msgspec.Struct, frozen=True, kw_only=True):
    """Where a code sends the visitor: a programme, maybe a place, maybe a language."""

    programme: str
    place: str | None = None
    lang: str | None = None
    site: UUID | None = None
    """A monitored site of the programme: the app opens its record form on it."""


class CallToAction(msgspec.Struct, frozen=True):
    """The poster's words in one language."""

    headline: str
    body: str
    scan: str
    offline: str


CALLS_TO_ACTION: Final[dict[str, CallToAction]] = {
    "fr": CallToAction(
        headline="Participez à la science !",
        body=(
            "Un animal, une plante, un élément du patrimoine ? Notez-le avec l'application "
            "Cairn : après vérification, votre observation devient une donnée ouverte "
            "pour la science."
        ),
        scan="Scannez le code pour ouvrir l'application sur ce programme.",
        offline="Une fois installée, l'application fonctionne sans réseau.",
    ),
    "en": CallToAction(
        headline="Take part in science!",
        body=(
            "An animal, a plant, a piece of local heritage? Record it with the Cairn app: "
            "once checked, your observation becomes open data for science."
        ),
        scan="Scan the code to open the app on this programme.",
        offline="Once installed, the app works without a network.",
    ),
    "it": CallToAction(
        headline="Partecipate alla scienza!",
        body=(
            "Un animale, una pianta, un elemento del patrimonio? Annotatelo con l'app Cairn: "
            "dopo la verifica, la vostra osservazione diventa un dato aperto per la scienza."
        ),
        scan="Inquadrate il codice per aprire l'app su questo programma.",
        offline="Una volta installata, l'app funziona anche senza rete.",
    ),
}


class ShareRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A checked QR or poster request."""

    target: ShareTarget
    format: str
    scale: int = DEFAULT_SCALE
    poster_lang: str = LANGS[0]
    """The language that leads on a poster; the link forces none unless `lang` is given."""


def parse_request(
    *,
    programme: str | None,
    place: str | None,
    lang: str | None,
    fmt: str | None,
    formats: tuple[str, ...],
    scale: str | None = None,
    poster_lang: str | None = None,
    site: str | None = None,
) -> ShareRequest:
    """Check a QR or poster query; raise listing every bad parameter at once."""
    errors = QueryErrors()
    site_id = None
    if site:
        try:
            site_id = UUID(site)
        except ValueError:
            errors.add("site", "invalid_format", "site must be a site's id (a UUID)")
    slug = errors.slug("programme", programme)
    label = errors.label("place", place, PLACE_MAX_LENGTH)
    language = errors.choice("lang", lang, LANGS, "") or None
    leading = errors.choice("poster_lang", poster_lang, LANGS, language or LANGS[0])
    chosen = errors.choice("format", fmt, formats, formats[0])
    size = errors.integer("scale", scale, 1, MAX_SCALE, DEFAULT_SCALE)
    if chosen == "pdf" and label is not None and not pdf_printable(label):
        errors.add(
            "place",
            "invalid_character",
            "the PDF poster prints Western European characters only; use format=svg",
        )
    if errors.errors or slug is None:
        raise InvalidInputError(errors.errors, "Invalid share parameters")
    target = ShareTarget(programme=slug, place=label, lang=language, site=site_id)
    return ShareRequest(target=target, format=chosen, scale=size, poster_lang=leading)


def pdf_printable(text: str) -> bool:
    """Whether the PDF's built-in Helvetica (Windows-1252) can print `text`."""
    try:
        text.encode(PDF_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def deep_link(base_url: str, target: ShareTarget) -> str:
    """The field-app address that preselects the programme (contract: deep links)."""
    pairs = [("programme", target.programme)]
    if target.place is not None:
        pairs.append(("place", target.place))
    if target.lang is not None:
        pairs.append(("lang", target.lang))
    if target.site is not None:
        pairs.append(("site", str(target.site)))
    return f"{base_url.rstrip('/')}/?{urlencode(pairs, quote_via=quote)}"


def programme_title(slug: str, names: Mapping[str, str] | None, lang: str | None) -> str:
    """The programme's name in `lang` (French by default), or its slug if it has none."""
    if not names:
        return slug
    return names.get(lang or LANGS[0]) or names.get(LANGS[0]) or slug


def poster_languages(first: str) -> list[str]:
    """The poster speaks all three languages, `first` first."""
    return [first, *(other for other in LANGS if other != first)]


def file_stem(target: ShareTarget, what: str) -> str:
    """A download name made only of the slug, safe in any Content-Disposition."""
    return f"cairn-{target.programme}-{what}"
