"""The widget builder: the code a host pastes, and the form that gives it.

A tourism office's webmaster picks a widget and its parameters; the builder
checks them with the widgets' own rules and answers with the one-line script,
the `<iframe>`, and the mistakes next to their fields when there are some.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlencode, urlsplit
from xml.sax.saxutils import quoteattr

import msgspec

from cairn.core.errors import FieldError, InvalidInputError, pointer
from cairn.core.languages import LANGS
from cairn.widgets.messages import error_text
from cairn.widgets.model import SANDBOX, SIZES, WIDGETS, WidgetConfig, parse_widget

IFRAME_STYLE: Final = "border:0;max-width:100%"
"""The pasted <iframe>'s style attribute: no border, never wider than the host's column."""


class Snippets(msgspec.Struct, frozen=True):
    """What a host pastes: the frame's address, an <iframe>, or the one-line script."""

    url: str
    iframe: str
    script: str


def embed_snippets(base_url: str, config: WidgetConfig) -> Snippets:
    """The two ways to embed a checked widget, with exactly its parameters."""
    params: dict[str, str] = {"lang": config.lang, "size": config.size, "theme": config.theme}
    if "programme" in config.query:
        params["programme"] = config.query["programme"]
    if "commune" in config.query:
        params["commune"] = config.query["commune"]
    if config.near is not None and config.radius_km is not None and config.days is not None:
        params.update(
            near=",".join(_decimal(v) for v in config.near),
            radius_km=_decimal(config.radius_km),
            days=str(config.days),
        )
    base = base_url.rstrip("/")
    url = f"{base}/widgets/{config.widget}?{urlencode(params, safe=',')}"
    title = config.heading + (f" · {config.subtitle}" if config.subtitle else "")
    size = SIZES[config.size]
    iframe = (
        f'<iframe src={quoteattr(url)} title={quoteattr(title)} width="{size.width}" '
        f'height="{size.height}" style="{IFRAME_STYLE}" loading="lazy" '
        f'sandbox="{SANDBOX}"></iframe>'
    )
    data = "".join(
        f" data-{name.replace('_', '-')}={quoteattr(value)}" for name, value in params.items()
    )
    script = (
        f'<script src="{base}/widgets/embed.js" data-widget="{config.widget}"{data} async></script>'
    )
    return Snippets(url=url, iframe=iframe, script=script)


