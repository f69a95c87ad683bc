"""Expert moderation: grants narrowed to taxon groups, and a thread per record.

A grant may name INPN taxon groups (`taxon.group2_inpn`): its role then
reaches only the records whose taxon is in one of them. An empty list is the
whole scope, as before. One account may hold several grants on one scope
that differ by their groups (moderator of the Oiseaux, viewer of everything).

`observation_message` holds the conversation between a record's contributor
and its staff. A contributor's message goes with their device (erasure
deletes the device, so the messages) and with the record; it is never
projected into the open data.

`second_opinion_rule` lists, per programme, the taxa that need two
validators (by cd_ref, by INPN group, or by the reference's protected and
patrimonial flags); `needs_second_opinion` answers for one record's taxon.
A first "certain" or "probable" on such a record leaves it
`awaiting_second_opinion` (not public), until a different validator decides.

`photo.shows_no_place`: a validator judged the picture shows no place, so it
may be published with a generalised record (levels 1-3, or at a sensitive
site); the photos of such records are withheld until then.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""

from cairn.core.db import execute_script

revision = "0022"
down_revision = "0021"
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

    CREATE TABLE observation_message (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        observation_id uuid NOT NULL REFERENCES observation (id) ON DELETE CASCADE,
        author_device_id uuid REFERENCES device (id) ON DELETE CASCADE,
        author_staff_id uuid REFERENCES staff_user (id) ON DELETE SET NULL,
        author_kind text NOT NULL CHECK (author_kind IN ('contributor', 'staff')),
        body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        hidden_at timestamptz,
        hidden_by uuid REFERENCES staff_user (id) ON DELETE SET NULL,
        CHECK (author_kind = 'staff' OR author_device_id IS NOT NULL)
    );
    CREATE INDEX observation_message_thread ON observation_message (observation_id, id);
    COMMENT ON TABLE observation_message IS
        'A record''s thread between its contributor and its staff; never open data';

    ALTER TABLE observation DROP CONSTRAINT observation_status_check;
    ALTER TABLE observation ADD CONSTRAINT observation_status_check CHECK (status IN (
        'pending', 'certain', 'probable', 'doubtful', 'invalid', 'not_assessable', 'unknown',
        'withdrawn', 'awaiting_second_opinion'));

    CREATE TABLE second_opinion_rule (
        programme text PRIMARY KEY REFERENCES programme (slug) ON DELETE CASCADE,
        taxa integer[] NOT NULL DEFAULT '{}',
        taxon_groups text[] NOT NULL DEFAULT '{}',
        protected boolean NOT NULL DEFAULT false,
        patrimonial boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE second_opinion_rule IS
        'Taxa of a programme that need two validators: cd_ref list, INPN groups, reference flags';
    ALTER TABLE photo ADD COLUMN shows_no_place boolean NOT NULL DEFAULT false;
    COMMENT ON COLUMN photo.shows_no_place IS
        'A validator judged it shows no place: published with a generalised record too';

    CREATE FUNCTION needs_second_opinion(programme_slug text, taxon integer) RETURNS boolean
        LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
            SELECT 1 FROM second_opinion_rule r JOIN taxon t ON t.cd_nom = taxon
             WHERE r.programme = programme_slug
               AND (t.cd_ref = ANY (r.taxa) OR t.group2_inpn = ANY (r.taxon_groups)
                    OR (r.protected AND t.protected) OR (r.patrimonial AND t.patrimonial)))
    $$;
    """)


def downgrade() -> None:
    execute_script("""
    DROP FUNCTION needs_second_opinion(text, integer);
    ALTER TABLE photo DROP COLUMN shows_no_place;
    DROP TABLE second_opinion_rule;
    UPDATE observation SET status = 'pending' WHERE status = 'awaiting_second_opinion';
    ALTER TABLE observation DROP CONSTRAINT observation_status_check;
    ALTER TABLE observation ADD CONSTRAINT observation_status_check CHECK (status IN (
        'pending', 'certain', 'probable', 'doubtful', 'invalid', 'not_assessable', 'unknown',
        'withdrawn'));
    DROP TABLE observation_message;
    DELETE FROM staff_grant WHERE taxon_groups <> '{}';
    ALTER TABLE staff_grant
        DROP CONSTRAINT staff_grant_admin_whole,
        DROP CONSTRAINT staff_grant_scope_key,
        DROP COLUMN taxon_groups,
        ADD CONSTRAINT staff_grant_user_id_organisation_programme_key
            UNIQUE NULLS NOT DISTINCT (user_id, organisation, programme);
    """)
