-- School search vocabulary: the distinct folded lexemes of each tenant's search documents, with
-- a trigram index. Typo tolerance looks a misspelt token up here (thousands of rows at most,
-- not every school) and then runs the ordinary tsquery with the similar words it found.
-- Kept in step by statement-level triggers (one INSERT … SELECT DISTINCT per write statement,
-- so bulk imports stay cheap). Words of deleted or edited schools are left behind: a stale word
-- only widens a tsquery by a lexeme that matches nothing.
CREATE TABLE "school_search_words" (
  "tenant_id" uuid NOT NULL REFERENCES "tenants"("id") ON DELETE CASCADE,
  "word" text NOT NULL,
  PRIMARY KEY ("tenant_id", "word")
);
--> statement-breakpoint
CREATE INDEX "school_search_words_trgm_idx" ON "school_search_words" USING gin ("word" gin_trgm_ops);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_school_search_words_sync() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO school_search_words (tenant_id, word)
  SELECT DISTINCT n.tenant_id, w.word
    FROM changed_schools n, unnest(tsvector_to_array(n.search_doc)) AS w(word)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- A trigger with transition tables may name one event only, hence two.
CREATE TRIGGER "schools_search_words_insert" AFTER INSERT ON "schools"
  REFERENCING NEW TABLE AS changed_schools
  FOR EACH STATEMENT EXECUTE FUNCTION herald_school_search_words_sync();
--> statement-breakpoint
CREATE TRIGGER "schools_search_words_update" AFTER UPDATE ON "schools"
  REFERENCING NEW TABLE AS changed_schools
  FOR EACH STATEMENT EXECUTE FUNCTION herald_school_search_words_sync();
--> statement-breakpoint
INSERT INTO school_search_words (tenant_id, word)
SELECT DISTINCT s.tenant_id, w.word FROM schools s, unnest(tsvector_to_array(s.search_doc)) AS w(word)
ON CONFLICT DO NOTHING;
