"""Second-opinion rules in SQL (the SQL function `needs_second_opinion` reads them)."""

from __future__ import annotations

from cairn.core.db import Executor
from cairn.opinions.model import SecondOpinionRule


async def rule(conn: Executor, programme: str) -> SecondOpinionRule:
    """The programme's rule (empty when it has none)."""
    row = await conn.fetchrow(
        """SELECT taxa, taxon_groups, protected, patrimonial
             FROM second_opinion_rule WHERE programme = $1""",
        programme,
    )
    return SecondOpinionRule() if row is None else SecondOpinionRule(**dict(row))


async def replace(conn: Executor, programme: str, new: SecondOpinionRule) -> None:
    """Store the programme's rule, taxa as their CD_REF (sorted, once each)."""
    await conn.execute(
        """INSERT INTO second_opinion_rule (programme, taxa, taxon_groups, protected, patrimonial)
           VALUES ($1, (SELECT coalesce(array_agg(DISTINCT cd_ref ORDER BY cd_ref), '{}')
                          FROM taxon WHERE cd_nom = ANY($2::int[])),
                   $3, $4, $5)
           ON CONFLICT (programme) DO UPDATE SET
               taxa = EXCLUDED.taxa, taxon_groups = EXCLUDED.taxon_groups,
               protected = EXCLUDED.protected, patrimonial = EXCLUDED.patrimonial,
               updated_at = now()""",
        programme,
        new.taxa,
        sorted(set(new.taxon_groups)),
        new.protected,
        new.patrimonial,
    )


async def known_taxa(conn: Executor, codes: list[int]) -> set[int]:
    """Those of `codes` that are CD_NOM of the reference."""
    rows = await conn.fetch("SELECT cd_nom FROM taxon WHERE cd_nom = ANY($1::int[])", codes)
    return {row[0] for row in rows}
