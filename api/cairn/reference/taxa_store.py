"""The taxon aggregate: bulk import by COPY, accent- and typo-tolerant search, parent chains."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import msgspec

from cairn.core.db import Connection, Executor
from cairn.reference.taxa import TaxonRecord

_IMPORT_COLUMNS: Final = (
    "cd_nom",
    "cd_ref",
    "cd_sup",
    "rank",
    "scientific_name",
    "authority",
    "full_name",
    "vernacular_fr",
    "vernacular_en",
    "kingdom",
    "phylum",
    "class",
    "order",
    "family",
    "genus",
    "group1_inpn",
    "group2_inpn",
    "group3_inpn",
    "protected",
    "patrimonial",
    "sensitivity_level",
    "attributes",
    "source",
)
_TAXONOMY: Final = tuple(c for c in _IMPORT_COLUMNS[2:18] if c != "scientific_name")
_PARK: Final = ("protected", "patrimonial", "sensitivity_level", "attributes")

# Each source updates what it knows: TAXREF the taxonomy, the park list its
# attributes; nothing known is overwritten with "unknown" (NULL in the import).
_UPDATE = f"""
UPDATE taxon t SET
    cd_ref = i.cd_ref,
    scientific_name = CASE WHEN i.source = 'taxref' OR t.source = 'pne'
                           THEN i.scientific_name ELSE t.scientific_name END,
    {", ".join(f'"{c}" = coalesce(i."{c}", t."{c}")' for c in (*_TAXONOMY, *_PARK))},
    source = CASE WHEN t.source = 'taxref' THEN 'taxref' ELSE i.source END,
    updated_at = now()
FROM taxon_import i
WHERE t.cd_nom = i.cd_nom
"""
_INSERT = f"""
INSERT INTO taxon ({", ".join(f'"{c}"' for c in _IMPORT_COLUMNS)})
SELECT {", ".join(f'i."{c}"' for c in _IMPORT_COLUMNS[:18])},
       coalesce(i.protected, false), coalesce(i.patrimonial, false),
       coalesce(i.sensitivity_level, 0), coalesce(i.attributes, '{{}}'), i.source
FROM taxon_import i
WHERE NOT EXISTS (SELECT 1 FROM taxon t WHERE t.cd_nom = i.cd_nom)
"""


class ImportCounts(msgspec.Struct):
    """What an import did, for its summary line."""

    read: int
    inserted: int
    updated: int
    valid_names: int


async def import_records(conn: Connection, records: Iterable[TaxonRecord]) -> ImportCounts:
    """COPY `records` into a scratch table, upsert, rebuild paths: in the caller's transaction."""
    await conn.execute(
        "CREATE TEMP TABLE taxon_import (LIKE taxon INCLUDING DEFAULTS) ON COMMIT DROP;"
        "ALTER TABLE taxon_import ALTER COLUMN protected DROP NOT NULL,"
        " ALTER COLUMN patrimonial DROP NOT NULL, ALTER COLUMN sensitivity_level DROP NOT NULL,"
        " ALTER COLUMN attributes DROP NOT NULL, ALTER COLUMN attributes DROP DEFAULT,"
        " ALTER COLUMN protected DROP DEFAULT, ALTER COLUMN patrimonial DROP DEFAULT,"
        " ALTER COLUMN sensitivity_level DROP DEFAULT"
    )
    await conn.copy_records_to_table(
        "taxon_import", records=(_as_tuple(r) for r in records), columns=list(_IMPORT_COLUMNS)
    )
    read = await conn.fetchval("SELECT count(*) FROM taxon_import")
    duplicates = await conn.fetchval(
        "SELECT cd_nom FROM taxon_import GROUP BY cd_nom HAVING count(*) > 1 LIMIT 1"
    )
    if duplicates is not None:
        raise ValueError(f"CD_NOM {duplicates} appears more than once in the file")
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('cairn.import.taxa'))")
    updated = int((await conn.execute(_UPDATE)).split()[-1])
    inserted = int((await conn.execute(_INSERT)).split()[-1])
    await rebuild_paths(conn)
    valid = await conn.fetchval("SELECT count(*) FROM taxon_import WHERE cd_nom = cd_ref")
    return ImportCounts(read=read, inserted=inserted, updated=updated, valid_names=valid)


