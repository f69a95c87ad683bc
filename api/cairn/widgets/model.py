"""Embeddable widgets: what a host page may ask for, and what the widget says.

A hotel, a campsite, a ski resort or a tourism office pastes one line; the
widget page then reads only the public open-data API (`GET /api/v1/observations`)
from the visitor's browser, so it can never show more than the open data does.
This module checks the widget's parameters and prepares the page's
configuration: the open-data query to send, the sizes and the words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Final
from urllib.parse import urlsplit

import msgspec

from cairn.core.errors import InvalidInputError
from cairn.core.languages import LANGS
from cairn.core.queryparams import QueryErrors
from cairn.share.model import ShareTarget, deep_link, programme_title

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
    communes: Mapping[str, str],
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
    query: dict[str, str] = {"occurrence_status": "present"}  # what was found, never absences
    if slug:
        query["programme"] = slug
    words = WORDS[language]
    config = WidgetConfig(
        widget=widget,
        lang=language,
        size=size_name,
        theme=theme_name,
        items=SIZES[size_name].items,
        heading=words.titles[widget],
        subtitle=programme_title(slug, None, language) if slug else None,
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


def _commune(errors: QueryErrors, raw: str | None, communes: Mapping[str, str]) -> str | None:
    if raw is None or raw == "":
        errors.add("commune", "missing", "commune is required, as its INSEE code (e.g. 05023)")
        return None
    if raw not in communes:
        errors.add(
            "commune", "unknown_commune", "commune is not the INSEE code of a covered commune"
        )
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
