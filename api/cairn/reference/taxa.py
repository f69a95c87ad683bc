"""Taxon records from the two files a park has: TAXREF, or the park's own list.

Pure parsing: one row in, one `TaxonRecord` (or an error naming the line)
out. TAXREF (MNHN) is tab-separated with upper-case columns and gives the
parent chain (CD_SUP) and rank; the Écrins park list bundled with Cairn
(`taxa_pne.csv`) is comma-separated, keyed by the same CD_NOM/CD_REF, with
the park's protection attributes but no parent chain.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final, Literal

import msgspec

TaxonSource = Literal["taxref", "pne"]
DEFAULT_SENSITIVE_LEVEL: Final = 2
"""Cairn's default until a park loads the national sensitivity referential (standards.md §3)."""

TAXREF_REQUIRED: Final = ("CD_NOM", "CD_REF", "LB_NOM")
PNE_REQUIRED: Final = ("cd_nom", "cd_ref", "nom_pne")
PNE_ATTRIBUTES: Final = (
    "listes_pne",
    "reglemente",
    "responsabilite_pne",
    "population",
    "reproducteur",
    "migrateur",
    "chorologie",
    "milieu",
    "mobile_class_id",
)
_AUTHOR_START = re.compile(r"^(\(|[A-ZÀ-Ý]|d'|de |van |von )")
_RANK_WORDS = {"subsp.": "SSES", "var.": "VAR", "f.": "FO"}


class TaxonFormatError(ValueError):
    """A row of a taxon file cannot be read; `line` is 1-based, the header is line 1."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


class TaxonRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One name, ready for the `taxon` table. None means "unknown in this source"."""

    cd_nom: int
    cd_ref: int
    cd_sup: int | None = None
    rank: str | None = None
    scientific_name: str
    authority: str | None = None
    full_name: str | None = None
    vernacular_fr: str | None = None
    vernacular_en: str | None = None
    kingdom: str | None = None
    phylum: str | None = None
    class_: str | None = None
    order: str | None = None
    family: str | None = None
    genus: str | None = None
    group1_inpn: str | None = None
    group2_inpn: str | None = None
    group3_inpn: str | None = None
    protected: bool | None = None
    patrimonial: bool | None = None
    sensitivity_level: int | None = None
    attributes: dict[str, Any] | None = None
    source: TaxonSource


def detect_source(header: list[str]) -> TaxonSource:
    """Which file this is, from its header; a clear error when it is neither."""
    if all(column in header for column in TAXREF_REQUIRED):
        return "taxref"
    if all(column in header for column in PNE_REQUIRED):
        return "pne"
    raise TaxonFormatError(
        1,
        "unknown taxon file: expected TAXREF columns "
        f"({', '.join(TAXREF_REQUIRED)}, tab-separated) or the park list columns "
        f"({', '.join(PNE_REQUIRED)})",
    )


def _code(row: Mapping[str, str], column: str, line: int, *, required: bool) -> int | None:
    raw = (row.get(column) or "").strip()
    if not raw:
        if required:
            raise TaxonFormatError(line, f"{column} is empty")
        return None
    if not raw.isdigit() or int(raw) == 0:
        raise TaxonFormatError(line, f"{column} must be a positive whole number, got {raw!r}")
    return int(raw)


def _text(row: Mapping[str, str], column: str) -> str | None:
    value = (row.get(column) or "").strip()
    return None if value in {"", "None"} else value  # the park export wrote Python's None


def split_scientific_name(name: str) -> tuple[str, str | None]:
    """Split "Gentiana verna subsp. delphinensis (Beauverd) H.Kunze, 1971" into name and author."""
    words = name.split()
    kept: list[str] = words[:1]
    for index, word in enumerate(words[1:], start=1):
        if word in _RANK_WORDS or (kept and kept[-1] in _RANK_WORDS):
            kept.append(word)
            continue
        if _AUTHOR_START.match(word) or not word[:1].isalpha():
            return " ".join(kept), " ".join(words[index:]) or None
        kept.append(word)
    return " ".join(kept), None


def looks_scientific(name: str) -> bool:
    """True for "Genus epithet Author, 1753"-like strings (the park typed both kinds)."""
    words = name.split()
    has_author_year = bool(re.search(r"\b1[5-9]\d\d\b|\b20\d\d\b", name))
    latin_epithet = len(words) >= 2 and words[1].isascii() and words[1].islower()
    return latin_epithet and (has_author_year or "(" in name or len(words) == 2)


