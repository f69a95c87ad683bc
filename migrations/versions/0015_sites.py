"""Monitored sites: places a programme's visitors return to (a pond, a nest box, a transect).

A site is a WGS84 point or polygon with a name and description in fr/en/it and
an optional SINP sensitivity level (0-4). An observation may name its site; the
public projection keeps the site only where the disclosure policy lets the
record point at it (see observations/disclosure.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from cairn.core.db import execute_script

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE site (
        id                uuid PRIMARY KEY,
        programme         text NOT NULL REFERENCES programme (slug) ON DELETE CASCADE,
        name              jsonb NOT NULL CHECK (jsonb_typeof(name) = 'object'),
        description       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(description) = 'object'),
        geometry          jsonb NOT NULL CHECK (geometry->>'type' IN ('Point', 'Polygon')),
        lon               double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat               double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        commune_insee     text REFERENCES commune (insee),
        sensitivity_level smallint NOT NULL DEFAULT 0 CHECK (sensitivity_level BETWEEN 0 AND 4),
        archived          boolean NOT NULL DEFAULT false,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE site IS
        'Monitored sites of a programme; precise, read by staff and by the disclosure policy only';
    COMMENT ON COLUMN site.lon IS 'A point on the site (the point, or inside the polygon)';
    CREATE INDEX site_programme ON site (programme) WHERE NOT archived;

    ALTER TABLE observation ADD COLUMN site_id uuid REFERENCES site (id);
    CREATE INDEX observation_site ON observation (site_id) WHERE site_id IS NOT NULL;

    ALTER TABLE public_observation ADD COLUMN site_id uuid, ADD COLUMN site_name text;
    CREATE INDEX public_observation_site ON public_observation (site_id, observed_at)
        WHERE site_id IS NOT NULL;
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE public_observation DROP COLUMN site_id, DROP COLUMN site_name;
    ALTER TABLE observation DROP COLUMN site_id;
    DROP TABLE site;
    """)
