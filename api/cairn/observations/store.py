"""The observation aggregate: idempotent insert and reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from cairn.contributors.store import same_contributor
from cairn.core.db import Connection
from cairn.core.errors import FieldError, InvalidInputError, NotFoundError
from cairn.observations.model import Location, MyObservation, ObservationOut, ProgrammeRules
from cairn.observations.validation import Profile, TaxonRef, Validated
from cairn.records import projection as public
from cairn.records.disclosure import Caller, flags_for, local_time
from cairn.records.photos import photos_of, to_photo
from cairn.records.vocabulary import Flag
from cairn.sensitivity import store as sensitivity
from cairn.sensitivity.model import CompiledRule

_COLUMNS = f"""
    id, kind, schema_version, programme, observed_at, observed_offset_s, lon, lat,
    accuracy_m, altitude_m, data, licence, comment, status, flags, version,
    received_at, updated_at, content_hash, taxon_cd_ref, commune_insee, geoprivacy, site_id,
    {photos_of("observation")} AS photos
"""

_INSERT_MANY = f"""
WITH rules AS (SELECT cairn_rules_version() AS version),
inserted AS (
INSERT INTO observation (
    id, kind, schema_version, programme, observed_at, observed_offset_s, lon, lat,
    accuracy_m, altitude_m, data, licence, comment, content_hash, flags,
    taxon_cd_nom, taxon_cd_ref, commune_insee, sensitivity_level, geoprivacy, site_id, device_id,
    received_at, updated_at
)
SELECT u.id, u.kind, u.schema_version, u.programme, u.observed_at, u.observed_offset_s,
       u.lon, u.lat, u.accuracy_m, u.altitude_m, u.data::jsonb, u.licence, u.comment,
       u.content_hash, u.flags::jsonb, u.taxon_cd_nom, u.taxon_cd_ref, u.commune_insee,
       u.sensitivity_level,
       coalesce(u.geoprivacy, (SELECT default_geoprivacy FROM device WHERE id = $22), 'open'),
       u.site_id, $22::uuid, $25, $25
  FROM unnest(
    $1::uuid[], $2::text[], $3::int[], $4::text[], $5::timestamptz[], $6::int[],
    $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::text[], $12::text[],
    $13::text[], $14::bytea[], $15::text[], $16::int[], $17::int[], $18::text[],
    $19::smallint[], $20::text[], $21::uuid[])
    AS u(id, kind, schema_version, programme, observed_at, observed_offset_s, lon, lat,
         accuracy_m, altitude_m, data, licence, comment, content_hash, flags, taxon_cd_nom,
         taxon_cd_ref, commune_insee, sensitivity_level, geoprivacy, site_id)
 WHERE (SELECT version FROM rules) = $24
ON CONFLICT (id) DO NOTHING
RETURNING {_COLUMNS}
), projected AS ({public.PROJECT_FROM_JSON.format(rows="$23::jsonb", inserted="inserted")})
SELECT r.version AS rules_version, i.* FROM rules r LEFT JOIN inserted i ON true
"""
"""Insert and project in one statement, if the sensitivity rules are still those the levels
were computed with (`$24`): `cairn_rules_version` holds their lock to the commit."""

_REFERENCES = """
SELECT now() AS now,
       ARRAY(SELECT id FROM observation WHERE id = ANY($1)) AS stored,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'cd_nom', t.cd_nom, 'cd_ref', t.cd_ref,
                  'name', coalesce(v.scientific_name, t.scientific_name),
                  'path', v.path::text, 'scientific_name', v.scientific_name,
                  'vernacular_fr', v.vernacular_fr, 'kingdom', v.kingdom,
                  'group', coalesce(v.group2_inpn, v.group1_inpn),
                  'observations', p.observations, 'altitude_low', p.altitude_low,
                  'altitude_high', p.altitude_high, 'months', p.months,
                  'count_high', p.count_high)), '[]')
          FROM taxon t
          LEFT JOIN taxon v ON v.cd_nom = t.cd_ref
          LEFT JOIN taxon_profile p ON p.cd_ref = t.cd_ref
         WHERE t.cd_nom = ANY($2)) AS taxa,
       (SELECT coalesce(jsonb_agg(jsonb_build_array(f.cd_ref, f.insee)), '[]')
          FROM (SELECT DISTINCT t.cd_ref, u.insee
                  FROM unnest($3::int[], $4::text[]) AS u(cd_nom, insee)
                  JOIN taxon t ON t.cd_nom = u.cd_nom) f
         WHERE NOT EXISTS (SELECT 1 FROM observation
                            WHERE taxon_cd_ref = f.cd_ref AND commune_insee = f.insee
                              AND status = ANY($7)
                              AND data->>'occurrence_status' IS DISTINCT FROM 'absent')) AS firsts,
       ARRAY(SELECT id::text FROM heritage_item WHERE id::text = ANY($5)) AS items,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'slug', slug, 'kinds', kinds, 'starts_on', starts_on, 'ends_on', ends_on)), '[]')
          FROM programme WHERE slug = ANY($6)) AS programmes,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'insee', insee, 'centroid_lon', centroid_lon, 'centroid_lat', centroid_lat,
                  'min_lon', min_lon, 'min_lat', min_lat, 'max_lon', max_lon,
                  'max_lat', max_lat)), '[]')
          FROM commune WHERE insee = ANY($8)) AS communes,
       (SELECT coalesce(jsonb_agg(jsonb_build_object(
                  'id', s.id, 'programme', s.programme, 'archived', s.archived,
                  'site_name', s.name ->> 'fr', 'site_level', s.sensitivity_level,
                  'site_lon', s.lon, 'site_lat', s.lat, 'site_commune', s.commune_insee,
                  'site_centroid_lon', c.centroid_lon, 'site_centroid_lat', c.centroid_lat,
                  'site_min_lon', c.min_lon, 'site_min_lat', c.min_lat,
                  'site_max_lon', c.max_lon, 'site_max_lat', c.max_lat)), '[]')
          FROM site s LEFT JOIN commune c ON c.insee = s.commune_insee
         WHERE s.id = ANY($11)) AS sites,
       d.pseudonym, coalesce(d.default_geoprivacy, 'open') AS default_geoprivacy,
       (SELECT version FROM sensitivity_rules_version) AS rules_version,
       cairn_level_rules(ARRAY(SELECT cd_ref FROM taxon WHERE cd_nom = ANY($2)), $10) AS rules
  FROM (VALUES (1)) AS one(x) LEFT JOIN device d ON d.id = $9
