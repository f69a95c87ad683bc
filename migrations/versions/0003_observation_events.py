"""The append-only event log of every change to an observation.

Edits and withdrawals by contributors, decisions by moderators, and
re-projections by the system all append here (who, when, before, after,
comment). Rows are never updated; a trigger enforces it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from cairn.core.db import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script("""
    CREATE TABLE observation_event (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        observation_id  uuid NOT NULL REFERENCES observation (id) ON DELETE CASCADE,
        occurred_at     timestamptz NOT NULL DEFAULT now(),
        actor_kind      text NOT NULL CHECK (actor_kind IN ('device', 'contributor', 'staff', 'system')),
        actor_id        text,
        action          text NOT NULL CHECK (action ~ '^[a-z][a-z_]{1,31}$'),
        version         integer NOT NULL CHECK (version >= 1),
        before          jsonb,
        after           jsonb,
        comment         text CHECK (length(comment) <= 4000)
    );
    COMMENT ON TABLE observation_event IS
        'Append-only history of observations: who, when, what before, what after, why.';
    COMMENT ON COLUMN observation_event.version IS 'The observation version this event produced';
    CREATE INDEX observation_event_observation ON observation_event (observation_id, id);

    CREATE FUNCTION observation_event_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'observation_event is append-only (% refused)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$;
    CREATE TRIGGER observation_event_no_update
        BEFORE UPDATE ON observation_event
        FOR EACH ROW EXECUTE FUNCTION observation_event_append_only();
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE observation_event;
    DROP FUNCTION observation_event_append_only();
    """)
