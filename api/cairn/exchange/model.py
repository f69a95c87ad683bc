"""Datasets, and SINP records as GeoNature's import reads them (no I/O here).

The SINP columns are those of GeoNature's shipped field mapping "Synthese
GeoNature" and their values the codes its content mapping "Nomenclatures SINP
(codes)" knows (shared/domain/geonature-sinp.md); every code written here is in
schemas/reference/sinp_nomenclatures.csv, which a test checks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from cairn.core.text import text

GbifLicence = Literal["CC0-1.0", "CC-BY-4.0", "CC-BY-NC-4.0"]
"""The licences GBIF accepts for a dataset."""
DsPublique = Literal["Pu", "Pr", "NSP"]
"""SINP DS_PUBLIQUE: public, private or not known origin of the data."""
Email = Annotated[str, Meta(pattern=r"^[^@\s\x00]+@[^@\s\x00]+$", max_length=320)]


class Dataset(msgspec.Struct, frozen=True, kw_only=True):
    """A programme as a published dataset (staff see it; exports carry it)."""

    programme: str
    id: UUID
    """Cairn's own UUID, drawn when the programme was made; it never changes."""
    title: str
    description: str
    producer: str
    contact_name: str | None
    contact_email: str | None
    sinp_jdd_uuid: UUID | None
    sinp_ca_uuid: UUID | None
    ds_publique: str
    gbif_licence: str
    version: int
    updated_at: datetime

    @property
    def sinp_dataset_id(self) -> UUID:
        """The JDD UUID the SINP knows, else Cairn's own."""
        return self.sinp_jdd_uuid or self.id