"""


class TaxonFacts(msgspec.Struct, frozen=True):
    """A submitted taxon: what validation needs, and what the open data shows of its valid name."""

    ref: TaxonRef
    profile: Profile | None
    public: dict[str, Any]
    """taxon_path, scientific_name, vernacular_fr, kingdom, taxon_group (see records.projection)."""


class References(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a batch refers to, read in one statement (see `references`)."""

    now: datetime
    """The transaction's instant: the `updated_at` its inserts get."""
    stored: set[UUID]
    taxa: dict[int, TaxonFacts]
    firsts: set[tuple[int, str]]
    items: set[str]
    programmes: dict[str, ProgrammeRules]
    communes: dict[str, dict[str, float]]
    sites: dict[UUID, dict[str, Any]]
    """Each named site: programme, archived, and its `site_`-prefixed facts as
    `records.projection.source_select` names them (what the disclosure policy reads)."""
    observer: str | None
    default_geoprivacy: str
    rules: dict[int, list[CompiledRule]]
    rules_version: int
    """The rules' version when they were read (see `insert_many`)."""


async def references(
    conn: Connection,
    *,
    ids: list[UUID],
    cd_noms: list[int],
    places: list[tuple[int, str]],
    items: list[str],
    programmes: list[str],
    statuses: tuple[str, ...],
    device_id: UUID | None,
    lock: bool,
    sites: Sequence[UUID] = (),
) -> References:
    """Stored ids, taxa with profiles, first records per commune, heritage items, programmes,
    communes, named sites, the device and the sensitivity rules of a batch: one round trip.

    With `lock`, the rules are read after taking their lock shared (held to the
    commit), so a level computed from them is the one in force when it commits;
    without, `insert_many` checks their version under the lock.
    """
    communes = sorted({insee for _, insee in places})
    row = await conn.fetchrow(
        _REFERENCES,
        ids,
        sorted(set(cd_noms)),
        [cd_nom for cd_nom, _ in places],
        [insee for _, insee in places],
        sorted(set(items)),
        sorted(set(programmes)),
        list(statuses),
        communes,
        device_id,
        lock,
        sorted(set(sites)),
    )
    assert row is not None  # noqa: S101 (a SELECT without WHERE returns its row)
    return References(
        now=row["now"],
        stored=set(row["stored"]),
        taxa={t["cd_nom"]: _taxon(t) for t in row["taxa"]},
        firsts={(cd_ref, insee) for cd_ref, insee in row["firsts"]},
        items=set(row["items"]),
        programmes={
            p["slug"]: msgspec.convert({k: v for k, v in p.items() if k != "slug"}, ProgrammeRules)
            for p in row["programmes"]
        },
        communes={c.pop("insee"): c for c in row["communes"]},
        sites={UUID(site.pop("id")): site for site in row["sites"]},
        observer=row["pseudonym"],
        default_geoprivacy=row["default_geoprivacy"],
        rules=sensitivity.rules_by_taxon(row["rules"]),
        rules_version=row["rules_version"],
    )


