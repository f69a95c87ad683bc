"""Heritage typology and items, and plausibility profiles of taxa.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE heritage_category (
        slug      text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z_]{1,31}$'),
        label_fr  text NOT NULL,
        label_en  text NOT NULL,
        label_it  text NOT NULL,
        position  smallint NOT NULL
    );
    COMMENT ON TABLE heritage_category IS
        'Vernacular heritage typology (Cairn''s, see schemas/kinds/heritage); filled from the schema.';

    CREATE TABLE heritage_item (
        id            uuid PRIMARY KEY,
        category      text NOT NULL REFERENCES heritage_category (slug),
        name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
        commune_insee text,
        lon           double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat           double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        external_ref  text,
        source        text NOT NULL,
        attributes    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (source, external_ref)
    );
    COMMENT ON COLUMN heritage_item.external_ref IS 'e.g. the Mérimée REF (PA…, IA…) of the source file';
    CREATE INDEX heritage_item_commune ON heritage_item (commune_insee);
    CREATE INDEX heritage_item_name_trgm ON heritage_item USING gin (cairn_fold(name) gin_trgm_ops);

    CREATE TABLE taxon_profile (
        cd_ref        integer PRIMARY KEY,
        observations  integer NOT NULL CHECK (observations >= 0),
        altitude_low  double precision,
        altitude_high double precision,
        months        smallint[] NOT NULL,
        count_high    integer,
        computed_at   timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE taxon_profile IS
        'What validated observations say is usual for a taxon: altitude band (2nd-98th '
        'percentile), active months, high count (98th percentile). Refreshed by '
        '`cairn refresh-profiles`; used for plausibility flags only when observations >= 20.';
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE taxon_profile;
    DROP TABLE heritage_item;
    DROP TABLE heritage_category;
    """)
