"""Reading the sensitivity rules takes the rules lock first, in one statement.

A record's level must be computed under the rules in force when it commits:
level writers hold the advisory lock RULES_LOCK shared to their commit, rule
changes take it alone (cairn.sensitivity.store). Taking the lock and reading
the rules used to be two round trips, because a statement reads with the
snapshot it started with, before its lock was granted. A VOLATILE function
reads with a fresh snapshot for each query it runs, so this one takes the lock,
then reads the rules a rule change committed while it waited: intake can read
the rules in the same statement as the rest of its reference data.

The first record of a taxon in a commune is looked up at every intake: an index
on (taxon, commune, status) answers it without walking every pending record of
that taxon there; it replaces the index on the taxon alone, its prefix.

Revision ID: 0017
Revises: 0014
Create Date: 2026-11-28
"""

from cairn.core.db import execute_script

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE FUNCTION cairn_level_rules(taxa integer[]) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock_shared(1581586197);  -- sensitivity.store.RULES_LOCK
        RETURN (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'target', t.cd_nom, 'id', r.id, 'cd_ref', r.cd_ref, 'level', r.level,
                       'area', r.area, 'period_start', r.period_start,
                       'period_end', r.period_end, 'comment', r.comment,
                       'updated_at', r.updated_at) ORDER BY t.cd_nom, r.id), '[]'::jsonb)
              FROM taxon t
              JOIN taxon a ON a.cd_nom = t.cd_nom OR (t.path IS NOT NULL AND a.path @> t.path)
              JOIN sensitivity_rule r ON r.cd_ref = a.cd_nom
             WHERE t.cd_nom = ANY(taxa));
    END $$;
    COMMENT ON FUNCTION cairn_level_rules(integer[]) IS
        'The sensitivity rules covering these taxa (theirs and their ancestors''), read after '
        'taking the rules lock shared until the transaction ends';
    CREATE INDEX observation_taxon_commune_status
        ON observation (taxon_cd_ref, commune_insee, status);
    DROP INDEX observation_taxon;
    """)


def downgrade() -> None:
    execute_script("""
    CREATE INDEX observation_taxon ON observation (taxon_cd_ref);
    DROP INDEX observation_taxon_commune_status;
    DROP FUNCTION cairn_level_rules(integer[]);
    """)
