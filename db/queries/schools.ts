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
  cityKey: string | null;
  type: School["type"] | null;
  /**
   * Folded tokens; each must match by prefix, or — with `fuzzy` — alternatively by trigram word
   * similarity (typo tolerance).
   */
  tokens: { token: string; fuzzy: boolean }[];
  near: { lat: number; lng: number } | null;
  radiusKm: number | null;
  limit: number;
  offset: number;
  facetLimit: number;
  wordSimilarityThreshold: number;
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
/** Caps the trigram candidates per misspelt token: the fallback stays bounded on huge tenants. */
const FUZZY_CANDIDATE_LIMIT = 10_000;

/**
 * Two statements over the same predicate: one pass with grouping sets for the total and both
 * facets, and the page (which can walk the name index when there is no query text).
 */
export async function searchSchoolsSql(db: DbOrTx, p: SchoolSearchSql): Promise<SchoolSearchSqlResult> {
  const conds: SQL[] = [sql`s.tenant_id = ${p.tenantId}`];
  if (p.publicOnly) conds.push(sql`s.is_public`);
  if (p.cityKey) conds.push(sql`s.city_key = ${p.cityKey}`);
  if (p.type) conds.push(sql`s.type = ${p.type}`);
  const exact = p.tokens.filter((t) => !t.fuzzy);
  if (exact.length > 0) conds.push(sql`s.search_doc @@ to_tsquery('simple', ${exact.map((t) => `${t.token}:*`).join(" & ")})`);
  for (const { token } of p.tokens.filter((t) => t.fuzzy)) {
    // An OR of the two index conditions is costed as a sequential scan (pg_trgm's operator
    // claims to be cheap, its recheck is not), so each alternative is its own index lookup.
    // = any(array(…)) runs once and then probes the primary key, instead of a semi-join that
    // scans the tenant's table.
    conds.push(sql`s.id = any(array(
      select f.id from schools f where f.tenant_id = ${p.tenantId} and f.search_doc @@ to_tsquery('simple', ${`${token}:*`})
      union
      (select f.id from schools f where f.tenant_id = ${p.tenantId} and f.search_text %> ${token} limit ${FUZZY_CANDIDATE_LIMIT})))`);
  }
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
  const tsAll = p.tokens.length > 0 ? p.tokens.map((t) => `${t.token}:*`).join(" | ") : null;
  const phrase = p.tokens.map((t) => t.token).join(" ");
  // Cheap to compute for thousands of matches: ts_rank (name weighs most) plus a boost when
  // the name starts with the query. Word similarity only ranks typo matches (a small set).
  const fuzzy = p.tokens.some((t) => t.fuzzy);
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

  const facetsStatement = sql`
    select s.city as city, s.type::text as type, grouping(s.city, s.type) as g, count(*)::int as count
      from schools s where ${where}
     group by grouping sets ((s.city), (s.type), ())`;
  const pageStatement = sql`
    select s.id, s.name, s.slug, s.type, s.city, s.district, s.address, s.latitude, s.longitude, s.website, s.tags,
           s.is_public, ${distance} as distance_km, ${score} as score
      from schools s where ${where}
     order by ${order} limit ${p.limit} offset ${p.offset}`;

  type FacetRow = { city: string | null; type: string | null; g: number; count: number };
  const [facetRows, rows] = fuzzy
    ? await db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('pg_trgm.word_similarity_threshold', ${String(p.wordSimilarityThreshold)}, true)`);
        const f = await tx.execute<FacetRow>(facetsStatement);
        const r = await tx.execute<SchoolSearchRow & { score: number }>(pageStatement);
        return [f, r] as const;
      })
    : await Promise.all([db.execute<FacetRow>(facetsStatement), db.execute<SchoolSearchRow & { score: number }>(pageStatement)]);

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
    rows: rows.map((r) => ({ ...r, tags: r.tags ?? [] })),
  };
}
