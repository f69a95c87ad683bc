"""API keys for researchers: optional, hashed, counted.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE api_key (
        id            uuid PRIMARY KEY,
        key_hash      bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
        owner         text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
        contact_email text CHECK (length(contact_email) <= 320),
        requests      bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz,
        revoked_at    timestamptz
    );
    COMMENT ON TABLE api_key IS
        'Researchers'' keys: higher rate limits and usage counts; open data stays open without one.';
    """)


def downgrade() -> None:
    execute_script("DROP TABLE api_key;")