def rank_from_name(name: str) -> str | None:
    """ES, SSES, VAR or FO from the shape of a binomial; None when it is not one."""
    words = name.split()
    for word, rank in _RANK_WORDS.items():
        if word in words:
            return rank
    return "ES" if len(words) == 2 else None


def _oui(row: Mapping[str, str], column: str) -> bool:
    return (row.get(column) or "").strip().lower() == "oui"


class NamelessTaxonError(ValueError):
    """A row with codes but no name at all: nothing a person could search or read."""


def parse_pne(row: Mapping[str, str], line: int) -> TaxonRecord:
    """A row of the park's list (taxa_pne.csv)."""
    cd_nom = _code(row, "cd_nom", line, required=True)
    cd_ref = _code(row, "cd_ref", line, required=True)
    assert cd_nom is not None and cd_ref is not None  # noqa: S101 (required=True above)
    lb_nom, sci_pne, vernacular = _text(row, "lb_nom"), _text(row, "nom_sci_pne"), None
    park_name = _text(row, "nom_pne") or _text(row, "nom_vern") or sci_pne or lb_nom
    if park_name is None:
        raise NamelessTaxonError(f"line {line}: cd_nom {cd_nom} has no name")
    authority = None
    if lb_nom or sci_pne:
        scientific = lb_nom or sci_pne or park_name
        vernacular = _text(row, "nom_vern") or (park_name if park_name != scientific else None)
    elif looks_scientific(park_name):
        scientific, authority = split_scientific_name(park_name)
    else:  # the park knew this taxon only by its French name
        scientific, vernacular = park_name, park_name
    patrimonial, protected = _oui(row, "patrimonial"), _oui(row, "protection_stricte")
    attributes = {key: row[key] for key in PNE_ATTRIBUTES if (row.get(key) or "").strip()}
    return TaxonRecord(
        cd_nom=cd_nom,
        cd_ref=cd_ref,
        rank=rank_from_name(scientific) if (lb_nom or sci_pne or authority) else None,
        scientific_name=scientific,
        authority=authority,
        full_name=park_name if authority else None,
        vernacular_fr=vernacular,
        kingdom=_text(row, "regne"),
        order=_text(row, "ordre"),
        family=_text(row, "famille"),
        group2_inpn=_text(row, "group2_inpn"),
        protected=protected,
        patrimonial=patrimonial,
        sensitivity_level=DEFAULT_SENSITIVE_LEVEL if patrimonial and protected else 0,
        attributes=attributes,
        source="pne",
    )


def parse_taxref(row: Mapping[str, str], line: int) -> TaxonRecord:
    """A row of the national TAXREF file (one name per row)."""
    cd_nom = _code(row, "CD_NOM", line, required=True)
    cd_ref = _code(row, "CD_REF", line, required=True)
    assert cd_nom is not None and cd_ref is not None  # noqa: S101 (required=True above)
    scientific = _text(row, "LB_NOM")
    if scientific is None:
        raise TaxonFormatError(line, "LB_NOM is empty")
    rank = _text(row, "RANG")
    return TaxonRecord(
        cd_nom=cd_nom,
        cd_ref=cd_ref,
        cd_sup=_code(row, "CD_SUP", line, required=False)
        or _code(row, "CD_TAXSUP", line, required=False),
        rank=rank,
        scientific_name=scientific,
        authority=_text(row, "LB_AUTEUR"),
        full_name=_text(row, "NOM_COMPLET"),
        vernacular_fr=_text(row, "NOM_VERN"),
        vernacular_en=_text(row, "NOM_VERN_ENG"),
        kingdom=_text(row, "REGNE"),
        phylum=_text(row, "PHYLUM"),
        class_=_text(row, "CLASSE"),
        order=_text(row, "ORDRE"),
        family=_text(row, "FAMILLE"),
        genus=scientific.split()[0] if rank in {"GN", "ES", "SSES", "VAR", "FO"} else None,
        group1_inpn=_text(row, "GROUP1_INPN"),
        group2_inpn=_text(row, "GROUP2_INPN"),
        group3_inpn=_text(row, "GROUP3_INPN"),
        source="taxref",
    )


PARSERS: Final = {"taxref": parse_taxref, "pne": parse_pne}
