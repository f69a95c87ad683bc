"""The validation pipeline: pure functions, every stage with stable codes.

Order: structure (the kind's JSON Schema) → references (taxon exists and
resolves to its valid name) → geography (inside the territory, plausible,
accuracy given) → time (not in the future, not absurdly old) → plausibility
flags, which never reject but tell moderators where to look first.
Every failing field of every stage is reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, Final

import msgspec
from jsonschema import Draft202012Validator

from cairn.core.decoding import check_with_schema, schema_errors
from cairn.core.errors import FieldError, InvalidInputError
from cairn.observations.model import ObservationIn, time_errors
from cairn.protocols.kinds import registry
from cairn.records.vocabulary import Flag, occurrence_status
from cairn.reference.territory import Location

PROFILE_MINIMUM: Final = 20
"""Validated observations a taxon needs before its altitude/month profile raises flags."""
POOR_ACCURACY_M: Final = 100.0
ALTITUDE_MARGIN_M: Final = 200.0
HIGH_COUNT_WITHOUT_PROFILE: Final = 500
HIGH_COUNT_FACTOR: Final = 3


class TaxonRef(msgspec.Struct, frozen=True):
    """What validation needs to know of the submitted taxon."""

    cd_nom: int
    cd_ref: int
    scientific_name: str


class Profile(msgspec.Struct, frozen=True):
    """What validated observations say is usual for a taxon (see migrations 0004)."""

    observations: int
    altitude_low: float | None
    altitude_high: float | None
    months: list[int]
    count_high: int | None


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the pipeline needs beyond the observation, gathered beforehand."""

    kind_validator: Draft202012Validator | None
    kind_accepts: Callable[[Any], bool] | None = None
    """The kind's fast check (`kinds.quick_check`): when it says yes, the validator is spared."""
    taxon: TaxonRef | None = None
    heritage_item_known: bool = True
    location: Location
    profile: Profile | None = None
    first_in_commune: bool = False
    now: datetime
    clock_skew: timedelta


class Validated(msgspec.Struct, frozen=True):
    """An observation that passed, with what the pipeline derived from it."""

    observation: ObservationIn
    taxon_cd_nom: int | None
    taxon_cd_ref: int | None
    commune_insee: str | None
    flags: list[Flag]
    sensitivity_level: int = 0
    """SINP level from the sensitivity rules (set by the caller, which reads the rules)."""


def submitted_cd_nom(obs: ObservationIn) -> int | None:
    """The taxon code an observation names in `data.cd_nom` (species, or a programme kind's
    taxon field; a kind without that field refuses it in the structure stage)."""
    value = obs.data.get("cd_nom")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate(obs: ObservationIn, ctx: Context) -> Validated:
    """Run every stage; raise InvalidInputError listing all errors, or return the result."""
    errors = [
        *structure_errors(obs, ctx),
        *reference_errors(obs, ctx),
        *geography_errors(obs, ctx),
        *time_errors(obs.observed_at, ctx.now, ctx.clock_skew),
    ]
    if errors:
        raise InvalidInputError(
            sorted(set(errors), key=lambda e: (e.pointer, e.code)), "Invalid observation"
        )
    return Validated(
        observation=obs,
        taxon_cd_nom=ctx.taxon.cd_nom if ctx.taxon else None,
        taxon_cd_ref=ctx.taxon.cd_ref if ctx.taxon else None,
        commune_insee=ctx.location.commune,
        flags=list(plausibility_flags(obs, ctx)),
    )


def raw_kind_data_errors(raw: Any, base: tuple[str | int, ...] = ()) -> Iterator[FieldError]:
    """`data` against its kind's schema in a body whose envelope is itself invalid.

    Without it a negative accuracy would hide a negative count until the next
    try. An unknown kind or version says nothing here: the envelope errors or
    the full validation report it.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), dict):
        return
    name, version = raw.get("kind"), raw.get("schema_version")
    if not isinstance(name, str) or not isinstance(version, int) or isinstance(version, bool):
        return
    if kind := registry().get((name, version)):
        for error in kind.validator.iter_errors(raw["data"]):
            yield from schema_errors(error, (*base, "data"))


check_with_schema(ObservationIn, raw_kind_data_errors)


def structure_errors(obs: ObservationIn, ctx: Context) -> Iterator[FieldError]:
    """`data` against the kind's schema; an unknown kind or version is itself an error."""
    if ctx.kind_validator is None:
        yield FieldError(
            "/schema_version",
            "unknown_schema",
            f"no published schema {obs.kind} v{obs.schema_version}",
        )
        return
    if ctx.kind_accepts is not None and ctx.kind_accepts(obs.data):
        return
    for error in ctx.kind_validator.iter_errors(obs.data):
        yield from schema_errors(error, ("data",))


