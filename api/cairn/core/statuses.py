"""Validation statuses: the SINP nomenclature STATUT_VALID, plus `withdrawn`.

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
}

STATUSES: Final[tuple[str, ...]] = tuple(SINP_CODES)
PUBLIC_BY_DEFAULT: Final[tuple[str, ...]] = ("certain", "probable")
