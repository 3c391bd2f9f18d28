import { and, asc, count, desc, eq, gt, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { inboundNumbers, schools, type NewSchool, type School } from "../schema";

export type SchoolValues = Omit<NewSchool, "id" | "tenantId" | "createdAt" | "updatedAt">;

export async function insertSchool(db: DbOrTx, { tenantId, values }: { tenantId: string; values: SchoolValues }) {
  const [row] = await db.insert(schools).values({ ...values, tenantId }).returning();
  return row!;
}

export async function findSchool(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  return db.query.schools.findFirst({ where: and(eq(schools.tenantId, tenantId), eq(schools.id, id)) });
}

export async function findSchoolsByIds(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return [];
  return db.select().from(schools).where(and(eq(schools.tenantId, tenantId), inArray(schools.id, ids)));
}

export async function updateSchool(
  db: DbOrTx,
  { tenantId, id, values }: { tenantId: string; id: string; values: Partial<SchoolValues> },
) {
  const [row] = await db
    .update(schools)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(schools.tenantId, tenantId), eq(schools.id, id)))
    .returning();
  return row;
}

export async function deleteSchool(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db
    .delete(schools)
    .where(and(eq(schools.tenantId, tenantId), eq(schools.id, id)))
    .returning({ id: schools.id, name: schools.name, slug: schools.slug });
  return row;
}

