"""Embeddable widgets: what a host page may ask for, and what the widget says.

A hotel, a campsite, a ski resort or a tourism office pastes one line; the
widget page then reads only the public open-data API (`GET /api/v1/observations`)
from the visitor's browser, so it can never show more than the open data does.
This module checks the widget's parameters and prepares the page's
configuration: the open-data query to send, the sizes and the words.
"""

from __future__ import annotations

import math
from typing import Final
from urllib.parse import urlencode, urlsplit
from xml.sax.saxutils import quoteattr

import msgspec

from cairn.domain.errors import InvalidInputError
from cairn.domain.queryparams import LANGS, QueryErrors
from cairn.domain.share import ShareTarget, deep_link, programme_title

WIDGETS: Final = ("recent", "species-of-the-month", "programme")
THEMES: Final = ("light", "dark")
EARTH_RADIUS_KM: Final = 6371.0088
RADIUS_KM: Final = (0.5, 50.0, 5.0)
"""Allowed radius around `near`: low, high, default."""
DAYS: Final = (1, 365, 30)
"""How far back "recent" looks: low, high, default."""


SANDBOX: Final = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox"
"""The frame may run its script, read the API on its own origin and open links in a new
tab; it may not navigate the host page, submit forms or open dialogs."""


class Size(msgspec.Struct, frozen=True):
    """An iframe's box (CSS pixels) and how many entries fit in it."""

    width: int
    height: int
    items: int


SIZES: Final[dict[str, Size]] = {
    "small": Size(300, 280, 3),
    "medium": Size(360, 420, 5),
    "large": Size(480, 600, 10),
}


class Words(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a widget writes, in one language."""

    titles: dict[str, str]
    loading: str
    noscript: str
    empty: str
    failed: str
    observation: str
    observations: str
    species: str
    communes: str
    contributors: str
    this_month: str
    per_month: str
    at_least: str
    generalised: str
    km: str
    credit: str
    contribute: str
    open_data: str


WORDS: Final[dict[str, Words]] = {
    "fr": Words(
        titles={
            "recent": "Observations récentes près d'ici",
            "species-of-the-month": "Espèce du mois",
            "programme": "Avancement du programme",
        },
        loading="Chargement…",
        noscript="Ce widget a besoin de JavaScript pour lire les données ouvertes.",
        empty="Aucune observation publiée pour l'instant.",
        failed="Les données ne sont pas disponibles pour le moment.",
        observation="observation",
        observations="observations",
        species="espèces",
        communes="communes",
        contributors="contributeurs",
        this_month="ce mois-ci",
        per_month="Observations par mois",
        at_least="au moins",
        generalised="position floutée",
        km="km",
        credit="Photo",
        contribute="Participer",
        open_data="Données ouvertes Cairn",
    ),
    "en": Words(
        titles={
            "recent": "Recent observations near here",
            "species-of-the-month": "Species of the month",
            "programme": "Programme progress",
        },
        loading="Loading…",
        noscript="This widget needs JavaScript to read the open data.",
        empty="No published observation yet.",
        failed="The data is not available right now.",
        observation="observation",
        observations="observations",
        species="species",
        communes="communes",
        contributors="contributors",
        this_month="this month",
        per_month="Observations per month",
        at_least="at least",
        generalised="blurred location",
        km="km",
        credit="Photo",
        contribute="Take part",
        open_data="Cairn open data",
    ),
    "it": Words(
        titles={
            "recent": "Osservazioni recenti qui vicino",
            "species-of-the-month": "Specie del mese",
            "programme": "Avanzamento del programma",
        },
        loading="Caricamento…",
        noscript="Questo widget ha bisogno di JavaScript per leggere i dati aperti.",
        empty="Ancora nessuna osservazione pubblicata.",
        failed="I dati non sono disponibili al momento.",
        observation="osservazione",
        observations="osservazioni",
        species="specie",
        communes="comuni",
        contributors="partecipanti",
        this_month="questo mese",
        per_month="Osservazioni al mese",
        at_least="almeno",
        generalised="posizione sfumata",
        km="km",
        credit="Foto",
        contribute="Partecipa",
        open_data="Dati aperti Cairn",
    ),
}


class WidgetConfig(msgspec.Struct, frozen=True, kw_only=True):
    """A checked widget request, and what its page's script needs (sent as JSON)."""

    widget: str
    lang: str
    size: str
    theme: str
    items: int
    heading: str
    subtitle: str | None
    api: str
    query: dict[str, str]
    """The open-data filters; the script adds `limit`, `from` and follows `next`."""
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    days: int | None = None
    contribute: str | None = None
    words: Words


API_PATH: Final = "../api/v1/observations"
"""Relative to the widget page, so a Cairn served under a path prefix still works."""


def parse_widget(
    widget: str,
    *,
    base_url: str,
    communes: dict[str, str],
    lang: str | None = None,
    size: str | None = None,
    theme: str | None = None,
    programme: str | None = None,
    commune: str | None = None,
    near: str | None = None,
    radius_km: str | None = None,
    days: str | None = None,
) -> WidgetConfig:
    """Check a widget's query (every bad parameter reported at once) and configure it."""
    errors = QueryErrors()
    language = errors.choice("lang", lang, LANGS, LANGS[0])
    size_name = errors.choice("size", size, tuple(SIZES), "medium")
    theme_name = errors.choice("theme", theme, THEMES, THEMES[0])
    slug = errors.slug("programme", programme, required=widget == "programme")
    query: dict[str, str] = {"programme": slug} if slug else {}
    words = WORDS[language]
    config = WidgetConfig(
        widget=widget,
        lang=language,
        size=size_name,
        theme=theme_name,
        items=SIZES[size_name].items,
        heading=words.titles[widget],
        subtitle=programme_title(slug) if slug else None,
        api=API_PATH,
        query=query,
        words=words,
    )
    if widget == "recent":
        point = errors.point("near", near)
        radius = errors.number("radius_km", radius_km, *RADIUS_KM)
        back = errors.integer("days", days, *DAYS)
        if point is not None:
            query["bbox"] = ",".join(f"{v:.5f}" for v in bbox_around(*point, radius))
        config = msgspec.structs.replace(config, near=point, radius_km=radius, days=back)
    elif widget == "species-of-the-month":
        insee = _commune(errors, commune, communes)
        if insee is not None:
            query.update(commune=insee, kind="species")
            config = msgspec.structs.replace(config, subtitle=communes[insee])
    elif slug is not None:
        target = ShareTarget(programme=slug, lang=language)
        config = msgspec.structs.replace(config, contribute=deep_link(base_url, target))
    if errors.errors:
        raise InvalidInputError(errors.errors, "Invalid widget parameters")
    return config


def _commune(errors: QueryErrors, raw: str | None, communes: dict[str, str]) -> str | None:
    if raw is None or raw == "":
        errors.add("commune", "missing", "commune is required, as its INSEE code (e.g. 05023)")
        return None
    if raw not in communes:
        errors.add("commune", "not_allowed", "commune is not the INSEE code of a covered commune")
        return None
    return raw


def bbox_around(lon: float, lat: float, radius_km: float) -> tuple[float, float, float, float]:
    """The lon/lat box that holds the circle of `radius_km` around a point (clamped to WGS84).

    The open-data API filters by box; the widget then keeps what lies within
    the circle itself.
    """
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(min(abs(lat) + dlat, 89.9)))
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return (
        max(-180.0, lon - dlon),
        max(-90.0, lat - dlat),
        min(180.0, lon + dlon),
        min(90.0, lat + dlat),
    )