def _taxon(row: dict[str, Any]) -> TaxonFacts:
    profile = (
        None
        if row["observations"] is None
        else Profile(
            observations=row["observations"],
            altitude_low=row["altitude_low"],
            altitude_high=row["altitude_high"],
            months=list(row["months"]),
            count_high=row["count_high"],
        )
    )
    public = {
        "taxon_path": row["path"],
        "scientific_name": row["scientific_name"],
        "vernacular_fr": row["vernacular_fr"],
        "kingdom": row["kingdom"],
        "taxon_group": row["group"],
    }
    return TaxonFacts(TaxonRef(row["cd_nom"], row["cd_ref"], row["name"]), profile, public)


class Stored(msgspec.Struct, frozen=True):
    """What an insert attempt found: the row, and whether this call created it."""

    observation: ObservationOut
    content_hash: bytes
    created: bool


async def insert_many(
    conn: Connection,
    rows: list[tuple[Validated, bytes]],
    device_id: UUID | None,
    projected: list[dict[str, Any]],
    found: References,
) -> dict[UUID, Stored] | None:
    """Insert every row whose id is not stored yet, and project it, in one statement; return
    those inserted, or None (nothing written) when the sensitivity rules changed since `found`
    read them: the levels must be computed again.

    `projected` holds the public rows of `rows` (`records.projection.as_json`), of
    which those of the ids inserted are written; the records are received at
    `found.now`, the instant their public rows show. `ON CONFLICT DO NOTHING`
    waits for a concurrent insert of the same id to commit, so N parallel
    identical requests end with one row; the ids left out are the caller's to
    read back and compare.
    """
    if not rows:
        return {}
    # jsonb travels as text here: asyncpg would read a JSON list as a nested SQL array.
    values = [(v.observation.id, *_content(v, sha)) for v, sha in rows]
    as_text = [
        (*row[:10], _json(row[10]), *row[11:14], _json(row[14]), *row[15:]) for row in values
    ]
    columns = list(zip(*as_text, strict=True))
    inserted = await conn.fetch(
        _INSERT_MANY, *columns, device_id, projected, found.rules_version, found.now
    )
    if inserted[0]["rules_version"] != found.rules_version:
        return None
    return {
        row["id"]: Stored(to_out(row, "owner"), bytes(row["content_hash"]), created=True)
        for row in inserted
        if row["id"] is not None
    }