export async function listSchools(
  db: DbOrTx,
  opts: { tenantId: string; q?: string; cityKey?: string; type?: School["type"]; isPublic?: boolean; limit: number; offset: number },
) {
  const where = and(
    eq(schools.tenantId, opts.tenantId),
    opts.q ? sql`position(${opts.q} in search_text) > 0` : undefined,
    opts.cityKey ? sql`city_key = ${opts.cityKey}` : undefined,
    opts.type ? eq(schools.type, opts.type) : undefined,
    opts.isPublic === undefined ? undefined : eq(schools.isPublic, opts.isPublic),
  );
  const [rows, [total]] = await Promise.all([
    db.select().from(schools).where(where).orderBy(sql`search_name`, asc(schools.id)).limit(opts.limit).offset(opts.offset),
    db.select({ n: count() }).from(schools).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Keyset page over a tenant's schools, for the full reindex. */
export async function listSchoolsAfter(db: DbOrTx, { tenantId, afterId, limit }: { tenantId: string; afterId: string | null; limit: number }) {
  return db
    .select()
    .from(schools)
    .where(and(eq(schools.tenantId, tenantId), afterId ? gt(schools.id, afterId) : undefined))
    .orderBy(asc(schools.id))
    .limit(limit);
}

export async function findSchoolIdsBySlugs(db: DbOrTx, { tenantId, slugs }: { tenantId: string; slugs: string[] }) {
  if (slugs.length === 0) return [];
  return db
    .select({ id: schools.id, slug: schools.slug })
    .from(schools)
    .where(and(eq(schools.tenantId, tenantId), inArray(schools.slug, slugs)));
}

/** Existing slugs starting with one of `bases`, so generated slugs can avoid them. */
export async function findSlugsLike(db: DbOrTx, { tenantId, bases }: { tenantId: string; bases: string[] }) {
  if (bases.length === 0) return [];
  const rows = await db
    .select({ slug: schools.slug })
    .from(schools)
    .where(
      and(
        eq(schools.tenantId, tenantId),
        sql`${schools.slug} like any (${sql.raw("array[")}${sql.join(
          bases.map((b) => sql`${b.replace(/[\\%_]/g, (c) => `\\${c}`) + "%"}`),
          sql`, `,
        )}${sql.raw("]")})`,
      ),
    );
  return rows.map((r) => r.slug);
}

/**
 * Inserts or updates (by tenant + slug) one batch; `inserted` tells a new row from an updated
 * one (xmax is 0 only for a row this statement inserted).
 */
export async function upsertSchoolsBySlug(db: DbOrTx, { tenantId, rows }: { tenantId: string; rows: SchoolValues[] }) {
  if (rows.length === 0) return [];
  return db
    .insert(schools)
    .values(rows.map((r) => ({ ...r, tenantId })))
    .onConflictDoUpdate({
      target: [schools.tenantId, schools.slug],
      set: {
        name: sql`excluded.name`,
        type: sql`excluded.type`,
        city: sql`excluded.city`,
        district: sql`excluded.district`,
        address: sql`excluded.address`,
        latitude: sql`excluded.latitude`,
        longitude: sql`excluded.longitude`,
        phone: sql`excluded.phone`,
        email: sql`excluded.email`,
        website: sql`excluded.website`,
        tags: sql`excluded.tags`,
        isPublic: sql`excluded.is_public`,
        updatedAt: new Date(),
      },
    })
    .returning({ id: schools.id, slug: schools.slug, inserted: sql<boolean>`(xmax = 0)` });
}

/** The number assigned to each school (the most recently assigned one if several are). */
export async function findInboundNumbersOfSchools(db: DbOrTx, { tenantId, schoolIds }: { tenantId: string; schoolIds: string[] }) {
  if (schoolIds.length === 0) return new Map<string, { id: string; number: string }>();
  const rows = await db
    .select({ id: inboundNumbers.id, number: inboundNumbers.number, schoolId: inboundNumbers.schoolId })
    .from(inboundNumbers)
    .where(and(eq(inboundNumbers.tenantId, tenantId), isNotNull(inboundNumbers.schoolId), inArray(inboundNumbers.schoolId, schoolIds)))
    .orderBy(desc(sql`coalesce(${inboundNumbers.assignedAt}, ${inboundNumbers.createdAt})`));
  const out = new Map<string, { id: string; number: string }>();
  for (const r of rows) if (r.schoolId && !out.has(r.schoolId)) out.set(r.schoolId, { id: r.id, number: r.number });
  return out;
}

// ---- Postgres search engine

export interface SchoolSearchSql {
  tenantId: string;
  publicOnly: boolean;
  /** Folded city keys; any of them (empty: every city). */
  cityKeys: string[];
  /** Any of these types (empty: every type). */
  types: School["type"][];
  /**
   * Folded tokens; each must match by prefix, or — with `similar` (typo tolerance) —
   * alternatively one of those vocabulary words (see findSimilarSearchWords).
   */
  tokens: { token: string; similar: string[] | null }[];
  near: { lat: number; lng: number } | null;
  radiusKm: number | null;
  limit: number;
  offset: number;
  facetLimit: number;
}

export type SchoolSearchRow = {
  id: string;
  name: string;
  slug: string;
  type: School["type"];
  city: string;
  district: string | null;
  address: string | null;
  latitude: number | null;
  longitude: number | null;
  website: string | null;
  tags: string[];
  is_public: boolean;
  distance_km: number | null;
};

export interface SchoolSearchSqlResult {
  total: number;
  cityFacets: { value: string; count: number }[];
  typeFacets: { value: string; count: number }[];
  rows: SchoolSearchRow[];
}

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_DEGREE_LAT = 111.045;
/** Vocabulary words are lexemes of the 'simple' parser; only plain words go into a tsquery. */
const PLAIN_WORD = /^[\p{L}\p{N}]+$/u;

/**
 * Typo tolerance, step one: the words of the tenant's vocabulary (school_search_words, a few
 * thousand rows with a trigram index, kept by trigger) that resemble each token by pg_trgm word
 * similarity, most similar first. Step two is the ordinary indexed tsquery with those words.
 */
export async function findSimilarSearchWords(
  db: DbOrTx,
  { tenantId, tokens, threshold, limit }: { tenantId: string; tokens: string[]; threshold: number; limit: number },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(tokens.map((t) => [t, []]));
  if (tokens.length === 0) return out;
  const rows = await db.transaction(async (tx) => {
    // %> reads its threshold from this setting; set_config(…, true) scopes it to the transaction.
    await tx.execute(sql`select set_config('pg_trgm.word_similarity_threshold', ${String(threshold)}, true)`);
    return tx.execute<{ token: string; word: string }>(sql`
      select t.token, w.word
        from unnest(array[${sql.join(
          tokens.map((t) => sql`${t}`),
          sql`, `,
        )}]::text[]) as t(token)
       cross join lateral (
         select v.word from school_search_words v
          where v.tenant_id = ${tenantId} and v.word %> t.token
          order by word_similarity(t.token, v.word) desc, v.word
          limit ${limit}) w`);
  });
  for (const r of rows) if (PLAIN_WORD.test(r.word)) out.get(r.token)?.push(r.word);
  return out;
}

/**
 * The total, both facets (grouping sets) and one page over the same predicate: with query text
 * in one statement over a single pass of the matches; without, as two index-friendly statements
 * (facets index-only, the page walking the name index).
 */
export async function searchSchoolsSql(db: DbOrTx, p: SchoolSearchSql): Promise<SchoolSearchSqlResult> {
  const conds: SQL[] = [sql`s.tenant_id = ${p.tenantId}`];
  if (p.publicOnly) conds.push(sql`s.is_public`);
  if (p.cityKeys.length > 0) conds.push(sql`s.city_key in (${sql.join(p.cityKeys.map((k) => sql`${k}`), sql`, `)})`);
  if (p.types.length > 0) conds.push(sql`s.type in (${sql.join(p.types.map((t) => sql`${t}`), sql`, `)})`);
  // Each token as a tsquery term: its prefix, or (typo tolerance) one of its similar words.
  const terms = p.tokens.map(({ token, similar }) => {
    const words = (similar ?? []).filter((w) => w !== token && PLAIN_WORD.test(w));
    return words.length > 0 ? `(${token}:* | ${words.join(" | ")})` : `${token}:*`;
  });
  if (terms.length > 0) conds.push(sql`s.search_doc @@ to_tsquery('simple', ${terms.join(" & ")})`);
  let distance: SQL = sql`null::float8`;
  if (p.near) {
    const { lat, lng } = p.near;
    // least() ignores NULLs, so a school without a location must be caught before it.
    distance = sql`(case when s.latitude is null or s.longitude is null then null else ${2 * EARTH_RADIUS_KM} * asin(least(1, sqrt(power(sin(radians(s.latitude - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(s.latitude)) * power(sin(radians(s.longitude - ${lng}) / 2), 2)))) end)`;
    if (p.radiusKm) {
      // A bounding box first (index on latitude), then the exact great-circle distance.
      const dLat = p.radiusKm / KM_PER_DEGREE_LAT;
      conds.push(sql`s.latitude between ${lat - dLat} and ${lat + dLat}`);
      const cosLat = Math.cos((lat * Math.PI) / 180);
      const dLng = cosLat > 0.01 ? p.radiusKm / (KM_PER_DEGREE_LAT * cosLat) : 360;
      if (dLng < 180) conds.push(sql`s.longitude between ${lng - dLng} and ${lng + dLng}`);
      conds.push(sql`${distance} <= ${p.radiusKm}`);
    }
  }
  const where = sql.join(conds, sql` and `);
  const tsAll = terms.length > 0 ? terms.join(" | ") : null;
  const phrase = p.tokens.map((t) => t.token).join(" ");
  // Cheap to compute for thousands of matches: ts_rank (name weighs most) plus a boost when
  // the name starts with the query. Word similarity only ranks typo matches (a small set).
  const fuzzy = p.tokens.some((t) => t.similar !== null);
  const namePrefix = sql`case when s.search_name like ${`${phrase}%`} then 1 else 0 end`;
  // One- and two-letter queries (the first keystrokes of instant search) match most of the
  // directory; ranking them by ts_rank would cost more than it tells, so the name decides.
  const broad = p.tokens.every((t) => t.token.length < 3);
  const score = !tsAll
    ? sql`0::float8`
    : broad
      ? sql`${namePrefix}::float8`
      : sql`(ts_rank(s.search_doc, to_tsquery('simple', ${tsAll})) + ${namePrefix}${fuzzy ? sql` + word_similarity(${phrase}, s.search_name)` : sql``})`;
  const order = p.near
    ? sql`distance_km asc nulls last, score desc, s.search_name asc, s.id asc`
    : tsAll
      ? sql`score desc, s.search_name asc, s.id asc`
      : sql`s.search_name asc, s.id asc`;

  type FacetRow = { city: string | null; type: string | null; g: number; count: number };
  type PageRow = SchoolSearchRow & { score: number };
  let facetRows: FacetRow[];
  let rows: PageRow[];
  if (tsAll) {
    // Text queries: the matches are found (GIN bitmap, then one heap visit per match) once and
    // kept; the total, both facets and the ranked page all come from that one pass, and only
    // the page's rows are read again in full. Two statements would visit every match twice.
    const keys = p.near ? sql`distance_km asc nulls last, score desc, search_name asc, id asc` : sql`score desc, search_name asc, id asc`;
    const [one] = await db.execute<{ facets: FacetRow[]; rows: PageRow[] }>(sql`
      with m as materialized (
        select s.id, s.city, s.type, s.search_name, ${distance} as distance_km, ${score} as score
          from schools s where ${where}),
      f as (
        select city, type::text as type, grouping(city, type) as g, count(*)::int as count
          from m group by grouping sets ((city), (type), ())),
      p as (select id, search_name, distance_km, score from m order by ${keys} limit ${p.limit} offset ${p.offset})
      select (select coalesce(json_agg(f), '[]'::json) from f) as facets,
             (select coalesce(json_agg(r order by ${keys}), '[]'::json) from (
                select p.id, s.name, s.slug, s.type, s.city, s.district, s.address, s.latitude, s.longitude, s.website,
                       s.tags, s.is_public, p.distance_km, p.score, p.search_name
                  from p join schools s on s.id = p.id) r) as rows`);
    facetRows = one?.facets ?? [];
    rows = one?.rows ?? [];
  } else {
    // Browse and filters only: the total and facets come from an index-only scan of the facets
    // index, the page from a walk of the name index, so two statements are cheaper here.
    const facetsStatement = sql`
      select s.city as city, s.type::text as type, grouping(s.city, s.type) as g, count(*)::int as count
        from schools s where ${where}
       group by grouping sets ((s.city), (s.type), ())`;
    const pageStatement = sql`
      select s.id, s.name, s.slug, s.type, s.city, s.district, s.address, s.latitude, s.longitude, s.website, s.tags,
             s.is_public, ${distance} as distance_km, ${score} as score
        from schools s where ${where}
       order by ${order} limit ${p.limit} offset ${p.offset}`;
    [facetRows, rows] = await Promise.all([db.execute<FacetRow>(facetsStatement), db.execute<PageRow>(pageStatement)]);
  }

  const top = (key: "city" | "type", g: number) =>
    facetRows
      .filter((r) => r.g === g)
      .map((r) => ({ value: r[key]!, count: r.count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, p.facetLimit);
  return {
    // grouping(city, type): 1 = grouped by city only, 2 = by type only, 3 = the grand total.
    total: facetRows.find((r) => r.g === 3)?.count ?? 0,
    cityFacets: top("city", 1),
    typeFacets: top("type", 2),
    rows: rows.map((r) => ({
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
      is_public: r.is_public,
      distance_km: r.distance_km,
    })),
  };
}
