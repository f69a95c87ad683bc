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
CREATE FUNCTION public.observation_event_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        RAISE EXCEPTION 'observation_event is append-only (% refused)', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$;
CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);
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
COMMENT ON COLUMN public.observation.taxon_cd_nom IS 'The taxon code as submitted (may be a synonym)';
COMMENT ON COLUMN public.observation.taxon_cd_ref IS 'The valid name the observation is attached to';
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
    CONSTRAINT public_observation_check CHECK ((((lon IS NULL) = (lat IS NULL)) AND ((lon IS NULL) = ("position" IS NULL)))),
    CONSTRAINT public_observation_generalisation_check CHECK ((generalisation = ANY (ARRAY['commune'::text, 'grid_10km'::text, 'departement'::text]))),
    CONSTRAINT public_observation_sensitivity_level_check CHECK (((sensitivity_level >= 0) AND (sensitivity_level <= 3)))
);
COMMENT ON TABLE public.public_observation IS 'Open data: only public fields, generalised at write time by sensitivity level.';
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
ALTER TABLE ONLY public.commune
    ADD CONSTRAINT commune_pkey PRIMARY KEY (insee);
ALTER TABLE ONLY public.heritage_category
    ADD CONSTRAINT heritage_category_pkey PRIMARY KEY (slug);
ALTER TABLE ONLY public.heritage_item
    ADD CONSTRAINT heritage_item_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.heritage_item
    ADD CONSTRAINT heritage_item_source_external_ref_key UNIQUE (source, external_ref);
ALTER TABLE ONLY public.observation_event
    ADD CONSTRAINT observation_event_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.observation
    ADD CONSTRAINT observation_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.public_observation
    ADD CONSTRAINT public_observation_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.taxon
    ADD CONSTRAINT taxon_pkey PRIMARY KEY (cd_nom);
ALTER TABLE ONLY public.taxon_profile
    ADD CONSTRAINT taxon_profile_pkey PRIMARY KEY (cd_ref);
CREATE INDEX heritage_item_commune ON public.heritage_item USING btree (commune_insee);
CREATE INDEX heritage_item_name_trgm ON public.heritage_item USING gin (public.cairn_fold(name) public.gin_trgm_ops);
CREATE INDEX observation_commune ON public.observation USING btree (commune_insee);
CREATE INDEX observation_event_observation ON public.observation_event USING btree (observation_id, id);
CREATE INDEX observation_status_received ON public.observation USING btree (status, received_at);
CREATE INDEX observation_taxon ON public.observation USING btree (taxon_cd_ref);
CREATE INDEX observation_updated ON public.observation USING btree (updated_at, id);
CREATE INDEX public_observation_commune ON public.public_observation USING btree (commune_insee);
CREATE INDEX public_observation_grid ON public.public_observation USING btree (grid_10km);
CREATE INDEX public_observation_observed ON public.public_observation USING btree (observed_at, id);
CREATE INDEX public_observation_position ON public.public_observation USING gist ("position");
CREATE INDEX public_observation_status_id ON public.public_observation USING btree (status, id);
CREATE INDEX public_observation_taxon_path ON public.public_observation USING gist (taxon_path);
CREATE INDEX public_observation_updated ON public.public_observation USING btree (updated_at, id);
CREATE INDEX taxon_cd_ref ON public.taxon USING btree (cd_ref);
CREATE INDEX taxon_cd_sup ON public.taxon USING btree (cd_sup);
CREATE INDEX taxon_path ON public.taxon USING gist (path);
CREATE INDEX taxon_scientific_trgm ON public.taxon USING gin (public.cairn_fold(scientific_name) public.gin_trgm_ops);
CREATE INDEX taxon_vernacular_en_trgm ON public.taxon USING gin (public.cairn_fold(vernacular_en) public.gin_trgm_ops);
CREATE INDEX taxon_vernacular_fr_trgm ON public.taxon USING gin (public.cairn_fold(vernacular_fr) public.gin_trgm_ops);
CREATE INDEX taxon_vernacular_it_trgm ON public.taxon USING gin (public.cairn_fold(vernacular_it) public.gin_trgm_ops);
CREATE TRIGGER observation_event_no_update BEFORE UPDATE ON public.observation_event FOR EACH ROW EXECUTE FUNCTION public.observation_event_append_only();
ALTER TABLE ONLY public.heritage_item
    ADD CONSTRAINT heritage_item_category_fkey FOREIGN KEY (category) REFERENCES public.heritage_category(slug);
ALTER TABLE ONLY public.observation_event
    ADD CONSTRAINT observation_event_observation_id_fkey FOREIGN KEY (observation_id) REFERENCES public.observation(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.public_observation
    ADD CONSTRAINT public_observation_id_fkey FOREIGN KEY (id) REFERENCES public.observation(id) ON DELETE CASCADE;