def reference_errors(obs: ObservationIn, ctx: Context) -> Iterator[FieldError]:
    """The named taxon or heritage item must exist in the reference data."""
    cd_nom = submitted_cd_nom(obs)
    if cd_nom is not None and ctx.taxon is None:
        yield FieldError("/data/cd_nom", "unknown_taxon", f"no taxon with CD_NOM {cd_nom}")
    if obs.kind == "heritage" and "item_id" in obs.data and not ctx.heritage_item_known:
        yield FieldError("/data/item_id", "unknown_item", "no heritage item with this id")


def geography_errors(obs: ObservationIn, ctx: Context) -> Iterator[FieldError]:
    """Inside the territory (with tolerance), not at 0,0, with an accuracy."""
    lon, lat = obs.location.lon, obs.location.lat
    if obs.location.accuracy_m is None:
        yield FieldError("/location/accuracy_m", "missing", "the position's accuracy is required")
    if abs(lon) < 1e-6 and abs(lat) < 1e-6:
        yield FieldError("/location", "implausible_position", "0,0 is not a place in the territory")
    elif not ctx.location.inside:
        km = ctx.location.distance_m / 1000
        yield FieldError(
            "/location",
            "outside_territory",
            f"the position is {km:.1f} km outside the programme's territory",
        )


def plausibility_flags(obs: ObservationIn, ctx: Context) -> Iterator[Flag]:
    """Remarks for moderators; each says what was expected and what was seen."""
    accuracy = obs.location.accuracy_m
    if accuracy is not None and accuracy > POOR_ACCURACY_M:
        yield Flag(
            "accuracy_poor",
            f"position accurate to {accuracy:.0f} m only",
            {"accuracy_m": accuracy, "threshold_m": POOR_ACCURACY_M},
        )
    if ctx.location.near_edge:
        yield Flag(
            "near_territory_edge",
            "just outside the simplified territory outline; the commune is approximate",
            {"distance_m": ctx.location.distance_m},
        )
    if ctx.taxon is None or occurrence_status(obs.data) == "absent":
        return  # what is usual for a taxon, and where it is known, say nothing of an absence
    yield from _profile_flags(obs, ctx.profile)
    if ctx.first_in_commune and ctx.location.commune:
        yield Flag(
            "first_in_commune",
            f"first record of {ctx.taxon.scientific_name} in this commune",
            {"commune": ctx.location.commune, "cd_ref": ctx.taxon.cd_ref},
        )
    count = obs.data.get("count")
    if isinstance(count, int):
        high = (
            ctx.profile.count_high * HIGH_COUNT_FACTOR
            if ctx.profile
            and ctx.profile.observations >= PROFILE_MINIMUM
            and ctx.profile.count_high
            else HIGH_COUNT_WITHOUT_PROFILE
        )
        if count > high:
            yield Flag(
                "count_high",
                f"{count} individuals is unusually many",
                {"count": count, "usual_max": high},
            )


def _profile_flags(obs: ObservationIn, profile: Profile | None) -> Iterator[Flag]:
    if profile is None or profile.observations < PROFILE_MINIMUM:
        return
    altitude = obs.location.altitude_m
    low, high = profile.altitude_low, profile.altitude_high
    known_band = altitude is not None and low is not None and high is not None
    if known_band and not low - ALTITUDE_MARGIN_M <= altitude <= high + ALTITUDE_MARGIN_M:  # type: ignore[operator]
        yield Flag(
            "altitude_unusual",
            f"{altitude:.0f} m is outside the usual {low:.0f} to {high:.0f} m for this taxon",
            {"altitude_m": altitude, "usual": [low, high], "based_on": profile.observations},
        )
    month = obs.observed_at.month
    if profile.months and month not in profile.months:
        yield Flag(
            "season_unusual",
            "this taxon is not usually recorded in this month",
            {"month": month, "usual_months": profile.months, "based_on": profile.observations},
        )
