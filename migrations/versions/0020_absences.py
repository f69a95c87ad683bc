"""Absences: a record may say its taxon was searched for and not found.

A kind that records absences carries `data.occurrence_status` (`present` or
`absent`; a record without it is a presence). The public projection keeps it
in a column of its own, written by its one writer (cairn.opendata.store), so
the open data publishes it (Darwin Core `occurrenceStatus`) and every figure
that counts presences (atlas, checklists, impact, widgets) filters on it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

from cairn.core.db import execute_script

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE public_observation ADD COLUMN occurrence_status text NOT NULL DEFAULT 'present'
        CHECK (occurrence_status IN ('present', 'absent'));
    COMMENT ON COLUMN public_observation.occurrence_status IS
        'present, or absent: searched for and not found (never counted as a presence)';
    UPDATE public_observation p SET occurrence_status = 'absent'
      FROM observation o
     WHERE o.id = p.id AND o.data->>'occurrence_status' = 'absent';
    """)


def downgrade() -> None:
    execute_script("ALTER TABLE public_observation DROP COLUMN occurrence_status;")
