CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';
CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA public;
COMMENT ON EXTENSION ltree IS 'data type for hierarchical tree-like structures';
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
COMMENT ON EXTENSION unaccent IS 'text search dictionary that removes accents';
CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);
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
    CONSTRAINT observation_accuracy_m_check CHECK (((accuracy_m >= (0)::double precision) AND (accuracy_m <= (100000)::double precision))),
    CONSTRAINT observation_altitude_m_check CHECK (((altitude_m >= ('-500'::integer)::double precision) AND (altitude_m <= (9000)::double precision))),
    CONSTRAINT observation_check CHECK ((updated_at >= received_at)),
    CONSTRAINT observation_comment_check CHECK ((length(comment) <= 2000)),
    CONSTRAINT observation_content_hash_check CHECK ((length(content_hash) = 32)),
    CONSTRAINT observation_data_check CHECK ((jsonb_typeof(data) = 'object'::text)),
    CONSTRAINT observation_flags_check CHECK ((jsonb_typeof(flags) = 'array'::text)),
    CONSTRAINT observation_kind_check CHECK ((kind ~ '^[a-z][a-z0-9_]{0,31}$'::text)),
    CONSTRAINT observation_lat_check CHECK (((lat >= ('-90'::integer)::double precision) AND (lat <= (90)::double precision))),
    CONSTRAINT observation_licence_check CHECK ((licence = ANY (ARRAY['CC0-1.0'::text, 'CC-BY-4.0'::text, 'CC-BY-NC-4.0'::text, 'etalab-2.0'::text]))),
    CONSTRAINT observation_lon_check CHECK (((lon >= ('-180'::integer)::double precision) AND (lon <= (180)::double precision))),
    CONSTRAINT observation_observed_offset_s_check CHECK (((observed_offset_s >= '-86400'::integer) AND (observed_offset_s <= 86400))),
    CONSTRAINT observation_programme_check CHECK ((programme ~ '^[a-z][a-z0-9_-]{0,62}$'::text)),
    CONSTRAINT observation_schema_version_check CHECK (((schema_version >= 1) AND (schema_version <= 10000))),
    CONSTRAINT observation_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'certain'::text, 'probable'::text, 'doubtful'::text, 'invalid'::text, 'not_assessable'::text, 'unknown'::text, 'withdrawn'::text]))),
    CONSTRAINT observation_version_check CHECK ((version >= 1))
);
COMMENT ON TABLE public.observation IS 'One row per observation; id is the UUID the device made (idempotency key).';
ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_pkey PRIMARY KEY (id);
CREATE INDEX observation_status_received ON public.observation USING btree (status, received_at);
CREATE INDEX observation_updated ON public.observation USING btree (updated_at, id);