def _decimal(value: float) -> str:
    """6 decimals at most (10 cm), no trailing zeros."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


class BuilderWords(msgspec.Struct, frozen=True, kw_only=True):
    """The widget builder's words in one language (the page hosts' webmasters use)."""

    title: str
    intro: str
    widget: str
    programme: str
    programme_hint: str
    commune: str
    commune_hint: str
    near: str
    near_hint: str
    radius_km: str
    days: str
    lang: str
    size: str
    theme: str
    sizes: dict[str, str]
    themes: dict[str, str]
    show: str
    errors: str
    preview: str
    script: str
    iframe: str
    origins: str
    ui_lang: str


BUILDER_WORDS: Final[dict[str, BuilderWords]] = {
    "fr": BuilderWords(
        title="Des widgets Cairn pour votre site",
        intro=(
            "Montrez à vos visiteurs ce qui est observé autour de vous, d'après les données "
            "ouvertes de Cairn. Choisissez un widget puis collez l'un des deux codes dans "
            "votre page."
        ),
        widget="Widget",
        programme="Programme",
        programme_hint="Identifiant du programme ; obligatoire pour « Avancement du programme ».",
        commune="Commune",
        commune_hint="Pour « Espèce du mois ».",
        near="Position (longitude,latitude)",
        near_hint="Pour « Observations récentes », par exemple 6.6433,44.8986.",
        radius_km="Rayon (km)",
        days="Jours en arrière",
        lang="Langue du widget",
        size="Taille",
        theme="Thème",
        sizes={"small": "petite", "medium": "moyenne", "large": "grande"},
        themes={"light": "clair", "dark": "sombre"},
        show="Afficher le code",
        errors="À corriger :",
        preview="Aperçu",
        script="Une ligne à coller (script)",
        iframe="Ou une iframe",
        origins="Sites autorisés à intégrer les widgets :",
        ui_lang="Langue de cette page",
    ),
    "en": BuilderWords(
        title="Cairn widgets for your website",
        intro=(
            "Show your visitors what is observed around you, from Cairn's open data. "
            "Choose a widget, then paste one of the two codes into your page."
        ),
        widget="Widget",
        programme="Programme",
        programme_hint="The programme's identifier; required for “Programme progress”.",
        commune="Commune",
        commune_hint="For “Species of the month”.",
        near="Position (longitude,latitude)",
        near_hint="For “Recent observations”, e.g. 6.6433,44.8986.",
        radius_km="Radius (km)",
        days="Days back",
        lang="Widget language",
        size="Size",
        theme="Theme",
        sizes={"small": "small", "medium": "medium", "large": "large"},
        themes={"light": "light", "dark": "dark"},
        show="Show the code",
        errors="Please correct:",
        preview="Preview",
        script="One line to paste (script)",
        iframe="Or an iframe",
        origins="Sites allowed to embed the widgets:",
        ui_lang="Language of this page",
    ),
    "it": BuilderWords(
        title="Widget Cairn per il vostro sito",
        intro=(
            "Mostrate ai vostri visitatori ciò che viene osservato intorno a voi, dai dati "
            "aperti di Cairn. Scegliete un widget e incollate uno dei due codici nella "
            "vostra pagina."
        ),
        widget="Widget",
        programme="Programma",
        programme_hint=(
            "Identificativo del programma; obbligatorio per «Avanzamento del programma»."
        ),
        commune="Comune",
        commune_hint="Per «Specie del mese».",
        near="Posizione (longitudine,latitudine)",
        near_hint="Per «Osservazioni recenti», ad esempio 6.6433,44.8986.",
        radius_km="Raggio (km)",
        days="Giorni indietro",
        lang="Lingua del widget",
        size="Dimensione",
        theme="Tema",
        sizes={"small": "piccola", "medium": "media", "large": "grande"},
        themes={"light": "chiaro", "dark": "scuro"},
        show="Mostra il codice",
        errors="Da correggere:",
        preview="Anteprima",
        script="Una riga da incollare (script)",
        iframe="Oppure un iframe",
        origins="Siti autorizzati a incorporare i widget:",
        ui_lang="Lingua di questa pagina",
    ),
}
LANGUAGE_NAMES: Final = {"fr": "Français", "en": "English", "it": "Italiano"}


class BuilderForm(msgspec.Struct, frozen=True, kw_only=True):
    """What the builder page shows: the values typed, their errors, and the result."""

    ui: str
    values: dict[str, str]
    errors: dict[str, str]
    """Parameter name → what is wrong with it."""
    snippets: Snippets | None
    communes: Mapping[str, str]
    origins: tuple[str, ...]


def prepare_builder(
    ui: str | None,
    query: dict[str, str | None],
    *,
    base_url: str,
    communes: Mapping[str, str],
    origins: tuple[str, ...],
) -> BuilderForm:
    """Check what the host chose; its snippets when valid, else each field's problem.

    A form shows its own mistakes next to the fields (it is a page for people),
    so they come back as values, not as an error answer.
    """
    values = {name: value for name, value in query.items() if value is not None}
    language = LANGS[LANGS.index(ui)] if ui in LANGS else LANGS[0]
    errors: dict[str, str] = {}
    snippets = None
    widget = values.pop("widget", None)
    if widget is not None and widget not in WIDGETS:
        unknown = FieldError(pointer("query", "widget"), "not_allowed", "no such widget")
        errors["widget"] = error_text(unknown, language)
    elif widget is not None:
        try:
            config = parse_widget(widget, base_url=base_url, communes=communes, **values)
        except InvalidInputError as exc:
            errors = {
                e.pointer.removeprefix("/query/"): error_text(e, language) for e in exc.errors
            }
        else:
            snippets = embed_snippets(base_url, config)
    if widget is not None:
        values["widget"] = widget
    return BuilderForm(
        ui=language,
        values=values,
        errors=errors,
        snippets=snippets,
        communes=communes,
        origins=origins,
    )


def builder_content_security_policy(base_url: str) -> str:
    """The builder's CSP: no script, framed by nobody, and its preview allowed to load.

    The preview is the very `<iframe>` a host pastes: its `src` is the public
    address (`base_url`), which need not be the origin the builder was opened
    on (`localhost` and `127.0.0.1`, or a proxy's inner name), and it carries
    the style attribute `IFRAME_STYLE`, allowed by its hash and nothing else.
    """
    parts = urlsplit(base_url)
    public = f"{parts.scheme}://{parts.netloc}"
    digest = base64.b64encode(hashlib.sha256(IFRAME_STYLE.encode()).digest()).decode()
    return (
        f"default-src 'none'; style-src 'self' 'unsafe-hashes' 'sha256-{digest}'; "
        f"frame-src 'self' {public}; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