def _as_tuple(record: TaxonRecord) -> tuple[Any, ...]:
    return (
        record.cd_nom,
        record.cd_ref,
        record.cd_sup,
        record.rank,
        record.scientific_name,
        record.authority,
        record.full_name,
        record.vernacular_fr,
        record.vernacular_en,
        record.kingdom,
        record.phylum,
        record.class_,
        record.order,
        record.family,
        record.genus,
        record.group1_inpn,
        record.group2_inpn,
        record.group3_inpn,
        record.protected,
        record.patrimonial,
        record.sensitivity_level,
        record.attributes,
        record.source,
    )


async def rebuild_paths(conn: Connection) -> None:
    """Materialise each valid name's ancestor chain (root first) as an ltree path.

    Roots are valid names whose parent is unknown here; a file without
    CD_SUP (the park list) gives one-label paths. Synonyms get no path:
    queries resolve them to their valid name first.
    """
    await conn.execute(
        """
        WITH RECURSIVE tree (cd_nom, path) AS (
            SELECT t.cd_nom, text2ltree(t.cd_nom::text)
            FROM taxon t
            WHERE t.cd_nom = t.cd_ref
              AND (t.cd_sup IS NULL OR NOT EXISTS (
                    SELECT 1 FROM taxon p WHERE p.cd_nom = t.cd_sup AND p.cd_nom = p.cd_ref))
            UNION ALL
            SELECT c.cd_nom, tree.path || c.cd_nom::text
            FROM taxon c JOIN tree ON c.cd_sup = tree.cd_nom
            WHERE c.cd_nom = c.cd_ref AND c.cd_nom <> tree.cd_nom
        ) CYCLE cd_nom SET in_cycle USING visited
        UPDATE taxon SET path = tree.path
        FROM tree
        WHERE taxon.cd_nom = tree.cd_nom AND NOT tree.in_cycle
          AND taxon.path IS DISTINCT FROM tree.path
        """
    )
    await conn.execute("UPDATE taxon SET path = NULL WHERE cd_nom <> cd_ref AND path IS NOT NULL")


class TaxonSummary(msgspec.Struct, frozen=True):
    """A taxon as search results and parent chains show it."""

    cd_nom: int
    cd_ref: int
    scientific_name: str
    authority: str | None
    vernacular_name: str | None
    rank: str | None
    group: str | None


class Taxon(msgspec.Struct, frozen=True, kw_only=True):
    """A taxon with its names, classification, status and parent chain."""

    cd_nom: int
    cd_ref: int
    is_valid_name: bool
    valid_name: TaxonSummary | None
    scientific_name: str
    authority: str | None
    vernacular_fr: str | None
    vernacular_en: str | None
    vernacular_it: str | None
    rank: str | None
    kingdom: str | None
    phylum: str | None
    class_: str | None = msgspec.field(name="class")
    order: str | None
    family: str | None
    group: str | None
    protected: bool
    patrimonial: bool
    sensitivity_level: int
    source: str
    parents: list[TaxonSummary]


def _vernacular_column(lang: str) -> str:
    return {"fr": "vernacular_fr", "en": "vernacular_en", "it": "vernacular_it"}[lang]


def _summary(row: Any, lang: str) -> TaxonSummary:
    return TaxonSummary(
        cd_nom=row["cd_nom"],
        cd_ref=row["cd_ref"],
        scientific_name=row["scientific_name"],
        authority=row["authority"],
        vernacular_name=row[_vernacular_column(lang)] or row["vernacular_fr"],
        rank=row["rank"],
        group=row["group2_inpn"] or row["group1_inpn"],
    )


async def search(conn: Connection, query: str, lang: str, limit: int) -> list[TaxonSummary]:
    """Names matching `query`: prefix first, then word prefix, then trigram similarity.

    Accents and case are folded on both sides (cairn_fold); the trigram
    indexes make typos ("gentianne") and partial words ("bouquet") fast.
    """
    vernacular = _vernacular_column(lang)
    rows = await conn.fetch(
        f"""
        WITH q AS (SELECT cairn_fold($1) AS q),
        candidates AS (
            SELECT t.*, greatest(
                similarity(cairn_fold(t.scientific_name), q.q),
                similarity(cairn_fold(coalesce(t.{vernacular}, '')), q.q),
                similarity(cairn_fold(coalesce(t.vernacular_fr, '')), q.q)
            ) AS score,
            (cairn_fold(t.scientific_name) LIKE q.q || '%'
             OR cairn_fold(coalesce(t.{vernacular}, '')) LIKE q.q || '%'
             OR cairn_fold(coalesce(t.vernacular_fr, '')) LIKE q.q || '%') AS prefix,
            (cairn_fold(t.scientific_name) LIKE '%' || q.q || '%'
             OR cairn_fold(coalesce(t.{vernacular}, '')) LIKE '%' || q.q || '%'
             OR cairn_fold(coalesce(t.vernacular_fr, '')) LIKE '%' || q.q || '%') AS contains
            FROM taxon t, q
            WHERE cairn_fold(t.scientific_name) % q.q
               OR cairn_fold(t.{vernacular}) % q.q
               OR cairn_fold(t.vernacular_fr) % q.q
               OR cairn_fold(t.scientific_name) LIKE '%' || q.q || '%'
               OR cairn_fold(t.{vernacular}) LIKE '%' || q.q || '%'
               OR cairn_fold(t.vernacular_fr) LIKE '%' || q.q || '%'
        )
        SELECT * FROM candidates
        ORDER BY prefix DESC, contains DESC, (cd_nom = cd_ref) DESC, score DESC,
                 length(scientific_name), cd_nom
        LIMIT $2
        """,
        query,
        limit,
    )
    return [_summary(row, lang) for row in rows]


