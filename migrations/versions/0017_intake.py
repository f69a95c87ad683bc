"""Intake in two statements: the sensitivity rules' lock and version, read with the write.

A record's level must be computed under the rules in force when it commits:
level writers hold the advisory lock RULES_LOCK shared to their commit, rule
changes take it alone (cairn.sensitivity.store). A statement reads with the
snapshot it started with, before a lock it takes is granted; a VOLATILE
function reads with a fresh snapshot for each query it runs. So:

- `cairn_level_rules(taxa, lock)` reads the rules covering these taxa (their
  own and their ancestors'), after taking the lock shared when `lock` is set:
  moderation and corrections compute levels in the transaction they write in;
- `sensitivity_rules_version` counts rule changes (a statement trigger bumps it
  in the changing transaction); `cairn_rules_version()` takes the lock shared,
  then reads it. Intake reads the rules and the version without the lock, and
  its insert proceeds only if the version it finds under the lock is the one
  it read: otherwise it computes the levels again. No BEGIN, no COMMIT: the
  insert is one statement, holding the lock to its own commit.

The first record of a taxon in a commune is looked up at every intake: an index
on (taxon, commune, status) answers it without walking every pending record of
that taxon there; it replaces the index on the taxon alone, its prefix.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""

from cairn.core.db import execute_script

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE FUNCTION cairn_level_rules(taxa integer[], lock boolean) RETURNS jsonb
    LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        IF lock THEN
            PERFORM pg_advisory_xact_lock_shared(1581586197);  -- sensitivity.store.RULES_LOCK
        END IF;
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
    COMMENT ON FUNCTION cairn_level_rules(integer[], boolean) IS
        'The sensitivity rules covering these taxa (theirs and their ancestors''), read after '
        'taking the rules lock shared until the transaction ends if asked';

    CREATE TABLE sensitivity_rules_version (
        one      boolean PRIMARY KEY DEFAULT true CHECK (one),
        version  bigint NOT NULL
    );
    INSERT INTO sensitivity_rules_version (version) VALUES (0);
    COMMENT ON TABLE sensitivity_rules_version IS
        'How many times the sensitivity rules changed: intake checks it under the rules lock';
    CREATE FUNCTION sensitivity_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE sensitivity_rules_version SET version = version + 1;
        RETURN NULL;
    END $$;
    CREATE TRIGGER sensitivity_rule_version
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sensitivity_rule
        FOR EACH STATEMENT EXECUTE FUNCTION sensitivity_rules_changed();
    CREATE FUNCTION cairn_rules_version() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock_shared(1581586197);  -- sensitivity.store.RULES_LOCK
        RETURN (SELECT version FROM sensitivity_rules_version);
    END $$;
    COMMENT ON FUNCTION cairn_rules_version() IS
        'The rules version, read after taking the rules lock shared until the transaction ends';

    CREATE INDEX observation_taxon_commune_status
        ON observation (taxon_cd_ref, commune_insee, status);
    DROP INDEX observation_taxon;
    """)


def downgrade() -> None:
    execute_script("""
    CREATE INDEX observation_taxon ON observation (taxon_cd_ref);
    DROP INDEX observation_taxon_commune_status;
    DROP FUNCTION cairn_rules_version();
    DROP TRIGGER sensitivity_rule_version ON sensitivity_rule;
    DROP FUNCTION sensitivity_rules_changed();
    DROP TABLE sensitivity_rules_version;
    DROP FUNCTION cairn_level_rules(integer[], boolean);
    """)
