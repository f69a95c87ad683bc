"""The public projection: the only table open endpoints read.

Computed at write time from observation + taxon + commune: generalised
position, grid cells, names, licence and the few attributes safe to publish.
Sensitivity level 4 records have no row. A point column with a GiST index
serves bbox and polygon queries without PostGIS; an ltree column serves
"this taxon and its descendants".

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE public_observation (
        id                   uuid PRIMARY KEY REFERENCES observation (id) ON DELETE CASCADE,
        kind                 text NOT NULL,
        programme            text NOT NULL,
        status               text NOT NULL,
        observed_at          timestamptz NOT NULL,
        observed_offset_s    integer NOT NULL,
        taxon_cd_ref         integer,
        taxon_path           ltree,
        scientific_name      text,
        vernacular_fr        text,
        kingdom              text,
        taxon_group          text,
        sensitivity_level    smallint NOT NULL CHECK (sensitivity_level BETWEEN 0 AND 3),
        lon                  double precision,
        lat                  double precision,
        position             point,
        uncertainty_m        double precision,
        altitude_m           double precision,
        grid_10km            text,
        grid_1km             text,
        commune_insee        text,
        departement          text,
        generalisation       text CHECK (generalisation IN ('commune', 'grid_10km', 'departement')),
        generalisation_code  text,
        data_generalizations text,
        information_withheld text,
        attributes           jsonb NOT NULL DEFAULT '{}',
        comment              text,
        observer             text,
        licence              text NOT NULL,
        photos               jsonb NOT NULL DEFAULT '[]',
        updated_at           timestamptz NOT NULL,
        CHECK ((lon IS NULL) = (lat IS NULL) AND (lon IS NULL) = (position IS NULL))
    );
    COMMENT ON TABLE public_observation IS
        'Open data: only public fields, generalised at write time by sensitivity level.';
    CREATE INDEX public_observation_position ON public_observation USING gist (position);
    CREATE INDEX public_observation_taxon_path ON public_observation USING gist (taxon_path);
    CREATE INDEX public_observation_status_id ON public_observation (status, id);
    CREATE INDEX public_observation_observed ON public_observation (observed_at, id);
    CREATE INDEX public_observation_updated ON public_observation (updated_at, id);
    CREATE INDEX public_observation_commune ON public_observation (commune_insee);
    CREATE INDEX public_observation_grid ON public_observation (grid_10km);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE public_observation;")
