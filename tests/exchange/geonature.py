"""A GeoNature 2.17 import, as far as its checks on one CSV file go, for tests.

Each rule is GeoNature's own (PnX-SI/GeoNature, tag Release/2.17.4, commit 0fac9eed):
- the separator: `csv.Sniffer().sniff(first line).delimiter`, only `,` or `;`
  (core/imports/utils.py::detect_separator, models.py AVAILABLE_SEPARATORS);
- the field mapping "Synthese GeoNature" and the content mapping "Nomenclatures SINP
  (codes)" (migrations/data/imports/default_mappings_data.sql, rebuilt in
  geonature_default_mappings.json beside this file, copied from the project's research
  notes shared/domain/geonature-default-mappings.json);
- mandatory fields: unique_dataset_id, date_min, observers, nom_cite, cd_nom, and WKT or
  longitude/latitude (bib_fields);
- `is_valid_uuid`: `str(UUID(v)) == v` (checks/dataframe/cast.py);
- `convert_to_datetime` (checks/dataframe/cast.py), reproduced below;
- nomenclature cells mapped by code (checks/sql/nomenclature.py), the proof rule
  (check_existing_proof) and the digital proof URL pattern (checks/sql/extra.py);
- counts and altitudes in order (COUNT_MIN_SUP_COUNT_MAX, ALTI_MIN_SUP_ALTI_MAX).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from itertools import product
from pathlib import Path
from typing import Any
from uuid import UUID

from shapely import wkt

from cairn.reference.files import reference_file

MAPPINGS = json.loads((Path(__file__).parent / "geonature_default_mappings.json").read_text())
FIELD_MAPPING: dict[str, dict[str, Any]] = MAPPINGS["Synthese GeoNature"]
MANDATORY = ("unique_dataset_id", "date_min", "observers", "nom_cite", "cd_nom")
NOMENCLATURE_TYPES = {
    "id_nomenclature_observation_status": "STATUT_OBS",
    "id_nomenclature_valid_status": "STATUT_VALID",
    "id_nomenclature_sensitivity": "SENSIBILITE",
    "id_nomenclature_diffusion_level": "NIV_PRECIS",
    "id_nomenclature_source_status": "STATUT_SOURCE",
    "id_nomenclature_geo_object_nature": "NAT_OBJ_GEO",
    "id_nomenclature_exist_proof": "PREUVE_EXIST",
    "id_nomenclature_obj_count": "OBJ_DENBR",
    "id_nomenclature_type_count": "TYP_DENBR",
    "id_nomenclature_bio_condition": "ETA_BIO",
    "id_nomenclature_naturalness": "NATURALITE",
    "id_nomenclature_life_stage": "STADE_VIE",
    "id_nomenclature_sex": "SEXE",
    "id_nomenclature_obs_technique": "METH_OBS",
    "id_nomenclature_behaviour": "OCC_COMPORTEMENT",
}
ORDERED = (
    ("count_min", "count_max", "COUNT_MIN_SUP_COUNT_MAX"),
    ("altitude_min", "altitude_max", "ALTI_MIN_SUP_ALTI_MAX"),
)
URL_PROOF = re.compile(
    r"^(?:(?:https?|ftp):\/\/)?[\w.-]+(?:\.[\w\.-]+)+[\w\-\._~:/?#[\]@!\$&'\(\)\*\+,;=.]+$"
)


def shipped_codes() -> dict[str, set[str]]:
    """Type → its cd_nomenclature codes, from the file Cairn ships."""
    codes: dict[str, set[str]] = {}
    with reference_file("sinp_nomenclatures.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            codes.setdefault(row["type"], set()).add(row["cd_nomenclature"])
    return codes


def convert_to_datetime(value_raw: str) -> datetime | None:
    """GeoNature's date parsing, as written in checks/dataframe/cast.py."""
    value = value_raw.strip()
    value = re.sub("[ ]+", " ", value)
    value = re.sub("[/.:]", "-", value)
    date_formats = ["%Y-%m-%d", "%d-%m-%Y"]
    time_formats = [
        None, "%H", "%H-%M", "%H-%M-%S", "%H-%M-%S-%f", "%Hh", "%Hh%M", "%Hh%Mm", "%Hh%Mm%Ss",
    ]  # fmt: skip
    for date_format, time_format in product(date_formats, time_formats):
        fmt = (date_format + " " + time_format) if time_format else date_format
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value_raw)
    except ValueError:
        return None


def is_valid_uuid(value: str) -> bool:
    try:
        return str(UUID(value)) == value
    except ValueError:
        return False


def load(content: str) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    """Read a file as GeoNature's import does; the rows as its fields, and every error
    (line, field, GeoNature error code)."""
    first_line = content.split("\n", 1)[0]
    separator = csv.Sniffer().sniff(first_line).delimiter
    assert separator in {",", ";"}, separator
    reader = csv.DictReader(io.StringIO(content), delimiter=separator)
    header = reader.fieldnames or []
    assert len(header) == len(set(header)), "Duplicates column names"
    mapped = {
        field: spec["column_src"]
        for field, spec in FIELD_MAPPING.items()
        if "column_src" in spec and spec["column_src"] in header
    }
    missing = [field for field in MANDATORY if field not in mapped]
    assert not missing, f"mandatory fields not mapped: {missing}"
    assert "WKT" in mapped or {"longitude", "latitude"} <= set(mapped)
    codes = shipped_codes()
    rows, errors = [], []
    for line, cells in enumerate(reader, start=2):
        values = {field: (cells[column] or None) for field, column in mapped.items()}
        errors += [(line, f, "MISSING_VALUE") for f in MANDATORY if values[f] is None]
        if values["unique_dataset_id"] and not is_valid_uuid(values["unique_dataset_id"]):
            errors.append((line, "unique_dataset_id", "INVALID_UUID"))
        if values.get("unique_id_sinp") and not is_valid_uuid(values["unique_id_sinp"]):
            errors.append((line, "unique_id_sinp", "INVALID_UUID"))
        for field in ("date_min", "date_max", "meta_validation_date"):
            if values.get(field) and convert_to_datetime(values[field]) is None:
                errors.append((line, field, "INVALID_DATE"))
        for field in ("cd_nom", "count_min", "count_max", "altitude_min", "altitude_max",
                      "precision"):  # fmt: skip
            if values.get(field) is not None and not re.fullmatch(r"-?\d+", values[field]):
                errors.append((line, field, "INVALID_INTEGER"))
        for field, sinp_type in NOMENCLATURE_TYPES.items():
            if values.get(field) is not None and values[field] not in codes[sinp_type]:
                errors.append((line, field, "INVALID_NOMENCLATURE"))
        try:
            wkt.loads(values["WKT"])
        except Exception:  # noqa: BLE001 (shapely raises several kinds)
            errors.append((line, "WKT", "INVALID_WKT"))
        proof = values.get("digital_proof") or values.get("non_digital_proof")
        if (values.get("id_nomenclature_exist_proof") == "1") != bool(proof):
            errors.append((line, "id_nomenclature_exist_proof", "INVALID_EXISTING_PROOF_VALUE"))
        if values.get("digital_proof") and not URL_PROOF.match(values["digital_proof"]):
            errors.append((line, "digital_proof", "INVALID_URL_PROOF"))
        for low, high, code in ORDERED:
            if values.get(low) and values.get(high) and int(values[low]) > int(values[high]):
                errors.append((line, low, code))
        rows.append(values)
    return rows, errors
