import type { SchoolType } from "@/lib/validations/schools";

/** The public fields of a school, as every engine returns them; contact fields are never here. */
export interface SchoolSearchDoc {
  id: string;
  name: string;
  slug: string;
  type: SchoolType;
  city: string;
  district: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  website: string | null;
  tags: string[];
  isPublic: boolean;
}

export interface SchoolSearchParams {
  tenantId: string;
  /** Anonymous callers: only public schools. */
  publicOnly: boolean;
  /** Folded query tokens (see searchTokens). Empty → browse. */
  tokens: string[];
  /** Any of these cities (none: every city). */
  cities: string[];
  /** Any of these types (none: every type). */
  types: SchoolType[];
  near: { lat: number; lng: number } | null;
  radiusKm: number | null;
  page: number;
  perPage: number;
}

export interface SchoolSearchResult {
  total: number;
  facets: { city: { value: string; count: number }[]; type: { value: string; count: number }[] };
  hits: { doc: SchoolSearchDoc; distanceKm: number | null }[];
}

/**
 * One search API, two engines. Semantics both keep: every token must match (prefix, or with
 * typos from 4 letters on) over name, city, district, tags and address, folded; facet counts
 * cover the whole filtered result; `near` sorts by distance (schools without a location last),
 * otherwise relevance, then name.
 */
export interface SchoolSearchEngine {
  readonly name: "postgres" | "typesense";
  search(params: SchoolSearchParams): Promise<SchoolSearchResult>;
}

export const FACET_LIMIT = 50;