def content_security_policy(frame_ancestors: tuple[str, ...], base_url: str) -> str:
    """The widget page's CSP: its own script and style, the API on its origin, photos
    from here or the public host, and embedding only by the allowed origins."""
    parts = urlsplit(base_url)
    public = f"{parts.scheme}://{parts.netloc}"
    ancestors = "*" if "*" in frame_ancestors else " ".join(("'self'", *frame_ancestors))
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        f"img-src 'self' {public}; base-uri 'none'; form-action 'none'; "
        f"frame-ancestors {ancestors}"
    )


def cors_origin(allowed: tuple[str, ...], origin: str | None) -> str | None:
    """`Access-Control-Allow-Origin` for a cross-origin read of the embed script, if allowed."""
    if "*" in allowed:
        return "*"
    if origin is None:
        return None
    for pattern in allowed:
        if origin == pattern:
            return origin
        scheme, _, host = pattern.partition("://*.")
        if host and origin.startswith(f"{scheme}://") and origin.endswith(f".{host}"):
            return origin
    return None


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
        f'height="{size.height}" style="border:0;max-width:100%" loading="lazy" '
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
    communes: dict[str, str]
    origins: tuple[str, ...]


def prepare_builder(
    ui: str | None,
    query: dict[str, str | None],
    *,
    base_url: str,
    communes: dict[str, str],
    origins: tuple[str, ...],
) -> BuilderForm:
    """Check what the host chose; its snippets when valid, else each field's problem.

    A form shows its own mistakes next to the fields (it is a page for people),
    so they come back as values, not as an error answer.
    """
    values = {name: value for name, value in query.items() if value is not None}
    language = ui if ui in LANGS else LANGS[0]
    errors: dict[str, str] = {}
    snippets = None
    widget = values.pop("widget", None)
    if widget is not None and widget not in WIDGETS:
        errors["widget"] = f"widget must be one of {', '.join(WIDGETS)}"
    elif widget is not None:
        try:
            config = parse_widget(widget, base_url=base_url, communes=communes, **values)
        except InvalidInputError as exc:
            errors = {e.pointer.removeprefix("/query/"): e.detail for e in exc.errors}
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
