-- School search (Postgres engine): Turkish-aware folding, a weighted search document and
-- trigram indexes. Generated columns keep them in step with every write, including bulk imports.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
-- unaccent() is only STABLE (it looks its dictionary up through search_path); naming the
-- dictionary explicitly makes the result fixed, so the wrapper may be IMMUTABLE and indexed.
-- Turkish letters are mapped before lower(): lower('I') is 'ı' in Turkish and lower('İ') is
-- 'i' + U+0307 under most collations, so neither may reach lower() unmapped. The trailing
-- U+0307 in the first list has no counterpart, so translate() deletes stray combining dots.
CREATE OR REPLACE FUNCTION herald_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, translate(value, 'İIıŞşĞğÖöÜüÇç̇', 'iiissggoouucc'))) $$;
--> statement-breakpoint
-- array_to_string is STABLE in general (element output functions), but fixed for text[].
CREATE OR REPLACE FUNCTION herald_school_search_text(name text, city text, district text, address text, tags text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT herald_fold(concat_ws(' ', name, city, district, address, array_to_string(tags, ' '))) $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_school_search_doc(name text, city text, district text, address text, tags text[]) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT
    setweight(to_tsvector('simple'::regconfig, coalesce(herald_fold(name), '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(herald_fold(concat_ws(' ', city, district)), '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(herald_fold(array_to_string(tags, ' ')), '')), 'C') ||
    setweight(to_tsvector('simple'::regconfig, coalesce(herald_fold(address), '')), 'D') $$;
--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "search_name" text GENERATED ALWAYS AS (herald_fold("name")) STORED;
--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "city_key" text GENERATED ALWAYS AS (herald_fold("city")) STORED;
--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "search_text" text GENERATED ALWAYS AS (herald_school_search_text("name", "city", "district", "address", "tags")) STORED;
--> statement-breakpoint
ALTER TABLE "schools" ADD COLUMN "search_doc" tsvector GENERATED ALWAYS AS (herald_school_search_doc("name", "city", "district", "address", "tags")) STORED;
--> statement-breakpoint
CREATE INDEX "schools_search_doc_idx" ON "schools" USING gin ("search_doc");
--> statement-breakpoint
CREATE INDEX "schools_search_text_trgm_idx" ON "schools" USING gin ("search_text" gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX "schools_tenant_city_key_idx" ON "schools" ("tenant_id", "city_key");
--> statement-breakpoint
CREATE INDEX "schools_tenant_type_idx" ON "schools" ("tenant_id", "type");
--> statement-breakpoint
CREATE INDEX "schools_tenant_search_name_idx" ON "schools" ("tenant_id", "search_name", "id");
--> statement-breakpoint
CREATE INDEX "schools_tenant_latitude_idx" ON "schools" ("tenant_id", "latitude") WHERE "latitude" IS NOT NULL;
--> statement-breakpoint
-- Covers the facet/total pass (grouping sets over city and type) as an index-only scan.
CREATE INDEX "schools_tenant_facets_idx" ON "schools" ("tenant_id", "is_public", "city", "type");