class DatasetPatch(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """A change to a dataset's metadata: only the fields given change."""

    expected_version: Annotated[int, Meta(ge=1)]
    title: Annotated[str, text(500, min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    description: Annotated[str, text(8000)] | msgspec.UnsetType = msgspec.UNSET
    producer: Annotated[str, text(500, min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    contact_name: Annotated[str, text(200)] | msgspec.UnsetType | None = msgspec.UNSET
    contact_email: Email | msgspec.UnsetType | None = msgspec.UNSET
    sinp_jdd_uuid: (
        Annotated[UUID, Meta(description="The JDD UUID the INPN gave the park for this programme")]
        | msgspec.UnsetType
        | None
    ) = msgspec.UNSET
    sinp_ca_uuid: (
        Annotated[UUID, Meta(description="Its acquisition framework's UUID (INPN)")]
        | msgspec.UnsetType
        | None
    ) = msgspec.UNSET
    ds_publique: DsPublique | msgspec.UnsetType = msgspec.UNSET
    gbif_licence: GbifLicence | msgspec.UnsetType = msgspec.UNSET


# --- SINP codes -------------------------------------------------------------------------

SINP_COLUMNS: Final = (
    "uuid_perm_sinp", "unique_dataset_id", "date_debut", "date_fin", "heure_debut", "heure_fin",
    "cd_nom", "nom_cite", "observateurs", "geometrie_wkt_4326", "precision_geographique",
    "alti_min", "alti_max", "nombre_min", "nombre_max", "preuve_numerique_url", "validateur",
    "date_validation", "comment_validation", "statut_observation", "niveau_validation",
    "niveau_sensibilite", "niveau_precision_diffusion", "statut_source", "nature_objet_geo",
    "preuve_existante", "objet_denombrement", "type_denombrement", "etat_biologique",
    "naturalite", "stade_vie", "sexe", "technique_observation", "comportement",
    "comment_occurrence", "champs_additionnels",
)  # fmt: skip
"""The SINP file's columns, named as GeoNature's Synthèse export and its "Synthese
GeoNature" field mapping name them."""

NOMENCLATURE_COLUMNS: Final[dict[str, str]] = {
    "statut_observation": "STATUT_OBS",
    "niveau_validation": "STATUT_VALID",
    "niveau_sensibilite": "SENSIBILITE",
    "niveau_precision_diffusion": "NIV_PRECIS",
    "statut_source": "STATUT_SOURCE",
    "nature_objet_geo": "NAT_OBJ_GEO",
    "preuve_existante": "PREUVE_EXIST",
    "objet_denombrement": "OBJ_DENBR",
    "type_denombrement": "TYP_DENBR",
    "etat_biologique": "ETA_BIO",
    "naturalite": "NATURALITE",
    "stade_vie": "STADE_VIE",
    "sexe": "SEXE",
    "technique_observation": "METH_OBS",
    "comportement": "OCC_COMPORTEMENT",
}
"""Each nomenclature column and its SINP type (GeoNature's `mnemonique`)."""

STATUS_CODES: Final[dict[str, str]] = {
    "pending": "0", "certain": "1", "probable": "2", "doubtful": "3", "invalid": "4",
    "not_assessable": "5", "unknown": "6",
}  # fmt: skip
"""Cairn's statuses are SINP's STATUT_VALID (withdrawn records are not exported)."""
STATUS_OF_CODE: Final = {code: status for status, code in STATUS_CODES.items()}

PRECISION_OF_LEVEL: Final = {0: "5", 1: "1", 2: "2", 3: "3", 4: "4"}
"""NIV_PRECIS for the level the open data applies: 5 precise (as is), 1 commune, 2 10 km cell,
3 département, 4 none."""

LIFE_STAGES: Final = {
    "adult": "2", "juvenile": "3", "immature": "4", "larva": "6", "egg": "9", "pupa": "14",
    "fruiting": "27",
}  # fmt: skip
"""STADE_VIE of the species form's life stages; the others (vegetative, flowering, unknown)
have no SINP stage: 0 (Inconnu)."""
SEXES: Final = {"female": "2", "male": "3", "mixed": "5"}
"""SEXE of the form's sexes; unknown is 0 (Inconnu)."""
BEHAVIOURS: Final = {
    "feeding": "8", "hunting": "8", "resting": "17", "moving": "16", "flying": "10",
    "singing": "18", "with_young": "14",
}  # fmt: skip
"""OCC_COMPORTEMENT of the form's behaviours; displaying, nesting, dead and other have no
SINP behaviour: 0 (Inconnu); dead is the biological state 3 (Trouvé mort)."""
UNKNOWN: Final = {
    "STADE_VIE": "0", "SEXE": "0", "OCC_COMPORTEMENT": "0", "ETA_BIO": "0", "NATURALITE": "0",
    "METH_OBS": "21", "OBJ_DENBR": "NSP", "TYP_DENBR": "NSP", "PREUVE_EXIST": "0",
}  # fmt: skip
"""The code each type gives for "not known"."""
ALIVE: Final = "2"
DEAD: Final = "3"
ABUNDANCE_RANGES: Final[dict[str, tuple[int, int | None]]] = {
    "1": (1, 1), "2_10": (2, 10), "11_100": (11, 100), "101_1000": (101, 1000),
    "over_1000": (1001, None),
}  # fmt: skip
"""The species form's abundance classes as SINP counts (min, max), estimated."""
CODED_FIELDS: Final = ("count", "abundance_class", "occurrence_status")
"""Data fields the SINP row carries in columns of their own, not in `champs_additionnels`."""
PROGRAMME_KIND_KEYS: Final = ("cairn_kind", "cairn_schema_version")
"""Keys of `champs_additionnels` naming a programme kind's record (absent for species)."""
ANONYMOUS: Final = "Anonyme"


class SinpSource(msgspec.Struct, frozen=True, kw_only=True):
    """What the SINP row of one record is made from (see `exchange.store.SINP_SOURCE`)."""

    id: UUID
    dataset_id: UUID
    local_start: datetime
    """The observation's wall-clock time where it was made."""
    cd_nom: int
    name: str
    observer: str | None
    lon: float
    lat: float
    accuracy_m: float | None
    altitude_m: float | None
    kind: str
    schema_version: int
    data: dict[str, Any]
    comment: str | None
    status: str
    validator: str | None
    validated_local: datetime | None
    validation_comment: str | None
    sensitivity_level: int
    disclosed_level: int
    photo_urls: list[str]


def _number(value: float | None) -> str:
    return "" if value is None else str(round(value))


def _counts(data: dict[str, Any]) -> tuple[str, str, str, str]:
    """nombre_min, nombre_max, objet_denombrement, type_denombrement."""
    if data.get("occurrence_status") == "absent":
        return "0", "0", UNKNOWN["OBJ_DENBR"], UNKNOWN["TYP_DENBR"]
    count = data.get("count")
    if isinstance(count, int) and not isinstance(count, bool):
        return str(count), str(count), "IND", "Co"
    low, high = ABUNDANCE_RANGES.get(str(data.get("abundance_class")), (None, None))
    if low is not None:
        return str(low), "" if high is None else str(high), "IND", "Es"
    return "", "", UNKNOWN["OBJ_DENBR"], UNKNOWN["TYP_DENBR"]


def _coded(table: dict[str, str], value: Any, sinp_type: str) -> str:
    return table.get(value, UNKNOWN[sinp_type]) if isinstance(value, str) else UNKNOWN[sinp_type]


def additional_fields(kind: str, schema_version: int, data: dict[str, Any]) -> dict[str, Any]:
    """`champs_additionnels`: the record's fields besides its taxon and coded ones; a
    programme kind's record also names its kind and version."""
    extra = {k: v for k, v in data.items() if k != "cd_nom" and k not in CODED_FIELDS}
    if kind != "species":
        extra = {"cairn_kind": kind, "cairn_schema_version": schema_version, **extra}
    return extra


def sinp_row(source: SinpSource) -> list[str]:
    """One record as the SINP file's cells, in `SINP_COLUMNS` order."""
    data = source.data
    low, high, counted, count_type = _counts(data)
    behaviour = data.get("behaviour")
    state = DEAD if behaviour == "dead" else ALIVE if behaviour else UNKNOWN["ETA_BIO"]
    extra = additional_fields(source.kind, source.schema_version, data)
    validated = source.validated_local
    return [
        str(source.id),
        str(source.dataset_id),
        source.local_start.date().isoformat(),
        source.local_start.date().isoformat(),
        source.local_start.strftime("%H:%M:%S"),
        source.local_start.strftime("%H:%M:%S"),
        str(source.cd_nom),
        source.name,
        source.observer or ANONYMOUS,
        f"POINT({source.lon!r} {source.lat!r})",
        _number(source.accuracy_m),
        _number(source.altitude_m),
        _number(source.altitude_m),
        low,
        high,
        ",".join(source.photo_urls),
        source.validator or "",
        "" if validated is None else validated.strftime("%Y-%m-%d %H:%M:%S"),
        source.validation_comment or "",
        "No" if data.get("occurrence_status") == "absent" else "Pr",
        STATUS_CODES[source.status],
        str(source.sensitivity_level),
        PRECISION_OF_LEVEL[source.disclosed_level],
        "Te",
        "St",
        "1" if source.photo_urls else "2",
        counted,
        count_type,
        state,
        UNKNOWN["NATURALITE"],
        _coded(LIFE_STAGES, data.get("life_stage"), "STADE_VIE"),
        _coded(SEXES, data.get("sex"), "SEXE"),
        UNKNOWN["METH_OBS"],
        _coded(BEHAVIOURS, behaviour, "OCC_COMPORTEMENT"),
        source.comment or "",
        msgspec.json.encode(extra, order="sorted").decode() if extra else "",
    ]


class Deletion(msgspec.Struct, frozen=True):
    """A record the receiver must delete: withdrawn by its contributor, or erased."""

    id: UUID
    at: datetime
    reason: Literal["withdrawn", "erased"]


DELETION_COLUMNS: Final = ("uuid_perm_sinp", "unique_dataset_id", "date_suppression", "motif")


def deletion_row(deletion: Deletion, dataset_id: UUID) -> list[str]:
    """One deletion as the deletions file's cells (the instant in UTC, RFC 3339)."""
    return [str(deletion.id), str(dataset_id), deletion.at.isoformat(), deletion.reason]


class ExportSummary(msgspec.Struct, frozen=True, kw_only=True):
    """What an export wrote (the staff audit trail keeps it)."""

    programme: str
    dataset_id: UUID
    rows: int
    updated_since: datetime | None
    format: str
