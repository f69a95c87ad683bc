"""What the shareable atlas pages and their cards say, in French, English and Italian.

The pages are read by people who followed a link from a chat and by search
engines, so every figure is written out in the page's language, with its
decimal and thousands marks and its month names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

import msgspec

from cairn.core.languages import Lang

TERRITORY_ZONE: Final = ZoneInfo("Europe/Paris")
"""Dates are the territory's calendar days."""


Noun = tuple[str, str]
"""A counted noun: its singular and its plural ("espèce", "espèces")."""


class PageWords(msgspec.Struct, frozen=True, kw_only=True):
    """Every sentence of the atlas pages and cards in one language."""

    og_locale: str
    atlas: str
    tagline: str
    records: Noun
    cells: Noun
    species: Noun
    heritage: Noun
    communes: Noun
    targets_seen: Noun
    first_seen: str
    last_seen: str
    generalised: Callable[[int], str]
    cells_list: str
    phenology: str
    altitudes: str
    species_list: str
    heritage_list: str
    communes_list: str
    no_records: str
    open_in_app: str
    card_alt: Callable[[str], str]
    taxon_description: Callable[[str, str, str], str]
    """(name, records, cells) → the page's description; figures come counted (`counted`)."""
    commune_description: Callable[[str, str, str], str]
    """(commune, records, species)."""
    programme_description: Callable[[str, str, str], str]
    """(programme, records, cells)."""
    heritage_description: Callable[[str, str, str], str]
    """(category, records, communes)."""
    visits: Noun
    visits_list: str
    site_generalised: str
    site_description: Callable[[str, str, str], str]
    """(site, records, visits)."""
    impact_title: Callable[[str | None], str]
    """The impact card's title, with the contributor's pseudonym when they chose one."""
    impact_description: Callable[[str, str, str], str]
    """(records, species, cells)."""
    impact_note: str
    not_found: str
    not_found_detail: str
    months: tuple[str, ...]
    thousands: str
    date: Callable[[int, str, int], str]
    """(day, month name, year) → the date as the language writes it."""


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


