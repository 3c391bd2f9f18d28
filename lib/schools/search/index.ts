import { getDb } from "@/db";
import { findInboundNumbersOfSchools, findSchoolsByIds } from "@/db/queries/schools";
import {
  highlightFields,
  memberSearchResponse,
  publicSearchResponse,
  type HighlightField,
  type SearchResponse,
  type SearchSchoolsQuery,
} from "@/lib/validations/schools";
import { searchTokens } from "../fold";
import { highlightText, type HighlightSegment } from "./highlight";
import { PostgresSchoolSearch } from "./postgres-engine";
import { typesenseConfig } from "./typesense";
import { TypesenseSchoolSearch } from "./typesense-engine";
import type { SchoolSearchDoc, SchoolSearchEngine } from "./types";

export type { SchoolSearchEngine } from "./types";

/** Typesense when configured, else Postgres. */
export function schoolSearchEngine(): SchoolSearchEngine {
  const config = typesenseConfig();
  return config ? new TypesenseSchoolSearch(config) : new PostgresSchoolSearch();
}

export type DirectoryAccess = "public" | "member";

function highlightsOf(doc: SchoolSearchDoc, tokens: string[]) {
  const out: Partial<Record<HighlightField, HighlightSegment[]>> = {};
  if (tokens.length === 0) return out;
  for (const field of highlightFields) {
    const value = field === "tags" ? doc.tags.join(", ") : doc[field];
    const segments = value ? highlightText(value, tokens) : null;
    if (segments) out[field] = segments;
  }
  return out;
}

/**
 * The directory search behind GET /api/search/schools. `access` comes from the optional auth:
 * "public" sees public schools and public fields only; "member" (a member or key of this
 * tenant) also sees private schools and the contact fields, read from Postgres for the page.
 * Every answer passes through the output schema for its access level.
 */
export async function searchSchoolDirectory(
  tenant: { id: string },
  access: DirectoryAccess,
  query: SearchSchoolsQuery,
  engine: SchoolSearchEngine = schoolSearchEngine(),
): Promise<SearchResponse> {
  const tokens = searchTokens(query.q);
  const common = { tenantId: tenant.id, publicOnly: access === "public", tokens, near: query.near ?? null, radiusKm: query.radius_km ?? null };
  const cities = query.city;
  const types = query.type;
  // Facets are disjunctive: a facet's counts ignore that facet's own selection (and keep the
  // others'), so choosing "Ankara" still shows the other cities to add. One small extra search
  // per selected facet, on either engine; the page itself is the ordinary search.
  const facetOnly = { page: 1, perPage: 1 };
  const [result, cityCounts, typeCounts] = await Promise.all([
    engine.search({ ...common, cities, types, page: query.page, perPage: query.per_page }),
    cities.length > 0 ? engine.search({ ...common, cities: [], types, ...facetOnly }) : null,
    types.length > 0 ? engine.search({ ...common, cities, types: [], ...facetOnly }) : null,
  ]);
  result.facets = { city: (cityCounts ?? result).facets.city, type: (typeCounts ?? result).facets.type };
  const base = result.hits.map(({ doc, distanceKm }) => ({
    id: doc.id,
    name: doc.name,
    slug: doc.slug,
    type: doc.type,
    city: doc.city,
    district: doc.district,
    address: doc.address,
    latitude: doc.latitude,
    longitude: doc.longitude,
    website: doc.website,
    tags: doc.tags,
    distance_km: distanceKm,
    highlights: highlightsOf(doc, tokens),
  }));
  const meta = { facets: result.facets, page: query.page, per_page: query.per_page, total: result.total };
  if (access === "public") {
    // Belt and braces: an engine must already have filtered private schools out.
    const visible = base.filter((_, i) => result.hits[i]!.doc.isPublic);
    return publicSearchResponse.parse({ visibility: "public", data: visible, ...meta });
  }
  const ids = base.map((h) => h.id);
  const db = getDb();
  const [rows, numbers] = await Promise.all([
    findSchoolsByIds(db, { tenantId: tenant.id, ids }),
    findInboundNumbersOfSchools(db, { tenantId: tenant.id, schoolIds: ids }),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const data = base.flatMap((h) => {
    // A school deleted since the index saw it is dropped rather than shown half-filled.
    const row = byId.get(h.id);
    if (!row) return [];
    return [{ ...h, is_public: row.isPublic, phone: row.phone, email: row.email, inbound_number: numbers.get(h.id) ?? null }];
  });
  return memberSearchResponse.parse({ visibility: "member", data, ...meta });
}
