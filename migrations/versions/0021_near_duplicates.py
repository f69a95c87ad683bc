"""Near-duplicates: a moderator marks a record as a duplicate of another.

`duplicate_of` names the record it was counted under: the public projection
drops it (so the open data, the atlas and the counts), its contributor still
sees it. The possible duplicates moderators are shown are computed when staff
read (cairn.duplicates.store), from the indexes below: the same taxon, or the
same heritage item, in the same programme, by time.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

from cairn.core.db import execute_script

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE observation
        ADD COLUMN duplicate_of uuid REFERENCES observation (id) ON DELETE SET NULL,
        ADD CONSTRAINT observation_duplicate_of_check CHECK (duplicate_of <> id);
    COMMENT ON COLUMN observation.duplicate_of IS
        'The record a moderator counted this one under (staff-only; unpublished while set)';
    CREATE INDEX observation_same_taxon_idx ON observation (programme, taxon_cd_ref, observed_at)
        WHERE taxon_cd_ref IS NOT NULL;
    CREATE INDEX observation_same_item_idx ON observation (programme, (data ->> 'item_id'), observed_at)
        WHERE kind = 'heritage' AND data ? 'item_id';
    CREATE INDEX observation_duplicate_of_idx ON observation (duplicate_of)
        WHERE duplicate_of IS NOT NULL;
    """)


def downgrade() -> None:
    execute_script("""
    DROP INDEX observation_duplicate_of_idx;
    DROP INDEX observation_same_item_idx;
    DROP INDEX observation_same_taxon_idx;
    ALTER TABLE observation DROP COLUMN duplicate_of;
    """)
