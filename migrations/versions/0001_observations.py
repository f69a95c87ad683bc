"""Core observation table, with the ranges the wire contract promises as CHECKs.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE EXTENSION IF NOT EXISTS ltree;
    CREATE EXTENSION IF NOT EXISTS btree_gist;

    CREATE TABLE observation (
        id                  uuid PRIMARY KEY,
        kind                text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,31}$'),
        schema_version      integer NOT NULL CHECK (schema_version BETWEEN 1 AND 10000),
        programme           text NOT NULL CHECK (programme ~ '^[a-z][a-z0-9_-]{0,62}$'),
        observed_at         timestamptz NOT NULL,
        observed_offset_s   integer NOT NULL CHECK (observed_offset_s BETWEEN -86400 AND 86400),
        lon                 double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
        lat                 double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
        accuracy_m          double precision CHECK (accuracy_m BETWEEN 0 AND 100000),
        altitude_m          double precision CHECK (altitude_m BETWEEN -500 AND 9000),
        data                jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
        licence             text NOT NULL
                            CHECK (licence IN ('CC0-1.0', 'CC-BY-4.0', 'CC-BY-NC-4.0',
                                               'etalab-2.0')),
        comment             text CHECK (length(comment) <= 2000),
        content_hash        bytea NOT NULL CHECK (length(content_hash) = 32),
        status              text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'certain', 'probable', 'doubtful',
                                              'invalid', 'not_assessable', 'unknown', 'withdrawn')),
        flags               jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(flags) = 'array'),
        version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        received_at         timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now(),
        CHECK (updated_at >= received_at)
    );
    COMMENT ON TABLE observation IS
        'One row per observation; id is the UUID the device made (idempotency key).';
    CREATE INDEX observation_status_received ON observation (status, received_at);
    CREATE INDEX observation_updated ON observation (updated_at, id);
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE observation;
    DROP EXTENSION IF EXISTS btree_gist;
    DROP EXTENSION IF EXISTS ltree;
    DROP EXTENSION IF EXISTS unaccent;
    DROP EXTENSION IF EXISTS pg_trgm;
    """)
