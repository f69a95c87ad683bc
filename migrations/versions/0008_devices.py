"""Contributor devices: a secret token (stored hashed) and a chosen pseudonym.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE device (
        id            uuid PRIMARY KEY,
        token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        pseudonym     text CHECK (length(pseudonym) BETWEEN 1 AND 40),
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_seen_at  timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON COLUMN device.token_hash IS 'SHA-256 of the bearer token; the token itself is never stored';
    COMMENT ON COLUMN device.pseudonym IS 'The public name the contributor chose; NULL = anonymous';
    ALTER TABLE observation ADD COLUMN device_id uuid REFERENCES device (id) ON DELETE SET NULL;
    CREATE INDEX observation_device ON observation (device_id, received_at);
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE observation DROP COLUMN device_id;
    DROP TABLE device;
    """)
