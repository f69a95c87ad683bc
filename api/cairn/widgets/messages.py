"""What a widget or the builder says about a bad parameter, in the widget's language.

The checks (`cairn.core.queryparams`) report each bad parameter with a stable
code and an English detail; a French or Italian widget, and the builder in
those languages, say the same thing in their own language. Limits come from
the widgets' own rules, so a text never disagrees with the check.
"""

from __future__ import annotations

from typing import Final

from cairn.core.errors import FieldError
from cairn.core.languages import LANGS, Lang
from cairn.widgets.model import DAYS, RADIUS_KM, SIZES, THEMES, WIDGETS


def _number(value: float, lang: Lang) -> str:
    text = f"{value:g}"
    return text if lang == "en" else text.replace(".", ",")


def _either(values: tuple[str, ...] | list[str], lang: Lang) -> str:
    last = {"fr": "ou", "en": "or", "it": "o"}[lang]
    return f"{', '.join(values[:-1])} {last} {values[-1]}"


def _texts(lang: Lang) -> dict[str, str]:
    """Parameter `name.code` → its sentence in `lang`."""
    low, high = (_number(limit, lang) for limit in RADIUS_KM[:2])
    first, last, _ = DAYS
    languages, sizes = _either(LANGS, lang), _either(list(SIZES), lang)
    themes, widgets = _either(THEMES, lang), _either(WIDGETS, lang)
    return {
        "fr": {
            "near.missing": "La position (near) est obligatoire, sous la forme "
            "longitude,latitude (par exemple 6.6433,44.8986).",
            "near.invalid_format": "La position (near) s'écrit longitude,latitude en degrés "
            "décimaux (par exemple 6.6433,44.8986).",
            "near.out_of_range": "La position (near) est hors limites : longitude entre -180 "
            "et 180, latitude entre -90 et 90.",
            "radius_km.invalid_format": "Le rayon (radius_km) doit être un nombre.",
            "radius_km.out_of_range": "Le rayon (radius_km) doit être compris entre "
            f"{low} et {high} km.",
            "days.invalid_format": "Le nombre de jours (days) doit être un nombre entier.",
            "days.out_of_range": "Le nombre de jours (days) doit être compris entre "
            f"{first} et {last}.",
            "commune.missing": "La commune est obligatoire, par son code INSEE "
            "(par exemple 05023).",
            "commune.unknown_commune": "Ce n'est pas le code INSEE d'une commune du territoire.",
            "programme.missing": "Le programme est obligatoire.",
            "programme.too_long": "L'identifiant du programme a 63 caractères au plus.",
            "programme.invalid_format": "L'identifiant du programme s'écrit en minuscules, "
            "chiffres, « - » ou « _ », et commence par une lettre.",
            "lang.not_allowed": f"La langue (lang) doit être {languages}.",
            "size.not_allowed": f"La taille (size) doit être {sizes}.",
            "theme.not_allowed": f"Le thème (theme) doit être {themes}.",
            "widget.not_allowed": f"Le widget doit être {widgets}.",
            "invalid": "Ce paramètre est donné plusieurs fois.",
        },
        "en": {
            "near.missing": "The position (near) is required, as longitude,latitude "
            "(e.g. 6.6433,44.8986).",
            "near.invalid_format": "The position (near) is written longitude,latitude in "
            "decimal degrees (e.g. 6.6433,44.8986).",
            "near.out_of_range": "The position (near) is out of range: longitude within "
            "-180 to 180, latitude within -90 to 90.",
            "radius_km.invalid_format": "The radius (radius_km) must be a number.",
            "radius_km.out_of_range": "The radius (radius_km) must be between "
            f"{low} and {high} km.",
            "days.invalid_format": "The number of days (days) must be a whole number.",
            "days.out_of_range": f"The number of days (days) must be between {first} and {last}.",
            "commune.missing": "The commune is required, as its INSEE code (e.g. 05023).",
            "commune.unknown_commune": "This is not the INSEE code of a commune of the territory.",
            "programme.missing": "The programme is required.",
            "programme.too_long": "The programme's identifier has at most 63 characters.",
            "programme.invalid_format": "The programme's identifier is lowercase letters, "
            "digits, '-' or '_', starting with a letter.",
            "lang.not_allowed": f"The language (lang) must be {languages}.",
            "size.not_allowed": f"The size (size) must be {sizes}.",
            "theme.not_allowed": f"The theme (theme) must be {themes}.",
            "widget.not_allowed": f"The widget must be {widgets}.",
            "invalid": "This parameter is given more than once.",
        },
        "it": {
            "near.missing": "La posizione (near) è obbligatoria, nella forma "
            "longitudine,latitudine (ad esempio 6.6433,44.8986).",
            "near.invalid_format": "La posizione (near) si scrive longitudine,latitudine in "
            "gradi decimali (ad esempio 6.6433,44.8986).",
            "near.out_of_range": "La posizione (near) è fuori dai limiti: longitudine tra "
            "-180 e 180, latitudine tra -90 e 90.",
            "radius_km.invalid_format": "Il raggio (radius_km) deve essere un numero.",
            "radius_km.out_of_range": "Il raggio (radius_km) deve essere compreso tra "
            f"{low} e {high} km.",
            "days.invalid_format": "Il numero di giorni (days) deve essere un numero intero.",
            "days.out_of_range": "Il numero di giorni (days) deve essere compreso tra "
            f"{first} e {last}.",
            "commune.missing": "Il comune è obbligatorio, con il suo codice INSEE "
            "(ad esempio 05023).",
            "commune.unknown_commune": "Questo non è il codice INSEE di un comune del territorio.",
            "programme.missing": "Il programma è obbligatorio.",
            "programme.too_long": "L'identificativo del programma ha al massimo 63 caratteri.",
            "programme.invalid_format": "L'identificativo del programma si scrive in "
            "minuscole, cifre, «-» o «_», e inizia con una lettera.",
            "lang.not_allowed": f"La lingua (lang) deve essere {languages}.",
            "size.not_allowed": f"La dimensione (size) deve essere {sizes}.",
            "theme.not_allowed": f"Il tema (theme) deve essere {themes}.",
            "widget.not_allowed": f"Il widget deve essere {widgets}.",
            "invalid": "Questo parametro è indicato più volte.",
        },
    }[lang]


TEXTS: Final[dict[Lang, dict[str, str]]] = {lang: _texts(lang) for lang in LANGS}
TITLES: Final[dict[Lang, str]] = {
    "fr": "Paramètres du widget incorrects",
    "en": "Invalid widget parameters",
    "it": "Parametri del widget non validi",
}


def error_text(error: FieldError, lang: Lang) -> str:
    """The sentence for one bad parameter in `lang` (the check's own detail if none is written)."""
    name = error.pointer.removeprefix("/query/")
    texts = TEXTS[lang]
    return texts.get(f"{name}.{error.code}") or texts.get(error.code) or error.detail


def localised(errors: list[FieldError], lang: Lang) -> list[FieldError]:
    """The same errors (pointers and codes unchanged) with their details in `lang`."""
    return [FieldError(e.pointer, e.code, error_text(e, lang)) for e in errors]