async def get_many_with_hash(conn: Connection, observation_ids: list[UUID]) -> dict[UUID, Stored]:
    """The stored rows of these ids, with their content hashes (to answer resubmissions)."""
    if not observation_ids:
        return {}
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM observation WHERE id = ANY($1)", list(set(observation_ids))
    )
    return {
        row["id"]: Stored(to_out(row, "owner"), bytes(row["content_hash"]), created=False)
        for row in rows
    }


def _content(validated: Validated, sha: bytes) -> tuple[Any, ...]:
    """The columns a submission sets, in the order of `_INSERT_MANY` and `_REPLACE` ($2 to $21)."""
    obs = validated.observation
    offset = obs.observed_at.utcoffset() or timedelta(0)
    return (
        obs.kind, obs.schema_version, obs.programme, obs.observed_at,
        int(offset.total_seconds()), obs.location.lon, obs.location.lat,
        obs.location.accuracy_m, obs.location.altitude_m, obs.data, obs.licence, obs.comment,
        sha, msgspec.to_builtins(validated.flags), validated.taxon_cd_nom,
        validated.taxon_cd_ref, validated.commune_insee, validated.sensitivity_level,
        obs.geoprivacy, obs.site_id,
    )  # fmt: skip


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


def _unknown_programme(programme: str | None) -> InvalidInputError:
    missing = FieldError("/programme", "not_allowed", f"no programme {programme}")
    return InvalidInputError([missing], "Invalid observation")


_REPLACE = f"""
UPDATE observation SET
    kind = $2, schema_version = $3, programme = $4, observed_at = $5, observed_offset_s = $6,
    lon = $7, lat = $8, accuracy_m = $9, altitude_m = $10, data = $11, licence = $12,
    comment = $13, content_hash = $14, flags = $15, taxon_cd_nom = $16, taxon_cd_ref = $17,
    commune_insee = $18, sensitivity_level = $19,
    geoprivacy = coalesce(
        $20, (SELECT default_geoprivacy FROM device WHERE id = observation.device_id), 'open'),
    site_id = $21, version = version + 1, updated_at = greatest(now(), received_at)
WHERE id = $1
RETURNING {_COLUMNS}
"""


async def lock_own(
    conn: Connection, observation_id: UUID, device_id: UUID
) -> asyncpg.Record | None:
    """A device's observation, locked until the transaction ends; None if not theirs."""
    return await conn.fetchrow(
        f"""SELECT {_COLUMNS}, validation_method, moderator_comment, taxon_cd_nom
              FROM observation WHERE id = $1 AND {same_contributor("device_id", "$2")}
               FOR UPDATE""",
        observation_id,
        device_id,
    )


async def replace(conn: Connection, validated: Validated, sha: bytes) -> ObservationOut:
    """Overwrite a (locked) observation's content with a validated correction; next version."""
    obs = validated.observation
    try:
        row = await conn.fetchrow(_REPLACE, obs.id, *_content(validated, sha))
    except asyncpg.ForeignKeyViolationError:
        raise _unknown_programme(obs.programme) from None
    if row is None:  # the caller holds the lock, so only a deleted row gets here
        raise NotFoundError(f"no observation {obs.id}")
    return to_out(row, "owner")


async def withdraw(conn: Connection, observation_id: UUID) -> ObservationOut:
    """Mark a (locked) observation withdrawn; next version."""
    row = await conn.fetchrow(
        f"""UPDATE observation SET status = 'withdrawn', version = version + 1,
                   updated_at = greatest(now(), received_at)
             WHERE id = $1 RETURNING {_COLUMNS}""",
        observation_id,
    )
    if row is None:
        raise NotFoundError(f"no observation {observation_id}")
    return to_out(row, "owner")


