"""Photos of observations: one row per client photo id, files kept by content hash.

The files themselves live in the photo store (a folder or an S3 bucket) under
the SHA-256 of the re-encoded original, so identical pictures are stored once
and their URLs never change. `upload_sha256` lets a retry of the same upload
be answered without decoding it again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE photo (
        id              uuid PRIMARY KEY,
        observation_id  uuid NOT NULL REFERENCES observation (id) ON DELETE CASCADE,
        sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        upload_sha256   bytea NOT NULL CHECK (length(upload_sha256) = 32),
        width           integer NOT NULL CHECK (width > 0),
        height          integer NOT NULL CHECK (height > 0),
        source_format   text NOT NULL,
        exif            jsonb,
        created_at      timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE photo IS
        'Photos of observations; files in the photo store under sha256, stripped of all metadata';
    COMMENT ON COLUMN photo.exif IS
        'Capture time and GPS position read before stripping, for moderators only';
    CREATE INDEX photo_observation ON photo (observation_id, created_at, id);
    CREATE INDEX photo_sha256 ON photo (sha256);
    CREATE INDEX photo_upload_sha256 ON photo (upload_sha256);
    """)


def downgrade() -> None:
    execute_script("DROP TABLE photo;")
