"""Validation statuses: the SINP nomenclature STATUT_VALID, plus `withdrawn` and
`awaiting_second_opinion` (a first validator said yes where a programme asks for two;
the SINP still calls it "0", waiting for validation).

The slugs are Cairn's wire names; the codes and French labels are the SINP
ones (GeoNature `STATUT_VALID`), so exports can carry either.
"""

from __future__ import annotations

from typing import Final, Literal

Status = Literal[
    "pending",
    "certain",
    "probable",
    "doubtful",
    "invalid",
    "not_assessable",
    "unknown",
    "withdrawn",
    "awaiting_second_opinion",
]

SINP_CODES: Final[dict[str, str | None]] = {
    "pending": "0",
    "certain": "1",
    "probable": "2",
    "doubtful": "3",
    "invalid": "4",
    "not_assessable": "5",
    "unknown": "6",
    "withdrawn": None,
    "awaiting_second_opinion": "0",
}

LABELS_FR: Final[dict[str, str]] = {
    "pending": "En attente de validation",
    "certain": "Certain - très probable",
    "probable": "Probable",
    "doubtful": "Douteux",
    "invalid": "Invalide",
    "not_assessable": "Non réalisable",
    "unknown": "Inconnu",
    "withdrawn": "Retirée par l'observateur",
    "awaiting_second_opinion": "En attente d'un second avis",
}

STATUSES: Final[tuple[str, ...]] = tuple(SINP_CODES)
PUBLIC_BY_DEFAULT: Final[tuple[str, ...]] = ("certain", "probable")
NEVER_PUBLIC: Final = frozenset({"awaiting_second_opinion"})
"""A record waits for a second validator precisely so that it is not published yet."""
