"""Observation kinds that programme staff build: versioned JSON Schemas in the database.

The bundled kinds (species, heritage) stay files under schemas/kinds, version 1,
so nothing sent so far changes. A programme's own kinds live here: a draft is
seen by its staff only; publishing freezes a version for ever (a trigger refuses
any change to a published row), and an edit becomes the next version. The public
projection keeps each record's schema version, so open data can say which
version's units and labels its fields follow.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25
"""

from cairn.core.db import execute_script

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE programme_kind (
        programme     text NOT NULL REFERENCES programme (slug) ON DELETE CASCADE,
        kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,31}$'
                                           AND kind NOT IN ('species', 'heritage')),
        version       integer NOT NULL CHECK (version BETWEEN 1 AND 10000),
        schema        jsonb NOT NULL CHECK (jsonb_typeof(schema) = 'object'),
        state         text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
        created_by    uuid REFERENCES staff_user (id) ON DELETE SET NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz,
        PRIMARY KEY (kind, version),
        CHECK ((state = 'published') = (published_at IS NOT NULL))
    );
    COMMENT ON TABLE programme_kind IS
        'Observation kinds built by programme staff: JSON Schema 2020-12, immutable once published';
    COMMENT ON COLUMN programme_kind.kind IS
        'Unique across programmes: a record names its kind and version, the kind names its programme';
    CREATE INDEX programme_kind_programme ON programme_kind (programme, kind);

    CREATE FUNCTION programme_kind_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.state = 'published' THEN
            RAISE EXCEPTION 'kind % version % is published and cannot change', OLD.kind, OLD.version
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$;
    CREATE TRIGGER programme_kind_frozen BEFORE UPDATE OR DELETE ON programme_kind
        FOR EACH ROW EXECUTE FUNCTION programme_kind_frozen();

    ALTER TABLE public_observation
        ADD COLUMN schema_version integer NOT NULL DEFAULT 1;
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE public_observation DROP COLUMN schema_version;
    DROP TABLE programme_kind;
    DROP FUNCTION programme_kind_frozen();
    """)
