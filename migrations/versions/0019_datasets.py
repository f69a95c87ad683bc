"""Each programme is a dataset; exchanges with GeoNature/SINP and GBIF keep their traces.

- `dataset`: one per programme, made by a trigger when the programme is created,
  so no way of creating a programme can forget it. Its UUID is drawn then and
  can never change (a trigger refuses it); the metadata (title, producer,
  contact, the SINP JDD and acquisition framework UUIDs when the park has
  registered them with the INPN, DS_PUBLIQUE, the GBIF licence) are its admins'.
  Existing programmes get theirs here.
- `observation_deletion`: the ids of erased records (their rows are deleted), so
  an incremental SINP export can tell the receiver what to delete.
- `observation_import`: where an imported record came from (format, source id,
  file) and what the source said that Cairn has no column for (observers,
  validator).
- `departement`: the département, region and country of the communes'
  départements (schemas/reference/departements.csv), the facts the archives
  used to write as literals.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

import csv

from cairn.core.db import execute_script
from cairn.reference.files import reference_file

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _departements() -> str:
    with reference_file("departements.csv").open(encoding="utf-8", newline="") as handle:
        rows = [
            "("
            + ", ".join(
                _literal(r[c]) for c in ("code", "name", "region", "region_name", "country")
            )
            + ")"
            for r in csv.DictReader(handle)
        ]
    return ",\n        ".join(rows)


def upgrade() -> None:
    execute_script(f"""
    CREATE TABLE dataset (
        programme     text PRIMARY KEY REFERENCES programme (slug),
        id            uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
        title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
        description   text NOT NULL CHECK (length(description) <= 8000),
        producer      text NOT NULL CHECK (length(producer) BETWEEN 1 AND 500),
        contact_name  text CHECK (length(contact_name) <= 200),
        contact_email text CHECK (length(contact_email) <= 320),
        sinp_jdd_uuid uuid UNIQUE,
        sinp_ca_uuid  uuid,
        ds_publique   text NOT NULL DEFAULT 'NSP' CHECK (ds_publique IN ('Pu', 'Pr', 'NSP')),
        gbif_licence  text NOT NULL
                      CHECK (gbif_licence IN ('CC0-1.0', 'CC-BY-4.0', 'CC-BY-NC-4.0')),
        version       integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        updated_at    timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE dataset IS
        'A programme as a published dataset (SINP JDD, GBIF dataset); its id never changes';
    COMMENT ON COLUMN dataset.ds_publique IS 'SINP DS_PUBLIQUE code: Pu, Pr or NSP';

    CREATE FUNCTION cairn_new_dataset(p programme) RETURNS void LANGUAGE sql AS $$
        INSERT INTO dataset (programme, title, description, producer, gbif_licence)
        SELECT p.slug, p.name ->> 'fr', left(p.description ->> 'fr', 8000), o.name,
               CASE WHEN p.default_licence IN ('CC0-1.0', 'CC-BY-4.0', 'CC-BY-NC-4.0')
                    THEN p.default_licence ELSE 'CC-BY-4.0' END
          FROM organisation o WHERE o.slug = p.organisation
    $$;
    COMMENT ON FUNCTION cairn_new_dataset(programme) IS
        'A programme''s dataset with a fresh UUID and metadata from the programme (its admins '
        'edit them); etalab-2.0 is no GBIF licence, so such a dataset starts under CC-BY-4.0';
    CREATE FUNCTION dataset_of_programme() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM cairn_new_dataset(NEW);
        RETURN NEW;
    END $$;
    CREATE TRIGGER programme_dataset AFTER INSERT ON programme
        FOR EACH ROW EXECUTE FUNCTION dataset_of_programme();

    CREATE FUNCTION dataset_id_is_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.programme <> OLD.programme THEN
            RAISE EXCEPTION 'a dataset keeps its id and its programme' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER dataset_id_fixed BEFORE UPDATE ON dataset
        FOR EACH ROW EXECUTE FUNCTION dataset_id_is_fixed();

    SELECT cairn_new_dataset(p) FROM programme p;

    CREATE TABLE observation_deletion (
        observation_id uuid PRIMARY KEY,
        programme      text NOT NULL,
        deleted_at     timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE observation_deletion IS
        'Ids of erased taxon records: what an incremental SINP export tells the receiver to delete';
    CREATE INDEX observation_deletion_since ON observation_deletion (programme, deleted_at);
    CREATE FUNCTION observation_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO observation_deletion (observation_id, programme)
        SELECT id, programme FROM old_rows WHERE taxon_cd_nom IS NOT NULL
        ON CONFLICT (observation_id) DO NOTHING;
        RETURN NULL;
    END $$;
    CREATE TRIGGER observation_deletion AFTER DELETE ON observation
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION observation_deleted();

    CREATE TABLE observation_import (
        observation_id uuid PRIMARY KEY REFERENCES observation (id) ON DELETE CASCADE,
        source_format  text NOT NULL CHECK (source_format IN ('sinp', 'dwc')),
        source_id      text NOT NULL CHECK (length(source_id) <= 200),
        file_name      text NOT NULL CHECK (length(file_name) <= 500),
        file_sha256    text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{{64}}$'),
        observers      text CHECK (length(observers) <= 1000),
        validator      text CHECK (length(validator) <= 1000),
        imported_by    uuid REFERENCES staff_user (id) ON DELETE SET NULL,
        imported_at    timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE observation_import IS
        'Where an imported record came from, and the source''s observers and validator (staff only)';

    CREATE TABLE departement (
        code        text PRIMARY KEY CHECK (code ~ '^[0-9][0-9AB]$|^9[78][0-9]$'),
        name        text NOT NULL,
        region      text NOT NULL,
        region_name text NOT NULL,
        country     text NOT NULL CHECK (country ~ '^[A-Z]{{2}}$')
    );
    COMMENT ON TABLE departement IS
        'Département, region and ISO 3166 country of the communes (INSEE COG)';
    INSERT INTO departement (code, name, region, region_name, country) VALUES
        {_departements()};
    """)


def downgrade() -> None:
    execute_script("""
    DROP TABLE departement;
    DROP TABLE observation_import;
    DROP TRIGGER observation_deletion ON observation;
    DROP FUNCTION observation_deleted();
    DROP TABLE observation_deletion;
    DROP TRIGGER programme_dataset ON programme;
    DROP FUNCTION dataset_of_programme();
    DROP FUNCTION cairn_new_dataset(programme);
    DROP TABLE dataset;
    DROP FUNCTION dataset_id_is_fixed();
    """)
