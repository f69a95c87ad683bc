"""Shareable impact links: a random id a contributor creates on demand and can revoke.

The id names no device and holds no token: the page behind it shows only the
public counts of the contributor's records. Deleting the row (revoking, or
erasing the device) makes every copy of the link answer 404.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from cairn.core.db import execute_script

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE impact_share (
        id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{22}$'),
        device_id   uuid NOT NULL UNIQUE REFERENCES device (id) ON DELETE CASCADE,
        created_at  timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE impact_share IS
        'Shareable impact links: a random id per device, revocable; shows public counts only';
    """)


def downgrade() -> None:
    execute_script("DROP TABLE impact_share;")
