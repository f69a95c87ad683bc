"""Reference data: taxa (TAXREF-keyed, with a materialised path) and communes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    -- unaccent() is STABLE (it reads a dictionary); indexes need IMMUTABLE.
    -- Pinning the dictionary makes the wrapper safe to declare immutable.
    CREATE FUNCTION cairn_fold(value text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        RETURN lower(public.unaccent('public.unaccent'::regdictionary, value));

    CREATE TABLE taxon (
        cd_nom            integer PRIMARY KEY CHECK (cd_nom > 0),
        cd_ref            integer NOT NULL CHECK (cd_ref > 0),
        cd_sup            integer CHECK (cd_sup > 0),
        rank              text,
        scientific_name   text NOT NULL,
        authority         text,
        full_name         text,
        vernacular_fr     text,
        vernacular_en     text,
        vernacular_it     text,
        kingdom           text,
        phylum            text,
        class             text,
        "order"           text,
        family            text,
        genus             text,
        group1_inpn       text,
        group2_inpn       text,
        group3_inpn       text,
        path              ltree,
        protected         boolean NOT NULL DEFAULT false,
        patrimonial       boolean NOT NULL DEFAULT false,
        sensitivity_level smallint NOT NULL DEFAULT 0 CHECK (sensitivity_level BETWEEN 0 AND 4),
        attributes        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
        source            text NOT NULL,
        updated_at        timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON COLUMN taxon.cd_ref IS 'CD_NOM of the valid name; synonyms have cd_ref <> cd_nom';
    COMMENT ON COLUMN taxon.path IS
        'Materialised path of valid-name ancestors (cd_ref labels, root first), for descendants';
    CREATE INDEX taxon_cd_ref ON taxon (cd_ref);
    CREATE INDEX taxon_cd_sup ON taxon (cd_sup);
    CREATE INDEX taxon_path ON taxon USING gist (path);
    CREATE INDEX taxon_scientific_trgm ON taxon USING gin (cairn_fold(scientific_name) gin_trgm_ops);
    CREATE INDEX taxon_vernacular_fr_trgm ON taxon USING gin (cairn_fold(vernacular_fr) gin_trgm_ops);
    CREATE INDEX taxon_vernacular_en_trgm ON taxon USING gin (cairn_fold(vernacular_en) gin_trgm_ops);
    CREATE INDEX taxon_vernacular_it_trgm ON taxon USING gin (cairn_fold(vernacular_it) gin_trgm_ops);

    CREATE TABLE commune (
        insee         text PRIMARY KEY CHECK (insee ~ '^[0-9][0-9AB][0-9]{3}$'),
        name          text NOT NULL,
        departement   text NOT NULL,
        epci_siren    text,
        epci_name     text,
        population    integer CHECK (population >= 0),
        geometry      jsonb NOT NULL CHECK (geometry->>'type' IN ('Polygon', 'MultiPolygon')),
        min_lon       double precision NOT NULL,
        min_lat       double precision NOT NULL,
        max_lon       double precision NOT NULL,
        max_lat       double precision NOT NULL,
        centroid_lon  double precision NOT NULL,
        centroid_lat  double precision NOT NULL,
        CHECK (min_lon <= max_lon AND min_lat <= max_lat)
    );
    COMMENT ON COLUMN commune.geometry IS 'GeoJSON outline, WGS84';

    ALTER TABLE observation
        ADD COLUMN taxon_cd_nom integer,
        ADD COLUMN taxon_cd_ref integer,
        ADD COLUMN commune_insee text;
    COMMENT ON COLUMN observation.taxon_cd_nom IS 'The taxon code as submitted (may be a synonym)';
    COMMENT ON COLUMN observation.taxon_cd_ref IS 'The valid name the observation is attached to';
    CREATE INDEX observation_taxon ON observation (taxon_cd_ref);
    CREATE INDEX observation_commune ON observation (commune_insee);
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE observation
        DROP COLUMN commune_insee,
        DROP COLUMN taxon_cd_ref,
        DROP COLUMN taxon_cd_nom;
    DROP TABLE commune;
    DROP TABLE taxon;
    DROP FUNCTION cairn_fold(text);
    """)
