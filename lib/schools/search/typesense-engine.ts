import { Errors } from "typesense";
import type { SearchParams } from "typesense/lib/Typesense/Types";
import { ApiError } from "@/lib/api/errors";
import { logger } from "@/lib/logger";
import { foldText } from "../fold";
import { TYPO_FALLBACK_BELOW } from "./postgres-engine";
import { filterValue, typesenseClient, type SchoolDocument, type TypesenseConfig } from "./typesense";
import { FACET_LIMIT, type SchoolSearchEngine, type SchoolSearchParams, type SchoolSearchResult } from "./types";

const oneOrMany = (values: string[]) => (values.length === 1 ? values[0]! : `[${values.join(",")}]`);

/** Builds the Typesense query for Herald's search semantics (see SchoolSearchEngine). */
export function typesenseSearchParams(p: SchoolSearchParams): SearchParams<SchoolDocument> {
  const filters = [`tenant_id:=${filterValue(p.tenantId)}`];
  if (p.publicOnly) filters.push("is_public:=true");
  if (p.cities.length > 0) filters.push(`city_key:=${oneOrMany(p.cities.map((c) => filterValue(foldText(c))))}`);
  if (p.types.length > 0) filters.push(`type:=${oneOrMany(p.types.map(filterValue))}`);
  if (p.near && p.radiusKm) filters.push(`location:(${p.near.lat}, ${p.near.lng}, ${p.radiusKm} km)`);
  const text = p.tokens.length > 0;
  const sortBy = p.near
    ? `location(${p.near.lat}, ${p.near.lng}):asc,_text_match:desc,name_sort:asc`
    : text
      ? "_text_match:desc,name_sort:asc"
      : "name_sort:asc";
  return {
    q: text ? p.tokens.join(" ") : "*",
    query_by: "name_search,place_search,extra_search",
    query_by_weights: "4,2,1",
    prefix: "true,true,true",
    num_typos: "2,2,2",
    // Every token must match, as in Postgres; typos are tried when the words as typed find
    // fewer than TYPO_FALLBACK_BELOW documents (the Postgres engine does the same).
    drop_tokens_threshold: 0,
    typo_tokens_threshold: TYPO_FALLBACK_BELOW,
    filter_by: filters.join(" && "),
    sort_by: sortBy,
    facet_by: "city,type",
    max_facet_values: FACET_LIMIT,
    page: p.page,
    per_page: p.perPage,
    exclude_fields: "name_search,place_search,extra_search,name_sort,city_key,synced_at",
    highlight_fields: "none",
  } as SearchParams<SchoolDocument>;
}

export class TypesenseSchoolSearch implements SchoolSearchEngine {
  readonly name = "typesense" as const;

  constructor(private readonly config: TypesenseConfig) {}

  async search(p: SchoolSearchParams): Promise<SchoolSearchResult> {
    let res;
    try {
      res = await typesenseClient(this.config)
        .collections<SchoolDocument>(this.config.collection)
        .documents()
        .search(typesenseSearchParams(p), { cacheSearchResultsForSeconds: 0 });
    } catch (err) {
      logger.error({ err }, "Typesense search failed");
      if (err instanceof Errors.ObjectNotFound) {
        throw new ApiError({ code: "service_unavailable", message: "The search index is not built yet; run schools:reindex", cause: err });
      }
      throw new ApiError({ code: "service_unavailable", message: "Search is temporarily unavailable", cause: err });
    }
    const facet = (field: string) =>
      (res.facet_counts ?? [])
        .find((f) => f.field_name === field)
        ?.counts.map((c) => ({ value: String(c.value), count: c.count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)) ?? [];
    return {
      total: res.found,
      facets: { city: facet("city"), type: facet("type") },
      hits: (res.hits ?? []).map((h) => {
        const d = h.document;
        const meters = (h as { geo_distance_meters?: Record<string, number> }).geo_distance_meters?.location;
        return {
          doc: {
            id: d.id,
            name: d.name,
            slug: d.slug,
            type: d.type as SchoolSearchResult["hits"][number]["doc"]["type"],
            city: d.city,
            district: d.district ?? null,
            address: d.address ?? null,
            latitude: d.latitude ?? null,
            longitude: d.longitude ?? null,
            website: d.website ?? null,
            tags: d.tags ?? [],
            isPublic: d.is_public,
          },
          distanceKm: p.near && typeof meters === "number" ? Math.round(meters) / 1000 : null,
        };
      }),
    };
  }
}
