"""Organisations, programmes, staff accounts and roles, moderation state, sensitivity rules.

Observations now reference their programme. Two programmes are seeded:
`default` (the territory's own, whose territory is the PETR outline read from
schemas/reference/petr_territory.geojson) and `demo` (labelled demo data).
Cairn's conservative default sensitivity rules are seeded from the park's list
(schemas/reference/taxa_pne.csv): patrimonial and strictly protected taxa get
level 2 (10 km cell), as standards.md §3 documents.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import csv
import json

from cairn.core.db import execute_script
from cairn.reference.files import reference_file

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _literal(value: str) -> str:
    """An SQL string literal (the migration's own constants, never user input)."""
    return "'" + value.replace("'", "''") + "'"


def _territory() -> tuple[str, tuple[float, float, float, float]]:
    collection = json.loads(reference_file("petr_territory.geojson").read_text("utf-8"))
    geometry = collection["features"][0]["geometry"]
    points = [
        point
        for polygon in (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for ring in polygon
        for point in ring
    ]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return json.dumps(geometry), (min(lons), min(lats), max(lons), max(lats))


def _default_rules() -> list[int]:
    with reference_file("taxa_pne.csv").open(encoding="utf-8", newline="") as handle:
        return sorted(
            {
                int(row["cd_ref"])
                for row in csv.DictReader(handle)
                if row["patrimonial"] == "oui" and row["protection_stricte"] == "oui"
            }
        )


def upgrade() -> None:
    geometry, (min_lon, min_lat, max_lon, max_lat) = _territory()
    bbox = f"{min_lon}, {min_lat}, {max_lon}, {max_lat}"
    rules = ", ".join(
        f"({cd_ref}, 2, {_literal('Cairn default: patrimonial and strictly protected in the PNE list')})"
        for cd_ref in _default_rules()
    )
    execute_script(f"""
    CREATE TABLE organisation (
        slug        text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9_-]{{0,62}}$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        website     text CHECK (website ~ '^https?://'),
        created_at  timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE organisation IS 'A park, a tourism office, an association: owns programmes';

    CREATE TABLE programme (
        slug             text PRIMARY KEY CHECK (slug ~ '^[a-z][a-z0-9_-]{{0,62}}$'),
        organisation     text NOT NULL REFERENCES organisation (slug),
        name             jsonb NOT NULL CHECK (name ?& array['fr', 'en', 'it']),
        description      jsonb NOT NULL CHECK (description ?& array['fr', 'en', 'it']),
        territory        jsonb NOT NULL CHECK (territory->>'type' IN ('Polygon', 'MultiPolygon')),
        min_lon          double precision NOT NULL,
        min_lat          double precision NOT NULL,
        max_lon          double precision NOT NULL,
        max_lat          double precision NOT NULL,
        kinds            jsonb NOT NULL CHECK (jsonb_typeof(kinds) = 'object'),
        target_taxa      integer[],
        default_licence  text NOT NULL
                         CHECK (default_licence IN ('CC0-1.0', 'CC-BY-4.0', 'CC-BY-NC-4.0',
                                                    'etalab-2.0')),
        starts_on        date,
        ends_on          date,
        is_demo          boolean NOT NULL DEFAULT false,
        version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on),
        CHECK (min_lon <= max_lon AND min_lat <= max_lat)
    );
    COMMENT ON COLUMN programme.territory IS 'GeoJSON Polygon/MultiPolygon, WGS84, valid (shapely)';
    COMMENT ON COLUMN programme.kinds IS 'Accepted kinds and their schema versions: {{"species": [1]}}';
    COMMENT ON COLUMN programme.target_taxa IS 'CD_REF the programme targets; NULL = any taxon';
    CREATE INDEX programme_organisation ON programme (organisation);

    INSERT INTO organisation (slug, name) VALUES
        ('petr', 'PETR du Briançonnais, des Écrins, du Guillestrois et du Queyras'),
        ('cairn', 'Cairn (demo data)');
    INSERT INTO programme (slug, organisation, name, description, territory,
                           min_lon, min_lat, max_lon, max_lat, kinds, default_licence, is_demo)
    VALUES
        ('default', 'petr',
         '{{"fr": "Observations du territoire", "en": "Observations of the territory",
            "it": "Osservazioni del territorio"}}',
         '{{"fr": "Programme par défaut du PETR : espèces et patrimoine vernaculaire.",
            "en": "The PETR''s default programme: species and vernacular heritage.",
            "it": "Programma predefinito del PETR: specie e patrimonio vernacolare."}}',
         {_literal(geometry)}, {bbox},
         '{{"species": [1], "heritage": [1]}}', 'CC-BY-4.0', false),
        ('demo', 'cairn',
         '{{"fr": "Données de démonstration — pas de vraies observations",
            "en": "Demo data — not real observations",
            "it": "Dati dimostrativi — non sono osservazioni reali"}}',
         '{{"fr": "Données générées par `cairn demo` pour essayer Cairn. Aucune n''est une vraie observation.",
            "en": "Data generated by `cairn demo` to try Cairn. None of it is a real observation.",
            "it": "Dati generati da `cairn demo` per provare Cairn. Nessuno è un''osservazione reale."}}',
         {_literal(geometry)}, {bbox},
         '{{"species": [1], "heritage": [1]}}', 'CC-BY-4.0', true);

    ALTER TABLE observation
        ADD CONSTRAINT observation_programme_fk FOREIGN KEY (programme) REFERENCES programme (slug),
        ADD COLUMN sensitivity_level smallint NOT NULL DEFAULT 0
            CHECK (sensitivity_level BETWEEN 0 AND 4),
        ADD COLUMN moderator_comment text CHECK (length(moderator_comment) <= 4000),
        ADD COLUMN validation_method text CHECK (validation_method IN ('manual', 'automatic')),
        ADD COLUMN validated_at timestamptz,
        ADD COLUMN queue_rank smallint GENERATED ALWAYS AS (
            2 - (jsonb_array_length(flags) > 0)::int - (sensitivity_level > 0)::int
        ) STORED;
    COMMENT ON COLUMN observation.sensitivity_level IS 'SINP sensitivity 0-4 from the rules';
    COMMENT ON COLUMN observation.moderator_comment IS 'The last decision''s comment, shown to the contributor';
    COMMENT ON COLUMN observation.queue_rank IS
        'Moderation need: 0 flagged and sensitive, 1 either, 2 neither (the queue sorts on it)';
    CREATE INDEX observation_programme_status ON observation (programme, status);
    CREATE INDEX observation_queue ON observation (status, queue_rank, received_at, id);

    CREATE TABLE staff_user (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email          text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\\s]+@[^@\\s]+$'),
        display_name   text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
        active         boolean NOT NULL DEFAULT true,
        created_at     timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE staff_user IS 'Park and partner staff who moderate; passwords argon2id-hashed';

    CREATE TABLE staff_grant (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id       uuid NOT NULL REFERENCES staff_user (id) ON DELETE CASCADE,
        role          text NOT NULL CHECK (role IN ('admin', 'moderator', 'viewer')),
        organisation  text REFERENCES organisation (slug) ON DELETE CASCADE,
        programme     text REFERENCES programme (slug) ON DELETE CASCADE,
        granted_at    timestamptz NOT NULL DEFAULT now(),
        CHECK (organisation IS NULL OR programme IS NULL),
        UNIQUE NULLS NOT DISTINCT (user_id, organisation, programme)
    );
    COMMENT ON TABLE staff_grant IS
        'A role on one programme, on every programme of an organisation, or (both NULL) platform-wide';

    CREATE TABLE refresh_token (
        id          uuid PRIMARY KEY,
        user_id     uuid NOT NULL REFERENCES staff_user (id) ON DELETE CASCADE,
        token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        issued_at   timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        revoked_at  timestamptz
    );
    COMMENT ON TABLE refresh_token IS 'SHA-256 of refresh tokens; rotation revokes the used one';
    CREATE INDEX refresh_token_user ON refresh_token (user_id);

    CREATE TABLE login_attempt (
        email_digest    bytea PRIMARY KEY CHECK (length(email_digest) = 32),
        failures        integer NOT NULL CHECK (failures >= 1),
        last_failed_at  timestamptz NOT NULL
    );
    COMMENT ON TABLE login_attempt IS
        'Recent failed sign-ins per SHA-256 of the email (known or not), to slow guessing down';

    CREATE TABLE sensitivity_rule (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        cd_ref        integer NOT NULL CHECK (cd_ref > 0),
        level         smallint NOT NULL CHECK (level BETWEEN 0 AND 4),
        area          jsonb CHECK (area->>'type' IN ('Polygon', 'MultiPolygon')),
        period_start  text CHECK (period_start ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
        period_end    text CHECK (period_end ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
        comment       text CHECK (length(comment) <= 2000),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        updated_by    uuid REFERENCES staff_user (id) ON DELETE SET NULL,
        CHECK ((period_start IS NULL) = (period_end IS NULL))
    );
    COMMENT ON TABLE sensitivity_rule IS
        'SINP sensitivity per taxon (CD_REF), optionally inside an area and a yearly MM-DD period';
    CREATE INDEX sensitivity_rule_taxon ON sensitivity_rule (cd_ref);
    INSERT INTO sensitivity_rule (cd_ref, level, comment) VALUES {rules};

    CREATE TABLE staff_audit (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at  timestamptz NOT NULL DEFAULT now(),
        actor_id     uuid REFERENCES staff_user (id) ON DELETE SET NULL,
        action       text NOT NULL CHECK (action ~ '^[a-z][a-z_]{{1,39}}$'),
        subject      text NOT NULL,
        before       jsonb,
        after        jsonb
    );
    COMMENT ON TABLE staff_audit IS
        'Append-only trail of staff changes other than decisions: accounts, grants, programmes, rules';
    CREATE TRIGGER staff_audit_no_update
        BEFORE UPDATE ON staff_audit
        FOR EACH ROW EXECUTE FUNCTION observation_event_append_only();

    CREATE TABLE sensitivity_job (
        id           uuid PRIMARY KEY,
        reason       text NOT NULL,
        taxa         integer[] NOT NULL,
        state        text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
        total        integer NOT NULL CHECK (total >= 0),
        done         integer NOT NULL DEFAULT 0 CHECK (done >= 0),
        changed      integer NOT NULL DEFAULT 0 CHECK (changed >= 0),
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        error        text
    );
    COMMENT ON TABLE sensitivity_job IS 'Background re-projections after a rule change, with progress';
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE sensitivity_job;
    DROP TABLE staff_audit;
    DROP TABLE sensitivity_rule;
    DROP TABLE login_attempt;
    DROP TABLE refresh_token;
    DROP TABLE staff_grant;
    DROP TABLE staff_user;
    DROP INDEX observation_queue;
    DROP INDEX observation_programme_status;
    ALTER TABLE observation
        DROP CONSTRAINT observation_programme_fk,
        DROP COLUMN queue_rank,
        DROP COLUMN validated_at,
        DROP COLUMN validation_method,
        DROP COLUMN moderator_comment,
        DROP COLUMN sensitivity_level;
    DROP TABLE programme;
    DROP TABLE organisation;
    """)