def to_out(row: asyncpg.Record, caller: Caller) -> ObservationOut:
    """The precise record as its owner or its staff see it (the flags as the policy allows)."""
    return ObservationOut(
        id=row["id"],
        kind=row["kind"],
        schema_version=row["schema_version"],
        programme=row["programme"],
        observed_at=local_time(row["observed_at"], row["observed_offset_s"]),
        location=Location(
            lon=row["lon"],
            lat=row["lat"],
            accuracy_m=row["accuracy_m"],
            altitude_m=row["altitude_m"],
        ),
        data=row["data"],
        licence=row["licence"],
        comment=row["comment"],
        status=row["status"],
        flags=flags_for(caller, msgspec.convert(row["flags"], list[Flag])),
        version=row["version"],
        received_at=row["received_at"].astimezone(UTC),
        updated_at=row["updated_at"].astimezone(UTC),
        photos=[to_photo(entry) for entry in row["photos"]],
        taxon_cd_ref=row["taxon_cd_ref"],
        commune=row["commune_insee"],
        geoprivacy=row["geoprivacy"],
        site_id=row["site_id"],
    )


_OWNER_COLUMNS = f"""{_COLUMNS}, moderator_comment,
    duplicate_of IS NOT NULL AS counted_under_another"""
"""What the owner's view reads: never which record a duplicate was counted under."""


async def by_device(
    conn: Connection | asyncpg.Pool, device_id: UUID, limit: int | None, before: UUID | None
) -> list[asyncpg.Record]:
    """A device's observations, newest first, after the `before` cursor (`limit` None: all)."""
    return list(
        await conn.fetch(
            f"""SELECT {_OWNER_COLUMNS} FROM observation
                WHERE {same_contributor("device_id", "$1")}
                  AND ($2::uuid IS NULL OR (received_at, id) < (
                        SELECT received_at, id FROM observation
                         WHERE id = $2 AND {same_contributor("device_id", "$1")}))
                ORDER BY received_at DESC, id DESC LIMIT $3""",
            device_id,
            before,
            limit,
        )
    )


async def own_record(
    conn: Connection | asyncpg.Pool, observation_id: UUID, device_id: UUID
) -> asyncpg.Record | None:
    """One observation of this device (or of its account), in any status; None if not theirs."""
    return await conn.fetchrow(
        f"""SELECT {_OWNER_COLUMNS} FROM observation
             WHERE id = $1 AND {same_contributor("device_id", "$2")}""",
        observation_id,
        device_id,
    )


async def owned_by(conn: Connection | asyncpg.Pool, observation_id: UUID, device_id: UUID) -> bool:
    """True when the observation was sent by this device."""
    return bool(
        await conn.fetchval(
            f"""SELECT EXISTS (SELECT 1 FROM observation
                WHERE id = $1 AND {same_contributor("device_id", "$2")})""",
            observation_id,
            device_id,
        )
    )


async def owned(
    conn: Connection | asyncpg.Pool, observation_id: UUID, device_id: UUID
) -> asyncpg.Record | None:
    """Where, when and in which state a device's observation is; None if not theirs."""
    return await conn.fetchrow(
        f"""SELECT lon, lat, accuracy_m, observed_at, observed_offset_s, status, version
             FROM observation WHERE id = $1 AND {same_contributor("device_id", "$2")}""",
        observation_id,
        device_id,
    )


def my_observation(row: asyncpg.Record, last_reply_at: datetime | None = None) -> MyObservation:
    """The owner's view of a stored row (its columns, `moderator_comment`, whether counted under
    another)."""
    return MyObservation(
        observation=to_out(row, "owner"),
        moderator_comment=row["moderator_comment"],
        counted_under_another=row["counted_under_another"],
        last_reply_at=last_reply_at,
    )
