"""Optional contributor accounts: an email and a password that gather a person's devices.

A visitor who records on a phone, then on a tablet, signs in on the second
with the account made on the first: both devices then see, edit and erase the
same observations. Without an account a device stays anonymous, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE contributor (
        id             uuid PRIMARY KEY,
        email          text NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) <= 320),
        password_hash  text NOT NULL,
        created_at     timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE contributor IS
        'Optional contributor accounts (argon2id password hash); they gather devices';
    ALTER TABLE device ADD COLUMN contributor_id uuid REFERENCES contributor (id) ON DELETE SET NULL;
    CREATE INDEX device_contributor ON device (contributor_id);
    """)


def downgrade() -> None:
    execute_script("""
    ALTER TABLE device DROP COLUMN contributor_id;
    DROP TABLE contributor;
    """)