async def get(conn: Connection, cd_nom: int, lang: str) -> Taxon | None:
    """A taxon by CD_NOM with its valid name (for synonyms) and parent chain."""
    row = await conn.fetchrow("SELECT * FROM taxon WHERE cd_nom = $1", cd_nom)
    if row is None:
        return None
    valid_row = (
        row
        if row["cd_nom"] == row["cd_ref"]
        else await conn.fetchrow("SELECT * FROM taxon WHERE cd_nom = $1", row["cd_ref"])
    )
    parents = await conn.fetch(
        """
        SELECT p.* FROM taxon v
        JOIN taxon p ON p.path @> v.path AND p.cd_nom <> v.cd_nom
        WHERE v.cd_nom = $1
        ORDER BY nlevel(p.path)
        """,
        row["cd_ref"],
    )
    return Taxon(
        cd_nom=row["cd_nom"],
        cd_ref=row["cd_ref"],
        is_valid_name=row["cd_nom"] == row["cd_ref"],
        valid_name=None if valid_row is None else _summary(valid_row, lang),
        scientific_name=row["scientific_name"],
        authority=row["authority"],
        vernacular_fr=row["vernacular_fr"],
        vernacular_en=row["vernacular_en"],
        vernacular_it=row["vernacular_it"],
        rank=row["rank"],
        kingdom=row["kingdom"],
        phylum=row["phylum"],
        class_=row["class"],
        order=row["order"],
        family=row["family"],
        group=row["group2_inpn"] or row["group1_inpn"],
        protected=row["protected"],
        patrimonial=row["patrimonial"],
        sensitivity_level=row["sensitivity_level"],
        source=row["source"],
        parents=[_summary(p, lang) for p in parents],
    )


async def refresh_profiles(conn: Connection, statuses: tuple[str, ...]) -> int:
    """Recompute every taxon's profile from observations with a validated status (presences
    only: where and when a taxon was not found says nothing of where it lives)."""
    await conn.execute("DELETE FROM taxon_profile")
    result = await conn.execute(
        """
        INSERT INTO taxon_profile (cd_ref, observations, altitude_low, altitude_high, months,
                                   count_high)
        SELECT taxon_cd_ref, count(*),
               percentile_cont(0.02) WITHIN GROUP (ORDER BY altitude_m),
               percentile_cont(0.98) WITHIN GROUP (ORDER BY altitude_m),
               array_agg(DISTINCT extract(month FROM observed_at)::smallint),
               percentile_disc(0.98) WITHIN GROUP (ORDER BY (data->>'count')::int)
        FROM observation
        WHERE taxon_cd_ref IS NOT NULL AND status = ANY($1)
          AND data->>'occurrence_status' IS DISTINCT FROM 'absent'
        GROUP BY taxon_cd_ref
        """,
        list(statuses),
    )
    return int(result.split()[-1])


class ValidName(msgspec.Struct, frozen=True):
    """The valid name a CD_NOM stands for, and its lineage (for "this taxon and below")."""

    cd_nom: int
    path: str | None


async def valid_name(conn: Executor, cd_nom: int) -> ValidName | None:
    """The valid name of `cd_nom` (its CD_REF's row), or None for an unknown code."""
    found = await conn.fetchrow(
        """SELECT v.cd_nom, v.path::text AS path
           FROM taxon t JOIN taxon v ON v.cd_nom = t.cd_ref WHERE t.cd_nom = $1""",
        cd_nom,
    )
    return None if found is None else ValidName(found["cd_nom"], found["path"])
