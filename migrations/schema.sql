CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';
CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA public;
COMMENT ON EXTENSION ltree IS 'data type for hierarchical tree-like structures';
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
COMMENT ON EXTENSION unaccent IS 'text search dictionary that removes accents';
CREATE FUNCTION public.cairn_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, value));
CREATE FUNCTION public.cairn_level_rules(taxa integer[], lock boolean) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF lock THEN
            PERFORM pg_advisory_xact_lock_shared(1581586197);  -- sensitivity.store.RULES_LOCK
        END IF;
        RETURN (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'target', t.cd_nom, 'id', r.id, 'cd_ref', r.cd_ref, 'level', r.level,
                       'area', r.area, 'period_start', r.period_start,
                       'period_end', r.period_end, 'comment', r.comment,
                       'updated_at', r.updated_at) ORDER BY t.cd_nom, r.id), '[]'::jsonb)
              FROM taxon t
              JOIN taxon a ON a.cd_nom = t.cd_nom OR (t.path IS NOT NULL AND a.path @> t.path)
              JOIN sensitivity_rule r ON r.cd_ref = a.cd_nom
             WHERE t.cd_nom = ANY(taxa));
    END $$;
COMMENT ON FUNCTION public.cairn_level_rules(taxa integer[], lock boolean) IS 'The sensitivity rules covering these taxa (theirs and their ancestors''), read after taking the rules lock shared until the transaction ends if asked';
CREATE TABLE public.programme (
    slug text NOT NULL,
    organisation text NOT NULL,
    name jsonb NOT NULL,
    description jsonb NOT NULL,
    territory jsonb NOT NULL,
    min_lon double precision NOT NULL,
    min_lat double precision NOT NULL,
    max_lon double precision NOT NULL,
    max_lat double precision NOT NULL,
    kinds jsonb NOT NULL,
    target_taxa integer[],
    default_licence text NOT NULL,
    starts_on date,
    ends_on date,
    is_demo boolean DEFAULT false NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT programme_check CHECK (((starts_on IS NULL) OR (ends_on IS NULL) OR (starts_on <= ends_on))),
    CONSTRAINT programme_check1 CHECK (((min_lon <= max_lon) AND (min_lat <= max_lat))),
    CONSTRAINT programme_default_licence_check CHECK ((default_licence = ANY (ARRAY['CC0-1.0'::text, 'CC-BY-4.0'::text, 'CC-BY-NC-4.0'::text, 'etalab-2.0'::text]))),
    CONSTRAINT programme_description_check CHECK ((description ?& ARRAY['fr'::text, 'en'::text, 'it'::text])),
    CONSTRAINT programme_kinds_check CHECK ((jsonb_typeof(kinds) = 'object'::text)),
    CONSTRAINT programme_name_check CHECK ((name ?& ARRAY['fr'::text, 'en'::text, 'it'::text])),
    CONSTRAINT programme_slug_check CHECK ((slug ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT programme_territory_check CHECK (((territory ->> 'type'::text) = ANY (ARRAY['Polygon'::text, 'MultiPolygon'::text]))),
    CONSTRAINT programme_version_check CHECK ((version >= 1))
);
COMMENT ON COLUMN public.programme.territory IS 'GeoJSON Polygon/MultiPolygon, WGS84, valid (shapely)';
COMMENT ON COLUMN public.programme.kinds IS 'Accepted kinds and their schema versions: {"species": [1]}';
COMMENT ON COLUMN public.programme.target_taxa IS 'CD_REF the programme targets; NULL = any taxon';
CREATE FUNCTION public.cairn_new_dataset(p public.programme) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO dataset (programme, title, description, producer, gbif_licence)
        SELECT p.slug, p.name ->> 'fr', left(p.description ->> 'fr', 8000), o.name,
               CASE WHEN p.default_licence IN ('CC0-1.0', 'CC-BY-4.0', 'CC-BY-NC-4.0')
                    THEN p.default_licence ELSE 'CC-BY-4.0' END
          FROM organisation o WHERE o.slug = p.organisation
    $$;
COMMENT ON FUNCTION public.cairn_new_dataset(p public.programme) IS 'A programme''s dataset with a fresh UUID and metadata from the programme (its admins edit them); etalab-2.0 is no GBIF licence, so such a dataset starts under CC-BY-4.0';
CREATE FUNCTION public.cairn_rules_version() RETURNS bigint
    LANGUAGE plpgsql
    AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock_shared(1581586197);  -- sensitivity.store.RULES_LOCK
        RETURN (SELECT version FROM sensitivity_rules_version);
    END $$;
COMMENT ON FUNCTION public.cairn_rules_version() IS 'The rules version, read after taking the rules lock shared until the transaction ends';
CREATE FUNCTION public.dataset_id_is_fixed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF NEW.id <> OLD.id OR NEW.programme <> OLD.programme THEN
            RAISE EXCEPTION 'a dataset keeps its id and its programme' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END $$;
CREATE FUNCTION public.dataset_of_programme() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        PERFORM cairn_new_dataset(NEW);
        RETURN NEW;
    END $$;
CREATE FUNCTION public.needs_second_opinion(programme_slug text, taxon integer) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
        SELECT EXISTS (
            SELECT 1 FROM second_opinion_rule r JOIN taxon t ON t.cd_nom = taxon
             WHERE r.programme = programme_slug
               AND (t.cd_ref = ANY (r.taxa) OR t.group2_inpn = ANY (r.taxon_groups)
                    OR (r.protected AND t.protected) OR (r.patrimonial AND t.patrimonial)))
    $$;
CREATE FUNCTION public.observation_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        INSERT INTO observation_deletion (observation_id, programme)
        SELECT id, programme FROM old_rows WHERE taxon_cd_nom IS NOT NULL
        ON CONFLICT (observation_id) DO NOTHING;
        RETURN NULL;
    END $$;
CREATE FUNCTION public.observation_event_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        RAISE EXCEPTION 'observation_event is append-only (% refused)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$;
CREATE FUNCTION public.observation_event_erasure_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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
CREATE FUNCTION public.programme_kind_frozen() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF OLD.state = 'published' THEN
            RAISE EXCEPTION 'kind % version % is published and cannot change', OLD.kind, OLD.version
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$;
CREATE FUNCTION public.sensitivity_rules_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        UPDATE sensitivity_rules_version SET version = version + 1;
        RETURN NULL;
    END $$;
CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);
CREATE TABLE public.api_key (
    id uuid NOT NULL,
    key_hash bytea NOT NULL,
    owner text NOT NULL,
    contact_email text,
    requests bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    CONSTRAINT api_key_contact_email_check CHECK ((length(contact_email) <= 320)),
    CONSTRAINT api_key_key_hash_check CHECK ((length(key_hash) = 32)),
    CONSTRAINT api_key_owner_check CHECK (((length(owner) >= 1) AND (length(owner) <= 200))),
    CONSTRAINT api_key_requests_check CHECK ((requests >= 0))
);
COMMENT ON TABLE public.api_key IS 'Researchers'' keys: higher rate limits and usage counts; open data stays open without one.';
CREATE TABLE public.commune (
    insee text NOT NULL,
    name text NOT NULL,
    departement text NOT NULL,
    epci_siren text,
    epci_name text,
    population integer,
    geometry jsonb NOT NULL,
    min_lon double precision NOT NULL,
    min_lat double precision NOT NULL,
    max_lon double precision NOT NULL,
    max_lat double precision NOT NULL,
    centroid_lon double precision NOT NULL,
    centroid_lat double precision NOT NULL,
    CONSTRAINT commune_check CHECK (((min_lon <= max_lon) AND (min_lat <= max_lat))),
    CONSTRAINT commune_geometry_check CHECK (((geometry ->> 'type'::text) = ANY (ARRAY['Polygon'::text, 'MultiPolygon'::text]))),
    CONSTRAINT commune_insee_check CHECK ((insee ~ '^[0-9][0-9AB][0-9]{3}$'::text)),
    CONSTRAINT commune_population_check CHECK ((population >= 0))
);
COMMENT ON COLUMN public.commune.geometry IS 'GeoJSON outline, WGS84';
CREATE TABLE public.contributor (
    id uuid NOT NULL,
    email text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT contributor_email_check CHECK (((email = lower(email)) AND (length(email) <= 320)))
);
COMMENT ON TABLE public.contributor IS 'Optional contributor accounts (argon2id password hash); they gather devices';
CREATE TABLE public.dataset (
    programme text NOT NULL,
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    producer text NOT NULL,
    contact_name text,
    contact_email text,
    sinp_jdd_uuid uuid,
    sinp_ca_uuid uuid,
    ds_publique text DEFAULT 'NSP'::text NOT NULL,
    gbif_licence text NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT dataset_contact_email_check CHECK ((length(contact_email) <= 320)),
    CONSTRAINT dataset_contact_name_check CHECK ((length(contact_name) <= 200)),
    CONSTRAINT dataset_description_check CHECK ((length(description) <= 8000)),
    CONSTRAINT dataset_ds_publique_check CHECK ((ds_publique = ANY (ARRAY['Pu'::text, 'Pr'::text, 'NSP'::text]))),
    CONSTRAINT dataset_gbif_licence_check CHECK ((gbif_licence = ANY (ARRAY['CC0-1.0'::text, 'CC-BY-4.0'::text, 'CC-BY-NC-4.0'::text]))),
    CONSTRAINT dataset_producer_check CHECK (((length(producer) >= 1) AND (length(producer) <= 500))),
    CONSTRAINT dataset_title_check CHECK (((length(title) >= 1) AND (length(title) <= 500))),
    CONSTRAINT dataset_version_check CHECK ((version >= 1))
);
COMMENT ON TABLE public.dataset IS 'A programme as a published dataset (SINP JDD, GBIF dataset); its id never changes';
COMMENT ON COLUMN public.dataset.ds_publique IS 'SINP DS_PUBLIQUE code: Pu, Pr or NSP';
CREATE TABLE public.departement (
    code text NOT NULL,
    name text NOT NULL,
    region text NOT NULL,
    region_name text NOT NULL,
    country text NOT NULL,
    CONSTRAINT departement_code_check CHECK ((code ~ '^[0-9][0-9AB]$|^9[78][0-9]$'::text)),
    CONSTRAINT departement_country_check CHECK ((country ~ '^[A-Z]{2}$'::text))
);
COMMENT ON TABLE public.departement IS 'Département, region and ISO 3166 country of the communes (INSEE COG)';
CREATE TABLE public.device (
    id uuid NOT NULL,
    token_hash bytea NOT NULL,
    pseudonym text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    contributor_id uuid,
    default_geoprivacy text DEFAULT 'open'::text NOT NULL,
    CONSTRAINT device_default_geoprivacy_check CHECK ((default_geoprivacy = ANY (ARRAY['open'::text, 'obscured'::text]))),
    CONSTRAINT device_pseudonym_check CHECK (((length(pseudonym) >= 1) AND (length(pseudonym) <= 40))),
    CONSTRAINT device_token_hash_check CHECK ((length(token_hash) = 32))
);
COMMENT ON COLUMN public.device.token_hash IS 'SHA-256 of the bearer token; the token itself is never stored';
COMMENT ON COLUMN public.device.pseudonym IS 'The public name the contributor chose; NULL = anonymous';
COMMENT ON COLUMN public.device.default_geoprivacy IS 'Geoprivacy of the observations this device sends without choosing';
CREATE TABLE public.heritage_category (
    slug text NOT NULL,
    label_fr text NOT NULL,
    label_en text NOT NULL,
    label_it text NOT NULL,
    "position" smallint NOT NULL,
    CONSTRAINT heritage_category_slug_check CHECK ((slug ~ '^[a-z][a-z_]{1,31}$'::text))
);
COMMENT ON TABLE public.heritage_category IS 'Vernacular heritage typology (Cairn''s, see schemas/kinds/heritage); filled from the schema.';
CREATE TABLE public.heritage_item (
    id uuid NOT NULL,
    category text NOT NULL,
    name text NOT NULL,
    commune_insee text,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    external_ref text,
    source text NOT NULL,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT heritage_item_attributes_check CHECK ((jsonb_typeof(attributes) = 'object'::text)),
    CONSTRAINT heritage_item_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT heritage_item_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT heritage_item_name_check CHECK (((length(name) >= 1) AND (length(name) <= 300)))
);
COMMENT ON COLUMN public.heritage_item.external_ref IS 'e.g. the Mérimée REF (PA…, IA…) of the source file';
CREATE TABLE public.impact_share (
    id text NOT NULL,
    device_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT impact_share_id_check CHECK ((id ~ '^[A-Za-z0-9_-]{22}$'::text))
);
COMMENT ON TABLE public.impact_share IS 'Shareable impact links: a random id per device, revocable; shows public counts only';
CREATE TABLE public.login_attempt (
    email_digest bytea NOT NULL,
    failures integer NOT NULL,
    last_failed_at timestamp with time zone NOT NULL,
    CONSTRAINT login_attempt_email_digest_check CHECK ((length(email_digest) = 32)),
    CONSTRAINT login_attempt_failures_check CHECK ((failures >= 1))
);
COMMENT ON TABLE public.login_attempt IS 'Recent failed sign-ins per SHA-256 of the email (known or not), to slow guessing down';
CREATE TABLE public.observation (
    id uuid NOT NULL,
    kind text NOT NULL,
    schema_version integer NOT NULL,
    programme text NOT NULL,
    observed_at timestamp with time zone NOT NULL,
    observed_offset_s integer NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    accuracy_m double precision,
    altitude_m double precision,
    data jsonb NOT NULL,
    licence text NOT NULL,
    comment text,
    content_hash bytea NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    flags jsonb DEFAULT '[]'::jsonb NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    taxon_cd_nom integer,
    taxon_cd_ref integer,
    commune_insee text,
    sensitivity_level smallint DEFAULT 0 NOT NULL,
    moderator_comment text,
    validation_method text,
    validated_at timestamp with time zone,
    queue_rank smallint GENERATED ALWAYS AS (((2 - ((jsonb_array_length(flags) > 0))::integer) - ((sensitivity_level > 0))::integer)) STORED,
    device_id uuid,
    geoprivacy text DEFAULT 'open'::text NOT NULL,
    site_id uuid,
    duplicate_of uuid,
    CONSTRAINT observation_accuracy_m_check CHECK (((accuracy_m >= (0)::double precision) AND (accuracy_m <= (100000)::double precision))),
    CONSTRAINT observation_altitude_m_check CHECK (((altitude_m >= ('-500'::integer)::double precision) AND (altitude_m <= (9000)::double precision))),
    CONSTRAINT observation_check CHECK ((updated_at >= received_at)),
    CONSTRAINT observation_comment_check CHECK ((length(comment) <= 2000)),
    CONSTRAINT observation_content_hash_check CHECK ((length(content_hash) = 32)),
    CONSTRAINT observation_data_check CHECK ((jsonb_typeof(data) = 'object'::text)),
    CONSTRAINT observation_duplicate_of_check CHECK ((duplicate_of <> id)),
    CONSTRAINT observation_flags_check CHECK ((jsonb_typeof(flags) = 'array'::text)),
    CONSTRAINT observation_geoprivacy_check CHECK ((geoprivacy = ANY (ARRAY['open'::text, 'obscured'::text]))),
    CONSTRAINT observation_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_]{0,31}$'::text)),
    CONSTRAINT observation_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT observation_licence_check CHECK ((licence = ANY (ARRAY['CC0-1.0'::text, 'CC-BY-4.0'::text, 'CC-BY-NC-4.0'::text, 'etalab-2.0'::text]))),
    CONSTRAINT observation_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT observation_moderator_comment_check CHECK ((length(moderator_comment) <= 4000)),
    CONSTRAINT observation_observed_offset_s_check CHECK (((observed_offset_s >= '-86400'::integer) AND (observed_offset_s <= 86400))),
    CONSTRAINT observation_programme_check CHECK ((programme ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT observation_schema_version_check CHECK (((schema_version >= 1) AND (schema_version <= 10000))),
    CONSTRAINT observation_sensitivity_level_check CHECK (((sensitivity_level >= 0) AND (sensitivity_level <= 4))),
    CONSTRAINT observation_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'certain'::text, 'probable'::text, 'doubtful'::text, 'invalid'::text, 'not_assessable'::text, 'unknown'::text, 'withdrawn'::text, 'awaiting_second_opinion'::text]))),
    CONSTRAINT observation_validation_method_check CHECK ((validation_method = ANY (ARRAY['manual'::text, 'automatic'::text]))),
    CONSTRAINT observation_version_check CHECK ((version >= 1))
);
COMMENT ON TABLE public.observation IS 'One row per observation; id is the UUID the device made (idempotency key).';
COMMENT ON COLUMN public.observation.taxon_cd_nom IS 'The taxon code as submitted (may be a synonym)';
COMMENT ON COLUMN public.observation.taxon_cd_ref IS 'The valid name the observation is attached to';
COMMENT ON COLUMN public.observation.sensitivity_level IS 'SINP sensitivity 0-4 from the rules';
COMMENT ON COLUMN public.observation.moderator_comment IS 'The last decision''s comment, shown to the contributor';
COMMENT ON COLUMN public.observation.queue_rank IS 'Moderation need: 0 flagged and sensitive, 1 either, 2 neither (the queue sorts on it)';
COMMENT ON COLUMN public.observation.geoprivacy IS 'The contributor''s choice for this record: obscured publishes it generalised';
COMMENT ON COLUMN public.observation.duplicate_of IS 'The record a moderator counted this one under (staff-only; unpublished while set)';
CREATE TABLE public.observation_deletion (
    observation_id uuid NOT NULL,
    programme text NOT NULL,
    deleted_at timestamp with time zone DEFAULT now() NOT NULL
);
COMMENT ON TABLE public.observation_deletion IS 'Ids of erased taxon records: what an incremental SINP export tells the receiver to delete';
CREATE TABLE public.observation_event (
    id bigint NOT NULL,
    observation_id uuid NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    actor_kind text NOT NULL,
    actor_id text,
    action text NOT NULL,
    version integer NOT NULL,
    before jsonb,
    after jsonb,
    comment text,
    CONSTRAINT observation_event_action_check CHECK ((action ~ '^[a-z][a-z_]{1,31}$'::text)),
    CONSTRAINT observation_event_actor_kind_check CHECK ((actor_kind = ANY (ARRAY['device'::text, 'contributor'::text, 'staff'::text, 'system'::text]))),
    CONSTRAINT observation_event_comment_check CHECK ((length(comment) <= 4000)),
    CONSTRAINT observation_event_version_check CHECK ((version >= 1))
);
COMMENT ON TABLE public.observation_event IS 'Append-only history of observations: who, when, what before, what after, why.';
COMMENT ON COLUMN public.observation_event.version IS 'The observation version this event produced';
ALTER TABLE public.observation_event ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.observation_event_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.observation_import (
    observation_id uuid NOT NULL,
    source_format text NOT NULL,
    source_id text NOT NULL,
    file_name text NOT NULL,
    file_sha256 text NOT NULL,
    observers text,
    validator text,
    imported_by uuid,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT observation_import_file_name_check CHECK ((length(file_name) <= 500)),
    CONSTRAINT observation_import_file_sha256_check CHECK ((file_sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT observation_import_observers_check CHECK ((length(observers) <= 1000)),
    CONSTRAINT observation_import_source_format_check CHECK ((source_format = ANY (ARRAY['sinp'::text, 'dwc'::text]))),
    CONSTRAINT observation_import_source_id_check CHECK ((length(source_id) <= 200)),
    CONSTRAINT observation_import_validator_check CHECK ((length(validator) <= 1000))
);
COMMENT ON TABLE public.observation_import IS 'Where an imported record came from, and the source''s observers and validator (staff only)';
CREATE TABLE public.observation_message (
    id bigint NOT NULL,
    observation_id uuid NOT NULL,
    author_device_id uuid,
    author_staff_id uuid,
    author_kind text NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    hidden_at timestamp with time zone,
    hidden_by uuid,
    CONSTRAINT observation_message_author_kind_check CHECK ((author_kind = ANY (ARRAY['contributor'::text, 'staff'::text]))),
    CONSTRAINT observation_message_body_check CHECK (((length(body) >= 1) AND (length(body) <= 2000))),
    CONSTRAINT observation_message_check CHECK (((author_kind = 'staff'::text) OR (author_device_id IS NOT NULL)))
);
COMMENT ON TABLE public.observation_message IS 'A record''s thread between its contributor and its staff; never open data';
ALTER TABLE public.observation_message ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.observation_message_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.organisation (
    slug text NOT NULL,
    name text NOT NULL,
    website text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organisation_name_check CHECK (((length(name) >= 1) AND (length(name) <= 200))),
    CONSTRAINT organisation_slug_check CHECK ((slug ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT organisation_website_check CHECK ((website ~ '^https?://'::text))
);
COMMENT ON TABLE public.organisation IS 'A park, a tourism office, an association: owns programmes';
CREATE TABLE public.photo (
    id uuid NOT NULL,
    observation_id uuid NOT NULL,
    sha256 text NOT NULL,
    upload_sha256 bytea NOT NULL,
    width integer NOT NULL,
    height integer NOT NULL,
    source_format text NOT NULL,
    exif jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    shows_no_place boolean DEFAULT false NOT NULL,
    CONSTRAINT photo_height_check CHECK ((height > 0)),
    CONSTRAINT photo_sha256_check CHECK ((sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT photo_upload_sha256_check CHECK ((length(upload_sha256) = 32)),
    CONSTRAINT photo_width_check CHECK ((width > 0))
);
COMMENT ON TABLE public.photo IS 'Photos of observations; files in the photo store under sha256, stripped of all metadata';
COMMENT ON COLUMN public.photo.exif IS 'Capture time and GPS position read before stripping, for moderators only';
COMMENT ON COLUMN public.photo.shows_no_place IS 'A validator judged it shows no place: published with a generalised record too';
CREATE TABLE public.programme_kind (
    programme text NOT NULL,
    kind text NOT NULL,
    version integer NOT NULL,
    schema jsonb NOT NULL,
    state text DEFAULT 'draft'::text NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    published_at timestamp with time zone,
    CONSTRAINT programme_kind_check CHECK (((state = 'published'::text) = (published_at IS NOT NULL))),
    CONSTRAINT programme_kind_kind_check CHECK (((kind ~ '^[a-z][a-z0-9_]{0,31}$'::text) AND (kind <> ALL (ARRAY['species'::text, 'heritage'::text])))),
    CONSTRAINT programme_kind_schema_check CHECK ((jsonb_typeof(schema) = 'object'::text)),
    CONSTRAINT programme_kind_state_check CHECK ((state = ANY (ARRAY['draft'::text, 'published'::text]))),
    CONSTRAINT programme_kind_version_check CHECK (((version >= 1) AND (version <= 10000)))
);
COMMENT ON TABLE public.programme_kind IS 'Observation kinds built by programme staff: JSON Schema 2020-12, immutable once published';
COMMENT ON COLUMN public.programme_kind.kind IS 'Unique across programmes: a record names its kind and version, the kind names its programme';
CREATE TABLE public.public_observation (
    id uuid NOT NULL,
    kind text NOT NULL,
    programme text NOT NULL,
    status text NOT NULL,
    observed_at timestamp with time zone NOT NULL,
    observed_offset_s integer NOT NULL,
    taxon_cd_ref integer,
    taxon_path public.ltree,
    scientific_name text,
    vernacular_fr text,
    kingdom text,
    taxon_group text,
    sensitivity_level smallint NOT NULL,
    lon double precision,
    lat double precision,
    "position" point,
    uncertainty_m double precision,
    altitude_m double precision,
    grid_10km text,
    grid_1km text,
    commune_insee text,
    departement text,
    generalisation text,
    generalisation_code text,
    data_generalizations text,
    information_withheld text,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    comment text,
    observer text,
    licence text NOT NULL,
    photos jsonb DEFAULT '[]'::jsonb NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    schema_version integer DEFAULT 1 NOT NULL,
    site_id uuid,
    site_name text,
    occurrence_status text DEFAULT 'present'::text NOT NULL,
    CONSTRAINT public_observation_check CHECK ((((lon IS NULL) = (lat IS NULL)) AND ((lon IS NULL) = ("position" IS NULL)))),
    CONSTRAINT public_observation_generalisation_check CHECK ((generalisation = ANY (ARRAY['commune'::text, 'grid_10km'::text, 'departement'::text]))),
    CONSTRAINT public_observation_occurrence_status_check CHECK ((occurrence_status = ANY (ARRAY['present'::text, 'absent'::text]))),
    CONSTRAINT public_observation_sensitivity_level_check CHECK (((sensitivity_level >= 0) AND (sensitivity_level <= 3)))
);
COMMENT ON TABLE public.public_observation IS 'Open data: only public fields, generalised at write time by sensitivity level.';
COMMENT ON COLUMN public.public_observation.occurrence_status IS 'present, or absent: searched for and not found (never counted as a presence)';
CREATE TABLE public.refresh_token (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    issued_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT refresh_token_token_hash_check CHECK ((length(token_hash) = 32))
);
COMMENT ON TABLE public.refresh_token IS 'SHA-256 of refresh tokens; rotation revokes the used one';
CREATE TABLE public.second_opinion_rule (
    programme text NOT NULL,
    taxa integer[] DEFAULT '{}'::integer[] NOT NULL,
    taxon_groups text[] DEFAULT '{}'::text[] NOT NULL,
    protected boolean DEFAULT false NOT NULL,
    patrimonial boolean DEFAULT false NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);
COMMENT ON TABLE public.second_opinion_rule IS 'Taxa of a programme that need two validators: cd_ref list, INPN groups, reference flags';
CREATE TABLE public.sensitivity_job (
    id uuid NOT NULL,
    reason text NOT NULL,
    taxa integer[] NOT NULL,
    state text DEFAULT 'running'::text NOT NULL,
    total integer NOT NULL,
    done integer DEFAULT 0 NOT NULL,
    changed integer DEFAULT 0 NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    error text,
    CONSTRAINT sensitivity_job_changed_check CHECK ((changed >= 0)),
    CONSTRAINT sensitivity_job_done_check CHECK ((done >= 0)),
    CONSTRAINT sensitivity_job_state_check CHECK ((state = ANY (ARRAY['running'::text, 'done'::text, 'failed'::text]))),
    CONSTRAINT sensitivity_job_total_check CHECK ((total >= 0))
);
COMMENT ON TABLE public.sensitivity_job IS 'Background re-projections after a rule change, with progress';
CREATE TABLE public.sensitivity_rule (
    id bigint NOT NULL,
    cd_ref integer NOT NULL,
    level smallint NOT NULL,
    area jsonb,
    period_start text,
    period_end text,
    comment text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by uuid,
    CONSTRAINT sensitivity_rule_area_check CHECK (((area ->> 'type'::text) = ANY (ARRAY['Polygon'::text, 'MultiPolygon'::text]))),
    CONSTRAINT sensitivity_rule_cd_ref_check CHECK ((cd_ref > 0)),
    CONSTRAINT sensitivity_rule_check CHECK (((period_start IS NULL) = (period_end IS NULL))),
    CONSTRAINT sensitivity_rule_comment_check CHECK ((length(comment) <= 2000)),
    CONSTRAINT sensitivity_rule_level_check CHECK (((level >= 0) AND (level <= 4))),
    CONSTRAINT sensitivity_rule_period_end_check CHECK ((period_end ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'::text)),
    CONSTRAINT sensitivity_rule_period_start_check CHECK ((period_start ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'::text))
);
COMMENT ON TABLE public.sensitivity_rule IS 'SINP sensitivity per taxon (CD_REF), optionally inside an area and a yearly MM-DD period';
ALTER TABLE public.sensitivity_rule ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.sensitivity_rule_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.sensitivity_rules_version (
    one boolean DEFAULT true NOT NULL,
    version bigint NOT NULL,
    CONSTRAINT sensitivity_rules_version_one_check CHECK (one)
);
COMMENT ON TABLE public.sensitivity_rules_version IS 'How many times the sensitivity rules or a site changed: intake checks it under the rules lock';
CREATE TABLE public.site (
    id uuid NOT NULL,
    programme text NOT NULL,
    name jsonb NOT NULL,
    description jsonb DEFAULT '{}'::jsonb NOT NULL,
    geometry jsonb NOT NULL,
    lon double precision NOT NULL,
    lat double precision NOT NULL,
    commune_insee text,
    sensitivity_level smallint DEFAULT 0 NOT NULL,
    archived boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT site_description_check CHECK ((jsonb_typeof(description) = 'object'::text)),
    CONSTRAINT site_geometry_check CHECK (((geometry ->> 'type'::text) = ANY (ARRAY['Point'::text, 'Polygon'::text]))),
    CONSTRAINT site_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT site_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT site_name_check CHECK ((jsonb_typeof(name) = 'object'::text)),
    CONSTRAINT site_sensitivity_level_check CHECK (((sensitivity_level >= 0) AND (sensitivity_level <= 4)))
);
COMMENT ON TABLE public.site IS 'Monitored sites of a programme; precise, read by staff and by the disclosure policy only';
COMMENT ON COLUMN public.site.lon IS 'A point on the site (the point, or inside the polygon)';
CREATE TABLE public.staff_audit (
    id bigint NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    actor_id uuid,
    action text NOT NULL,
    subject text NOT NULL,
    before jsonb,
    after jsonb,
    CONSTRAINT staff_audit_action_check CHECK ((action ~ '^[a-z][a-z_]{1,39}$'::text))
);
COMMENT ON TABLE public.staff_audit IS 'Append-only trail of staff changes other than decisions: accounts, grants, programmes, rules';
ALTER TABLE public.staff_audit ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.staff_audit_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.staff_grant (
    id bigint NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL,
    organisation text,
    programme text,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    taxon_groups text[] DEFAULT '{}'::text[] NOT NULL,
    CONSTRAINT staff_grant_admin_whole CHECK (((role <> 'admin'::text) OR (taxon_groups = '{}'::text[]))),
    CONSTRAINT staff_grant_check CHECK (((organisation IS NULL) OR (programme IS NULL))),
    CONSTRAINT staff_grant_role_check CHECK ((role = ANY (ARRAY['admin'::text, 'moderator'::text, 'viewer'::text]))),
    CONSTRAINT staff_grant_taxon_groups_check CHECK (((cardinality(taxon_groups) <= 50) AND (array_position(taxon_groups, NULL::text) IS NULL)))
);
COMMENT ON TABLE public.staff_grant IS 'A role on one programme, on every programme of an organisation, or (both NULL) platform-wide';
COMMENT ON COLUMN public.staff_grant.taxon_groups IS 'INPN groups (taxon.group2_inpn) the role is narrowed to, sorted; empty: the whole scope';
ALTER TABLE public.staff_grant ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.staff_grant_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
CREATE TABLE public.staff_user (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    email text NOT NULL,
    display_name text NOT NULL,
    password_hash text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT staff_user_display_name_check CHECK (((length(display_name) >= 1) AND (length(display_name) <= 200))),
    CONSTRAINT staff_user_email_check CHECK (((email = lower(email)) AND (email ~ '^[^@\s]+@[^@\s]+$'::text))),
    CONSTRAINT staff_user_password_hash_check CHECK ((password_hash ~~ '$argon2id$%'::text))
);
COMMENT ON TABLE public.staff_user IS 'Park and partner staff who moderate; passwords argon2id-hashed';
CREATE TABLE public.taxon (
    cd_nom integer NOT NULL,
    cd_ref integer NOT NULL,
    cd_sup integer,
    rank text,
    scientific_name text NOT NULL,
    authority text,
    full_name text,
    vernacular_fr text,
    vernacular_en text,
    vernacular_it text,
    kingdom text,
    phylum text,
    class text,
    "order" text,
    family text,
    genus text,
    group1_inpn text,
    group2_inpn text,
    group3_inpn text,
    path public.ltree,
    protected boolean DEFAULT false NOT NULL,
    patrimonial boolean DEFAULT false NOT NULL,
    sensitivity_level smallint DEFAULT 0 NOT NULL,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    source text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT taxon_attributes_check CHECK ((jsonb_typeof(attributes) = 'object'::text)),
    CONSTRAINT taxon_cd_nom_check CHECK ((cd_nom > 0)),
    CONSTRAINT taxon_cd_ref_check CHECK ((cd_ref > 0)),
    CONSTRAINT taxon_cd_sup_check CHECK ((cd_sup > 0)),
    CONSTRAINT taxon_sensitivity_level_check CHECK (((sensitivity_level >= 0) AND (sensitivity_level <= 4)))
);
COMMENT ON COLUMN public.taxon.cd_ref IS 'CD_NOM of the valid name; synonyms have cd_ref <> cd_nom';
COMMENT ON COLUMN public.taxon.path IS 'Materialised path of valid-name ancestors (cd_ref labels, root first), for descendants';
CREATE TABLE public.taxon_profile (
    cd_ref integer NOT NULL,
    observations integer NOT NULL,
    altitude_low double precision,
    altitude_high double precision,
    months smallint[] NOT NULL,
    count_high integer,
    computed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT taxon_profile_observations_check CHECK ((observations >= 0))
);
COMMENT ON TABLE public.taxon_profile IS 'What validated observations say is usual for a taxon: altitude band (2nd-98th percentile), active months, high count (98th percentile). Refreshed by `cairn refresh-profiles`; used for plausibility flags only when observations >= 20.';
ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
ALTER TABLE ONLY public.api_key
    ADD CONSTRAINT api_key_key_hash_key UNIQUE (key_hash);
ALTER TABLE ONLY public.api_key
    ADD CONSTRAINT api_key_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.commune
    ADD CONSTRAINT commune_pkey PRIMARY KEY (insee);
ALTER TABLE ONLY public.contributor
    ADD CONSTRAINT contributor_email_key UNIQUE (email);
ALTER TABLE ONLY public.contributor
    ADD CONSTRAINT contributor_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.dataset
    ADD CONSTRAINT dataset_id_key UNIQUE (id);
ALTER TABLE ONLY public.dataset
    ADD CONSTRAINT dataset_pkey PRIMARY KEY (programme);
ALTER TABLE ONLY public.dataset
    ADD CONSTRAINT dataset_sinp_jdd_uuid_key UNIQUE (sinp_jdd_uuid);
ALTER TABLE ONLY public.departement
    ADD CONSTRAINT departement_pkey PRIMARY KEY (code);
ALTER TABLE ONLY public.device
    ADD CONSTRAINT device_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.device
    ADD CONSTRAINT device_token_hash_key UNIQUE (token_hash);
ALTER TABLE ONLY public.heritage_category
    ADD CONSTRAINT heritage_category_pkey PRIMARY KEY (slug);
ALTER TABLE ONLY public.heritage_item
    ADD CONSTRAINT heritage_item_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.heritage_item
    ADD CONSTRAINT heritage_item_source_external_ref_key UNIQUE (source, external_ref);
ALTER TABLE ONLY public.impact_share
    ADD CONSTRAINT impact_share_device_id_key UNIQUE (device_id);
ALTER TABLE ONLY public.impact_share
    ADD CONSTRAINT impact_share_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.login_attempt
    ADD CONSTRAINT login_attempt_pkey PRIMARY KEY (email_digest);
ALTER TABLE ONLY public.observation_deletion
    ADD CONSTRAINT observation_deletion_pkey PRIMARY KEY (observation_id);
ALTER TABLE ONLY public.observation_event
    ADD CONSTRAINT observation_event_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.observation_import
    ADD CONSTRAINT observation_import_pkey PRIMARY KEY (observation_id);
ALTER TABLE ONLY public.observation_message
    ADD CONSTRAINT observation_message_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.organisation
    ADD CONSTRAINT organisation_pkey PRIMARY KEY (slug);
ALTER TABLE ONLY public.photo
    ADD CONSTRAINT photo_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.programme_kind
    ADD CONSTRAINT programme_kind_pkey PRIMARY KEY (kind, version);
ALTER TABLE ONLY public.programme
    ADD CONSTRAINT programme_pkey PRIMARY KEY (slug);
ALTER TABLE ONLY public.public_observation
    ADD CONSTRAINT public_observation_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.refresh_token
    ADD CONSTRAINT refresh_token_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.refresh_token
    ADD CONSTRAINT refresh_token_token_hash_key UNIQUE (token_hash);
ALTER TABLE ONLY public.second_opinion_rule
    ADD CONSTRAINT second_opinion_rule_pkey PRIMARY KEY (programme);
ALTER TABLE ONLY public.sensitivity_job
    ADD CONSTRAINT sensitivity_job_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.sensitivity_rule
    ADD CONSTRAINT sensitivity_rule_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.sensitivity_rules_version
    ADD CONSTRAINT sensitivity_rules_version_pkey PRIMARY KEY (one);
ALTER TABLE ONLY public.site
    ADD CONSTRAINT site_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.staff_audit
    ADD CONSTRAINT staff_audit_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.staff_grant
    ADD CONSTRAINT staff_grant_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.staff_grant
    ADD CONSTRAINT staff_grant_scope_key UNIQUE NULLS NOT DISTINCT (user_id, organisation, programme, taxon_groups);
ALTER TABLE ONLY public.staff_user
    ADD CONSTRAINT staff_user_email_key UNIQUE (email);
ALTER TABLE ONLY public.staff_user
    ADD CONSTRAINT staff_user_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.taxon
    ADD CONSTRAINT taxon_pkey PRIMARY KEY (cd_nom);
ALTER TABLE ONLY public.taxon_profile
    ADD CONSTRAINT taxon_profile_pkey PRIMARY KEY (cd_ref);
CREATE INDEX device_contributor ON public.device USING btree (contributor_id);
CREATE INDEX heritage_item_commune ON public.heritage_item USING btree (commune_insee);
CREATE INDEX heritage_item_name_trgm ON public.heritage_item USING gin (public.cairn_fold(name) public.gin_trgm_ops);
CREATE INDEX observation_commune ON public.observation USING btree (commune_insee);
CREATE INDEX observation_deletion_since ON public.observation_deletion USING btree (programme, deleted_at);
CREATE INDEX observation_device ON public.observation USING btree (device_id, received_at);
CREATE INDEX observation_duplicate_of_idx ON public.observation USING btree (duplicate_of) WHERE (duplicate_of IS NOT NULL);
CREATE INDEX observation_event_observation ON public.observation_event USING btree (observation_id, id);
CREATE INDEX observation_message_thread ON public.observation_message USING btree (observation_id, id);
CREATE INDEX observation_programme_status ON public.observation USING btree (programme, status);
CREATE INDEX observation_queue ON public.observation USING btree (status, queue_rank, received_at, id);
CREATE INDEX observation_same_item_idx ON public.observation USING btree (programme, ((data ->> 'item_id'::text)), observed_at) WHERE ((kind = 'heritage'::text) AND (data ? 'item_id'::text));
CREATE INDEX observation_same_taxon_idx ON public.observation USING btree (programme, taxon_cd_ref, observed_at) WHERE (taxon_cd_ref IS NOT NULL);
CREATE INDEX observation_site ON public.observation USING btree (site_id) WHERE (site_id IS NOT NULL);
CREATE INDEX observation_status_received ON public.observation USING btree (status, received_at);
CREATE INDEX observation_taxon_commune_status ON public.observation USING btree (taxon_cd_ref, commune_insee, status);
CREATE INDEX observation_updated ON public.observation USING btree (updated_at, id);
CREATE INDEX photo_observation ON public.photo USING btree (observation_id, created_at, id);
CREATE INDEX photo_sha256 ON public.photo USING btree (sha256);
CREATE INDEX photo_upload_sha256 ON public.photo USING btree (upload_sha256);
CREATE INDEX programme_kind_programme ON public.programme_kind USING btree (programme, kind);
CREATE INDEX programme_organisation ON public.programme USING btree (organisation);
CREATE INDEX public_observation_commune ON public.public_observation USING btree (commune_insee);
CREATE INDEX public_observation_grid ON public.public_observation USING btree (grid_10km);
CREATE INDEX public_observation_observed ON public.public_observation USING btree (observed_at, id);
CREATE INDEX public_observation_position ON public.public_observation USING gist ("position");
CREATE INDEX public_observation_site ON public.public_observation USING btree (site_id, observed_at) WHERE (site_id IS NOT NULL);
CREATE INDEX public_observation_status_id ON public.public_observation USING btree (status, id);
CREATE INDEX public_observation_taxon_position ON public.public_observation USING gist (taxon_path, "position");
CREATE INDEX public_observation_updated ON public.public_observation USING btree (updated_at, id);
CREATE INDEX refresh_token_user ON public.refresh_token USING btree (user_id);
CREATE INDEX sensitivity_rule_taxon ON public.sensitivity_rule USING btree (cd_ref);
CREATE INDEX site_programme ON public.site USING btree (programme) WHERE (NOT archived);
CREATE INDEX taxon_cd_ref ON public.taxon USING btree (cd_ref);
CREATE INDEX taxon_cd_sup ON public.taxon USING btree (cd_sup);
CREATE INDEX taxon_path ON public.taxon USING gist (path);
CREATE INDEX taxon_scientific_trgm ON public.taxon USING gin (public.cairn_fold(scientific_name) public.gin_trgm_ops);
CREATE INDEX taxon_vernacular_en_trgm ON public.taxon USING gin (public.cairn_fold(vernacular_en) public.gin_trgm_ops);
CREATE INDEX taxon_vernacular_fr_trgm ON public.taxon USING gin (public.cairn_fold(vernacular_fr) public.gin_trgm_ops);
CREATE INDEX taxon_vernacular_it_trgm ON public.taxon USING gin (public.cairn_fold(vernacular_it) public.gin_trgm_ops);
CREATE TRIGGER dataset_id_fixed BEFORE UPDATE ON public.dataset FOR EACH ROW EXECUTE FUNCTION public.dataset_id_is_fixed();
CREATE TRIGGER observation_deletion AFTER DELETE ON public.observation REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.observation_deleted();
CREATE TRIGGER observation_event_no_update BEFORE UPDATE ON public.observation_event FOR EACH ROW EXECUTE FUNCTION public.observation_event_erasure_only();
CREATE TRIGGER programme_dataset AFTER INSERT ON public.programme FOR EACH ROW EXECUTE FUNCTION public.dataset_of_programme();
CREATE TRIGGER programme_kind_frozen BEFORE DELETE OR UPDATE ON public.programme_kind FOR EACH ROW EXECUTE FUNCTION public.programme_kind_frozen();
CREATE TRIGGER sensitivity_rule_version AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON public.sensitivity_rule FOR EACH STATEMENT EXECUTE FUNCTION public.sensitivity_rules_changed();
CREATE TRIGGER site_disclosure_version AFTER UPDATE ON public.site FOR EACH STATEMENT EXECUTE FUNCTION public.sensitivity_rules_changed();
CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON public.staff_audit FOR EACH ROW EXECUTE FUNCTION public.observation_event_append_only();
ALTER TABLE ONLY public.dataset
    ADD CONSTRAINT dataset_programme_fkey FOREIGN KEY (programme) REFERENCES public.programme(slug);
ALTER TABLE ONLY public.device
    ADD CONSTRAINT device_contributor_id_fkey FOREIGN KEY (contributor_id) REFERENCES public.contributor(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.heritage_item
    ADD CONSTRAINT heritage_item_category_fkey FOREIGN KEY (category) REFERENCES public.heritage_category(slug);
ALTER TABLE ONLY public.impact_share
    ADD CONSTRAINT impact_share_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.device(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_device_id_fkey FOREIGN KEY (device_id) REFERENCES public.device(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_duplicate_of_fkey FOREIGN KEY (duplicate_of) REFERENCES public.observation(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.observation_event
    ADD CONSTRAINT observation_event_observation_id_fkey FOREIGN KEY (observation_id) REFERENCES public.observation(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.observation_import
    ADD CONSTRAINT observation_import_imported_by_fkey FOREIGN KEY (imported_by) REFERENCES public.staff_user(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.observation_import
    ADD CONSTRAINT observation_import_observation_id_fkey FOREIGN KEY (observation_id) REFERENCES public.observation(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.observation_message
    ADD CONSTRAINT observation_message_author_device_id_fkey FOREIGN KEY (author_device_id) REFERENCES public.device(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.observation_message
    ADD CONSTRAINT observation_message_author_staff_id_fkey FOREIGN KEY (author_staff_id) REFERENCES public.staff_user(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.observation_message
    ADD CONSTRAINT observation_message_hidden_by_fkey FOREIGN KEY (hidden_by) REFERENCES public.staff_user(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.observation_message
    ADD CONSTRAINT observation_message_observation_id_fkey FOREIGN KEY (observation_id) REFERENCES public.observation(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_programme_fk FOREIGN KEY (programme) REFERENCES public.programme(slug);
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_site_id_fkey FOREIGN KEY (site_id) REFERENCES public.site(id);
ALTER TABLE ONLY public.photo
    ADD CONSTRAINT photo_observation_id_fkey FOREIGN KEY (observation_id) REFERENCES public.observation(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.programme_kind
    ADD CONSTRAINT programme_kind_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.staff_user(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.programme_kind
    ADD CONSTRAINT programme_kind_programme_fkey FOREIGN KEY (programme) REFERENCES public.programme(slug) ON DELETE CASCADE;
ALTER TABLE ONLY public.programme
    ADD CONSTRAINT programme_organisation_fkey FOREIGN KEY (organisation) REFERENCES public.organisation(slug);
ALTER TABLE ONLY public.public_observation
    ADD CONSTRAINT public_observation_id_fkey FOREIGN KEY (id) REFERENCES public.observation(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.refresh_token
    ADD CONSTRAINT refresh_token_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.staff_user(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.second_opinion_rule
    ADD CONSTRAINT second_opinion_rule_programme_fkey FOREIGN KEY (programme) REFERENCES public.programme(slug) ON DELETE CASCADE;
ALTER TABLE ONLY public.sensitivity_rule
    ADD CONSTRAINT sensitivity_rule_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.staff_user(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.site
    ADD CONSTRAINT site_commune_insee_fkey FOREIGN KEY (commune_insee) REFERENCES public.commune(insee);
ALTER TABLE ONLY public.site
    ADD CONSTRAINT site_programme_fkey FOREIGN KEY (programme) REFERENCES public.programme(slug) ON DELETE CASCADE;
ALTER TABLE ONLY public.staff_audit
    ADD CONSTRAINT staff_audit_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES public.staff_user(id) ON DELETE SET NULL;
ALTER TABLE ONLY public.staff_grant
    ADD CONSTRAINT staff_grant_organisation_fkey FOREIGN KEY (organisation) REFERENCES public.organisation(slug) ON DELETE CASCADE;
ALTER TABLE ONLY public.staff_grant
    ADD CONSTRAINT staff_grant_programme_fkey FOREIGN KEY (programme) REFERENCES public.programme(slug) ON DELETE CASCADE;
ALTER TABLE ONLY public.staff_grant
    ADD CONSTRAINT staff_grant_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.staff_user(id) ON DELETE CASCADE;
