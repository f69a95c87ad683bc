"""The observation as the wire contract defines it (see DESIGN.md).

These structs are the single source of the submission format: the OpenAPI
document, the JSON Schema used to report every bad field, and the decoder
all come from them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Final
from uuid import UUID

import msgspec
from msgspec import Meta

from cairn.core.errors import FieldError
from cairn.records.photos import Photo
from cairn.records.vocabulary import Flag, Geoprivacy, Kind, Licence, Slug

DEFAULT_PROGRAMME: Final = "default"
DEFAULT_LICENCE: Final = "CC-BY-4.0"
OLDEST_ACCEPTED: Final = datetime(1900, 1, 1, tzinfo=UTC)

AwareDatetime = Annotated[datetime, Meta(tz=True)]


class Location(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A WGS84 position as the device measured it."""

    lon: Annotated[float, Meta(ge=-180, le=180, description="Longitude, decimal degrees")]
    lat: Annotated[float, Meta(ge=-90, le=90, description="Latitude, decimal degrees")]
    accuracy_m: (
        Annotated[float, Meta(ge=0, le=100_000, description="Horizontal accuracy, metres")] | None
    ) = None
    altitude_m: (
        Annotated[float, Meta(ge=-500, le=9_000, description="Altitude, metres above sea level")]
        | None
    ) = None


class ObservationIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """An observation as a client sends it."""

    id: Annotated[UUID, Meta(description="Made on the device; the observation's identity forever")]
    kind: Annotated[Kind, Meta(description="Observation kind, e.g. `species` or `heritage`")]
    schema_version: Annotated[int, Meta(ge=1, le=10_000)]
    observed_at: Annotated[AwareDatetime, Meta(description="RFC 3339 with offset")]
    location: Location
    data: Annotated[
        dict[str, Any], Meta(description="Kind-specific attributes, checked by the kind's schema")
    ]
    programme: Slug | None = None
    licence: Licence | None = None
    comment: Annotated[str, Meta(max_length=2000)] | None = None
    geoprivacy: (
        Annotated[
            Geoprivacy,
            Meta(
                description="`obscured`: publish this record only generalised (10 km cell, no "
                "observer, no time of day); omitted → the device's default (`PUT /me`)"
            ),
        ]
        | None
    ) = None
    site_id: (
        Annotated[
            UUID,
            Meta(
                description="The monitored site it was made at: one of the programme's sites in "
                "use (`GET /api/v1/programmes/{slug}/sites`)"
            ),
        ]
        | None
    ) = None


class ObservationEdit(ObservationIn, frozen=True, kw_only=True):
    """A correction by the observation's owner: the whole submission, and the version it edits."""

    expected_version: Annotated[
        int, Meta(ge=1, description="The `version` the client last saw; 409 if it moved on")
    ]

    def submission(self) -> ObservationIn:
        """The corrected observation without the edit's own field."""
        fields = ObservationIn.__struct_fields__
        return ObservationIn(**{name: getattr(self, name) for name in fields})


class Withdrawal(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """The owner takes an observation back; it leaves the open data, its history stays."""

    expected_version: Annotated[int, Meta(ge=1)]
    reason: Annotated[str, Meta(max_length=2000)] | None = None


class ObservationOut(msgspec.Struct, frozen=True, kw_only=True):
    """A stored observation: the submission plus what the server added."""

    id: UUID
    kind: str
    schema_version: int
    programme: str
    observed_at: datetime
    location: Location
    data: dict[str, Any]
    licence: str
    comment: str | None
    status: str
    flags: list[Flag]
    version: int
    received_at: datetime
    updated_at: datetime
    photos: list[Photo]
    taxon_cd_ref: int | None = None
    """The valid name (TAXREF CD_REF) the observation is attached to."""
    commune: str | None = None
    """INSEE code of the commune the position falls in."""
    geoprivacy: Geoprivacy = "open"
    """How the open data publishes it: the submission's choice, else the device's default."""
    site_id: UUID | None = None
    """The monitored site it names, if any."""


class MyObservation(msgspec.Struct, frozen=True, kw_only=True):
    """One of my observations, precise, with what the moderators said."""

    observation: ObservationOut
    moderator_comment: str | None
    counted_under_another: bool = False
    """A moderator found it repeats another record and counted it under that one (which one is
    not said: it may be someone else's)."""
    last_reply_at: Annotated[
        datetime | None,
        Meta(description="When staff last wrote in its thread (GET …/comments), if ever"),
    ] = None


def with_defaults(obs: ObservationIn, programme: str, licence: str) -> ObservationIn:
    """Fill what the client may omit, so that equal meaning hashes equally."""
    return msgspec.structs.replace(
        obs,
        programme=obs.programme or programme,
        licence=obs.licence or licence,
    )


def content_hash(obs: ObservationIn) -> bytes:
    """SHA-256 of the canonical JSON of a submission: what "the same content" means.

    An absent `geoprivacy` or `site_id` is left out, so records sent before
    the field existed keep their hash and their retries stay idempotent.
    """
    fields = msgspec.to_builtins(obs)
    for optional in ("geoprivacy", "site_id"):
        if fields[optional] is None:
            del fields[optional]
    return hashlib.sha256(msgspec.json.encode(fields, order="sorted")).digest()


class ProgrammeRules(msgspec.Struct, frozen=True, kw_only=True):
    """What a programme accepts: kinds with their schema versions, and the dates it runs."""

    kinds: dict[str, list[int]]
    starts_on: date | None = None
    ends_on: date | None = None


def programme_date_errors(observed_at: datetime, rules: ProgrammeRules) -> list[FieldError]:
    """An observation must be made while its programme runs, by the day where it was made.

    The date is read in the observation's own offset (a sighting at 23:30 on the
    last evening belongs to that day wherever the server is), and never from
    when it was sent: phones send days later.
    """
    day = observed_at.date()
    if rules.starts_on is not None and day < rules.starts_on:
        detail = f"the programme starts on {rules.starts_on.isoformat()}; this was on {day}"
    elif rules.ends_on is not None and day > rules.ends_on:
        detail = f"the programme ended on {rules.ends_on.isoformat()}; this was on {day}"
    else:
        return []
    return [FieldError("/observed_at", "outside_programme_dates", detail)]


def time_errors(observed_at: datetime, now: datetime, clock_skew: timedelta) -> list[FieldError]:
    """Dates in the future (beyond the device clock skew allowed) or before 1900."""
    if observed_at > now + clock_skew:
        return [FieldError("/observed_at", "in_future", "observed_at is later than now")]
    if observed_at < OLDEST_ACCEPTED:
        return [FieldError("/observed_at", "too_old", "observed_at is before 1900")]
    return []
