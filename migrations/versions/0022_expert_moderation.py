"""Expert moderation: grants narrowed to taxon groups.

A grant may name INPN taxon groups (`taxon.group2_inpn`): its role then
reaches only the records whose taxon is in one of them. An empty list is the
whole scope, as before. One account may hold several grants on one scope
that differ by their groups (moderator of the Oiseaux, viewer of everything).

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-04
"""

from cairn.core.db import execute_script

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE staff_grant
        ADD COLUMN taxon_groups text[] NOT NULL DEFAULT '{}'
            CHECK (cardinality(taxon_groups) <= 50 AND array_position(taxon_groups, NULL) IS NULL),
        DROP CONSTRAINT staff_grant_user_id_organisation_programme_key,
        ADD CONSTRAINT staff_grant_scope_key
            UNIQUE NULLS NOT DISTINCT (user_id, organisation, programme, taxon_groups),
        ADD CONSTRAINT staff_grant_admin_whole CHECK (role <> 'admin' OR taxon_groups = '{}');
    COMMENT ON COLUMN staff_grant.taxon_groups IS
        'INPN groups (taxon.group2_inpn) the role is narrowed to, sorted; empty: the whole scope';
    """)


def downgrade() -> None:
    execute_script("""
    DELETE FROM staff_grant WHERE taxon_groups <> '{}';
    ALTER TABLE staff_grant
        DROP CONSTRAINT staff_grant_admin_whole,
        DROP CONSTRAINT staff_grant_scope_key,
        DROP COLUMN taxon_groups,
        ADD CONSTRAINT staff_grant_user_id_organisation_programme_key
            UNIQUE NULLS NOT DISTINCT (user_id, organisation, programme);
    """)
