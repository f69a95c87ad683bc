"""Geoprivacy chosen by contributors, and erasure that reaches the event history.

A record from one's garden or lodging is nobody's business: `obscured` makes
the public projection treat it like a sensitive record (10 km cell, no
observer, no time of day). Each observation keeps the choice it was made
with; a device keeps a default for the observations that do not say.

The event log stays append-only, with one exception: an erasure that keeps
the observations ("anonymise") may blank the contributor's device id and free
text in their events, and nothing else, inside a transaction that says so
(`SET LOCAL cairn.erasing = 'on'`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from cairn.core.db import execute_script

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    ALTER TABLE observation ADD COLUMN geoprivacy text NOT NULL DEFAULT 'open'
        CHECK (geoprivacy IN ('open', 'obscured'));
    COMMENT ON COLUMN observation.geoprivacy IS
        'The contributor''s choice for this record: obscured publishes it generalised';
    ALTER TABLE device ADD COLUMN default_geoprivacy text NOT NULL DEFAULT 'open'
        CHECK (default_geoprivacy IN ('open', 'obscured'));
    COMMENT ON COLUMN device.default_geoprivacy IS
        'Geoprivacy of the observations this device sends without choosing';

    CREATE FUNCTION observation_event_erasure_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('cairn.erasing', true) = 'on'
           AND NEW.id = OLD.id AND NEW.observation_id = OLD.observation_id
           AND NEW.occurred_at = OLD.occurred_at AND NEW.actor_kind = OLD.actor_kind
           AND NEW.action = OLD.action AND NEW.version = OLD.version
           AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
           AND (NEW.comment IS NULL OR NEW.comment = OLD.comment) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'observation_event is append-only (% refused)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$;
    DROP TRIGGER observation_event_no_update ON observation_event;
    CREATE TRIGGER observation_event_no_update BEFORE UPDATE ON observation_event
        FOR EACH ROW EXECUTE FUNCTION observation_event_erasure_only();
    """)


def downgrade() -> None:
    execute_script("""
    DROP TRIGGER observation_event_no_update ON observation_event;
    CREATE TRIGGER observation_event_no_update BEFORE UPDATE ON observation_event
        FOR EACH ROW EXECUTE FUNCTION observation_event_append_only();
    DROP FUNCTION observation_event_erasure_only();
    ALTER TABLE device DROP COLUMN default_geoprivacy;
    ALTER TABLE observation DROP COLUMN geoprivacy;
    """)