WORDS: Final[dict[Lang, PageWords]] = {
    "fr": PageWords(
        og_locale="fr_FR",
        atlas="Atlas Cairn",
        tagline="Espèces et patrimoine des Hautes-Alpes, notés par les visiteurs, validés par "
        "les parcs, ouverts à la science.",
        records=("observation validée", "observations validées"),
        cells=("maille de 10\u00a0km", "mailles de 10\u00a0km"),
        species=("espèce", "espèces"),
        heritage=("élément de patrimoine", "éléments de patrimoine"),
        communes=("commune", "communes"),
        targets_seen=("espèce cible observée", "espèces cibles observées"),
        first_seen="Première observation",
        last_seen="Dernière observation",
        generalised=lambda n: (
            f"{n} observation{_plural(n, '', 's')} "
            f"montrée{_plural(n, '', 's')} à une précision réduite (espèce sensible)."
        ),
        cells_list="Mailles de 10 km (Lambert-93)",
        phenology="Observations par mois",
        altitudes="Observations par tranche d'altitude",
        species_list="Espèces observées",
        heritage_list="Patrimoine observé",
        communes_list="Communes",
        visits=("jour de visite", "jours de visite"),
        visits_list="Visites (observations validées par jour)",
        site_generalised="Site sensible : sa position est publiée à une précision réduite.",
        site_description=lambda site, records, visits: (
            f"{site} : {records} en {visits}, d'après les données ouvertes de Cairn."
        ),
        no_records="Pas encore d'observation validée.",
        open_in_app="Ouvrir dans l'application Cairn",
        card_alt=lambda name: f"Carte de {name} : les mailles de 10 km sur le territoire",
        taxon_description=lambda name, records, cells: (
            f"{name} dans les Hautes-Alpes : "
            f"{records} dans {cells}, d'après les données ouvertes de Cairn."
        ),
        commune_description=lambda commune, records, species: (
            f"{commune} (Hautes-Alpes) : "
            f"{records}, {species}, d'après les données ouvertes de Cairn."
        ),
        programme_description=lambda name, records, cells: (
            f"{name} : {records} dans {cells}, sur Cairn."
        ),
        heritage_description=lambda category, records, communes: (
            f"{category} dans les "
            f"Hautes-Alpes : {records} dans {communes}, d'après les données ouvertes de Cairn."
        ),
        impact_title=lambda who: (
            f"L'impact de {who} sur Cairn" if who else "L'impact d'un contributeur de Cairn"
        ),
        impact_description=lambda records, species, cells: (
            f"{records}, {species}, {cells} dans les Hautes-Alpes."
        ),
        impact_note="Seules les observations validées et publiées comptent ; les espèces "
        "sensibles ne sont pas placées sur la carte.",
        not_found="Page introuvable",
        not_found_detail="Cette page de l'atlas n'existe pas.",
        months=(
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ),
        thousands="\u202f",
        date=lambda day, month, year: f"{'1er' if day == 1 else day} {month} {year}",
    ),
    "en": PageWords(
        og_locale="en_GB",
        atlas="Cairn atlas",
        tagline="Species and heritage of the Hautes-Alpes, recorded by visitors, validated by "
        "the parks, open to science.",
        records=("validated observation", "validated observations"),
        cells=("10\u00a0km cell", "10\u00a0km cells"),
        species=("species", "species"),
        heritage=("heritage item", "heritage items"),
        communes=("commune", "communes"),
        targets_seen=("target species observed", "target species observed"),
        first_seen="First seen",
        last_seen="Last seen",
        generalised=lambda n: (
            f"{n} observation{_plural(n, '', 's')} shown at a reduced "
            "precision (sensitive species)."
        ),
        cells_list="10 km cells (Lambert-93)",
        phenology="Observations per month",
        altitudes="Observations per altitude band",
        species_list="Species observed",
        heritage_list="Heritage observed",
        communes_list="Communes",
        visits=("visit day", "visit days"),
        visits_list="Visits (validated observations per day)",
        site_generalised="A sensitive site: its position is published at a reduced precision.",
        site_description=lambda site, records, visits: (
            f"{site}: {records} over {visits}, from Cairn's open data."
        ),
        no_records="No validated observation yet.",
        open_in_app="Open in the Cairn app",
        card_alt=lambda name: f"Map of {name}: the 10 km cells on the territory",
        taxon_description=lambda name, records, cells: (
            f"{name} in the Hautes-Alpes: {records} in {cells}, from Cairn's open data."
        ),
        commune_description=lambda commune, records, species: (
            f"{commune} (Hautes-Alpes): {records}, {species}, from Cairn's open data."
        ),
        programme_description=lambda name, records, cells: (
            f"{name}: {records} in {cells}, on Cairn."
        ),
        heritage_description=lambda category, records, communes: (
            f"{category} in the Hautes-Alpes: {records} in {communes}, from Cairn's open data."
        ),
        impact_title=lambda who: (
            f"{who}'s impact on Cairn" if who else "A Cairn contributor's impact"
        ),
        impact_description=lambda records, species, cells: (
            f"{records}, {species}, {cells} in the Hautes-Alpes."
        ),
        impact_note="Only validated, published observations count; sensitive species are not "
        "placed on the map.",
        not_found="Page not found",
        not_found_detail="This atlas page does not exist.",
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        thousands=",",
        date=lambda day, month, year: f"{day} {month} {year}",
    ),
    "it": PageWords(
        og_locale="it_IT",
        atlas="Atlante Cairn",
        tagline="Specie e patrimonio delle Hautes-Alpes, segnalati dai visitatori, validati dai "
        "parchi, aperti alla scienza.",
        records=("osservazione validata", "osservazioni validate"),
        cells=("maglia di 10\u00a0km", "maglie di 10\u00a0km"),
        species=("specie", "specie"),
        heritage=("elemento di patrimonio", "elementi di patrimonio"),
        communes=("comune", "comuni"),
        targets_seen=("specie obiettivo osservata", "specie obiettivo osservate"),
        first_seen="Prima osservazione",
        last_seen="Ultima osservazione",
        generalised=lambda n: (
            f"{n} osservazion{_plural(n, 'e mostrata', 'i mostrate')} con "
            "precisione ridotta (specie sensibile)."
        ),
        cells_list="Maglie di 10 km (Lambert-93)",
        phenology="Osservazioni per mese",
        altitudes="Osservazioni per fascia di altitudine",
        species_list="Specie osservate",
        heritage_list="Patrimonio osservato",
        communes_list="Comuni",
        visits=("giorno di visita", "giorni di visita"),
        visits_list="Visite (osservazioni validate per giorno)",
        site_generalised="Sito sensibile: la sua posizione è pubblicata con precisione ridotta.",
        site_description=lambda site, records, visits: (
            f"{site}: {records} in {visits}, secondo i dati aperti di Cairn."
        ),
        no_records="Ancora nessuna osservazione validata.",
        open_in_app="Apri nell'app Cairn",
        card_alt=lambda name: f"Mappa di {name}: le maglie di 10 km sul territorio",
        taxon_description=lambda name, records, cells: (
            f"{name} nelle Hautes-Alpes: {records} in {cells}, dai dati aperti di Cairn."
        ),
        commune_description=lambda commune, records, species: (
            f"{commune} (Hautes-Alpes): {records}, {species}, dai dati aperti di Cairn."
        ),
        programme_description=lambda name, records, cells: (
            f"{name}: {records} in {cells}, su Cairn."
        ),
        heritage_description=lambda category, records, communes: (
            f"{category} nelle Hautes-Alpes: {records} in {communes}, dai dati aperti di Cairn."
        ),
        impact_title=lambda who: (
            f"L'impatto di {who} su Cairn" if who else "L'impatto di un partecipante a Cairn"
        ),
        impact_description=lambda records, species, cells: (
            f"{records}, {species}, {cells} nelle Hautes-Alpes."
        ),
        impact_note="Contano solo le osservazioni validate e pubblicate; le specie sensibili "
        "non sono collocate sulla mappa.",
        not_found="Pagina non trovata",
        not_found_detail="Questa pagina dell'atlante non esiste.",
        months=(
            "gennaio",
            "febbraio",
            "marzo",
            "aprile",
            "maggio",
            "giugno",
            "luglio",
            "agosto",
            "settembre",
            "ottobre",
            "novembre",
            "dicembre",
        ),
        thousands=".",
        date=lambda day, month, year: f"{day} {month} {year}",
    ),
}


def number(value: int, lang: Lang) -> str:
    """A whole number with the language's thousands mark (12 345, 12,345, 12.345)."""
    return f"{value:,}".replace(",", WORDS[lang].thousands)


def day(moment: datetime, lang: Lang) -> str:
    """The calendar day of a moment in the territory, written out (14 juillet 2026)."""
    local = moment.astimezone(TERRITORY_ZONE)
    words = WORDS[lang]
    return words.date(local.day, words.months[local.month - 1], local.year)


def noun_for(value: int, noun: Noun, lang: Lang) -> str:
    """The singular or the plural of `noun` for `value`, as the language says (0 espèce)."""
    return noun[0] if value == 1 or (lang == "fr" and value == 0) else noun[1]


def counted(value: int, noun: Noun, lang: Lang) -> str:
    """A figure and its noun (1 espèce, 2 espèces, 12 345 observations validées)."""
    return f"{number(value, lang)} {noun_for(value, noun, lang)}"
