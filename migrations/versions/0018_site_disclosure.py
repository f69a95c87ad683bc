"""A site's change counts as a rules change for intake's check.

Intake computes a record's public row from the site it names (its level, point
and name) read before its insert, and writes only if the version of
`sensitivity_rules_version` it read is still the one under the rules lock
(0017). A site edit now takes that lock alone (cairn.sites.service) and bumps
the same counter, so a record sent at a site while staff raise its level is
judged again under the new level, never published with the old one.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28
"""

from cairn.core.db import execute_script

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TRIGGER site_disclosure_version
        AFTER UPDATE ON site
        FOR EACH STATEMENT EXECUTE FUNCTION sensitivity_rules_changed();
    COMMENT ON TABLE sensitivity_rules_version IS
        'How many times the sensitivity rules or a site changed: intake checks it under the '
        'rules lock';
    """)


def downgrade() -> None:
    execute_script("""
    DROP TRIGGER site_disclosure_version ON site;
    COMMENT ON TABLE sensitivity_rules_version IS
        'How many times the sensitivity rules changed: intake checks it under the rules lock';
    """)
