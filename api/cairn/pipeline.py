"""One observation through validation: gather what it refers to, then run the pure pipeline.

The single and the batch submit both call `validate_observation`, so every
way in applies the same rules.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal
from uuid import UUID

import msgspec

from cairn.db import Connection
from cairn.domain.observation import ObservationIn, content_hash
from cairn.domain.territory import Territory
from cairn.domain.validation import Context, Validated, submitted_cd_nom, validate
from cairn.kinds import registry
from cairn.settings import Settings
from cairn.store import observations, places, public, sensitivity, taxa


async def validate_observation(
    conn: Connection, territory: Territory, settings: Settings, obs: ObservationIn
) -> Validated:
    """Gather the taxon, item, commune and profile; return the validated observation or raise."""
    kind = registry().get((obs.kind, obs.schema_version))
    location = territory.locate(obs.location.lon, obs.location.lat)
    cd_nom = submitted_cd_nom(obs)
    found = await taxa.reference(conn, cd_nom) if cd_nom is not None else None
    taxon, profile = found if found is not None else (None, None)
    first = (
        await places.first_in_commune(
            conn, taxon.cd_ref, location.commune, settings.public_statuses
        )
        if taxon is not None and location.commune is not None
        else False
    )
    item_id = obs.data.get("item_id") if obs.kind == "heritage" else None
    item_known = (
        await places.heritage_item_exists(conn, item_id) if isinstance(item_id, str) else True
    )
    context = Context(
        kind_validator=kind.validator if kind else None,
        taxon=taxon,
        heritage_item_known=item_known,
        location=location,
        profile=profile,
        first_in_commune=first,
        now=observations.now(),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
    )
    validated = validate(obs, context)
    if validated.taxon_cd_ref is None:
        return validated
    record = (obs.id, validated.taxon_cd_ref, obs.location.lon, obs.location.lat, obs.observed_at)
    level = (await sensitivity.levels(conn, [record]))[obs.id]
    return msgspec.structs.replace(validated, sensitivity_level=level)


class Accepted(msgspec.Struct, frozen=True):
    """What became of one submission: the stored record and how it compares."""

    stored: observations.Stored
    outcome: Literal["created", "unchanged", "conflict"]
    submitted_sha256: str


async def accept(
    conn: Connection,
    territory: Territory,
    settings: Settings,
    obs: ObservationIn,
    device_id: UUID | None,
) -> Accepted:
    """Store one submission once: a known id is compared, a new one validated and inserted.

    Single and batch submit both come here, so retries behave the same way
    whichever route a phone used; the public projection follows in the same
    transaction.
    """
    sha = content_hash(obs)
    stored = await observations.get_with_hash(conn, obs.id)
    if stored is None:
        validated = await validate_observation(conn, territory, settings, obs)
        stored = await observations.insert(conn, validated, sha, device_id)
        if stored.created:
            await public.project(conn, [obs.id])
    if stored.created:
        outcome: Literal["created", "unchanged", "conflict"] = "created"
    else:
        outcome = "unchanged" if stored.content_hash == sha else "conflict"
    return Accepted(stored, outcome, sha.hex())
