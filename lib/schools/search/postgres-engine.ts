import { getDb, type DbOrTx } from "@/db";
import { findSimilarSearchWords, searchSchoolsSql } from "@/db/queries/schools";
import { foldText, MIN_FUZZY_TOKEN_LENGTH } from "../fold";
import { FACET_LIMIT, type SchoolSearchEngine, type SchoolSearchParams, type SchoolSearchResult } from "./types";

/** pg_trgm word similarity a word needs to count as a typo match ("ankra" ~ "ankara" is 0.5). */
const WORD_SIMILARITY_THRESHOLD = 0.45;
/** Similar vocabulary words tried per misspelt token (most similar first). */
const SIMILAR_WORDS_PER_TOKEN = 16;
export const TYPO_FALLBACK_BELOW = 1;

export class PostgresSchoolSearch implements SchoolSearchEngine {
  readonly name = "postgres" as const;

  constructor(private readonly db: () => DbOrTx = getDb) {}

  async search(p: SchoolSearchParams): Promise<SchoolSearchResult> {
    // As in Typesense (typo_tokens_threshold): typos are tried only when the words as typed
    // (prefixes) find fewer than TYPO_FALLBACK_BELOW schools. Fuzzy matching costs far more.
    let result = await this.run(p, null);
    const fuzzyTokens = p.tokens.filter((t) => t.length >= MIN_FUZZY_TOKEN_LENGTH);
    if (result.total < TYPO_FALLBACK_BELOW && fuzzyTokens.length > 0) {
      // Typo tolerance through the vocabulary: the few similar words, then the indexed tsquery.
      const similar = await findSimilarSearchWords(this.db(), {
        tenantId: p.tenantId,
        tokens: fuzzyTokens,
        threshold: WORD_SIMILARITY_THRESHOLD,
        limit: SIMILAR_WORDS_PER_TOKEN,
      });
      if ([...similar.values()].some((words) => words.length > 0)) result = await this.run(p, similar);
    }
    return {
      total: result.total,
      facets: { city: result.cityFacets, type: result.typeFacets },
      hits: result.rows.map((r) => ({
        doc: {
          id: r.id,
          name: r.name,
          slug: r.slug,
          type: r.type,
          city: r.city,
          district: r.district,
          address: r.address,
          latitude: r.latitude,
          longitude: r.longitude,
          website: r.website,
          tags: r.tags ?? [],
          isPublic: r.is_public,
        },
        distanceKm: r.distance_km === null ? null : Math.round(r.distance_km * 1000) / 1000,
      })),
    };
  }

  /** `similar`: the typo alternatives of each token (the fallback), or null for prefixes only. */
  private run(p: SchoolSearchParams, similar: Map<string, string[]> | null) {
    return searchSchoolsSql(this.db(), {
      tenantId: p.tenantId,
      publicOnly: p.publicOnly,
      cityKeys: p.cities.map(foldText),
      types: p.types,
      tokens: p.tokens.map((token) => ({ token, similar: similar?.get(token) ?? null })),
      near: p.near,
      radiusKm: p.radiusKm,
      limit: p.perPage,
      offset: (p.page - 1) * p.perPage,
      facetLimit: FACET_LIMIT,
    });
  }
}
