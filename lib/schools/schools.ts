import { getDb, type DbOrTx } from "@/db";
import {
  deleteSchool as deleteSchoolRow,
  findInboundNumbersOfSchools,
  findSchool,
  findSlugsLike,
  insertSchool,
  listSchools as listSchoolRows,
  updateSchool as updateSchoolRow,
  type SchoolValues,
} from "@/db/queries/schools";
import type { School } from "@/db/schema";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvent } from "@/lib/jobs/emit";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  createSchoolBody,
  schoolListOut,
  schoolOut,
  type CreateSchoolBody,
  type ListSchoolsQuery,
  type SchoolOut,
  type UpdateSchoolBody,
} from "@/lib/validations/schools";
import { foldText, slugify } from "./fold";

export function toSchoolOut(row: School, inboundNumber: { id: string; number: string } | null): SchoolOut {
  return schoolOut.parse({
    id: row.id,
    name: row.name,
    slug: row.slug,
    type: row.type,
    city: row.city,
    district: row.district,
    address: row.address,
    latitude: row.latitude,
    longitude: row.longitude,
    website: row.website,
    tags: row.tags,
    is_public: row.isPublic,
    phone: row.phone,
    email: row.email,
    inbound_number: inboundNumber,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  });
}

export function toSchoolValues(body: CreateSchoolBody, slug: string): SchoolValues {
  return {
    name: body.name,
    slug,
    type: body.type,
    city: body.city,
    district: body.district ?? null,
    address: body.address ?? null,
    latitude: body.latitude ?? null,
    longitude: body.longitude ?? null,
    phone: body.phone ?? null,
    email: body.email ?? null,
    website: body.website ?? null,
    tags: body.tags ?? [],
    isPublic: body.is_public ?? true,
  };
}

export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/** The slug a school gets when none is given: name and city, as the CSV import derives it too. */
export function derivedSchoolSlug(name: string, city: string): string {
  return slugify(`${name} ${city}`) || "school";
}

/** The derived slug, with -2, -3… if it is taken. */
export async function generateSchoolSlug(db: DbOrTx, tenantId: string, name: string, city: string): Promise<string> {
  const base = derivedSchoolSlug(name, city);
  const taken = new Set(await findSlugsLike(db, { tenantId, bases: [base] }));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

async function emitSchoolsChanged(tx: DbOrTx, ctx: TenantContext, schoolIds: string[]) {
  await emitEvent("herald/schools.changed", { tenantId: ctx.tenantId, schoolIds }, { db: tx, tenantId: ctx.tenantId });
}

function slugConflict(slug: string, cause: unknown) {
  return new ApiError({
    code: "conflict",
    message: `A school with the slug "${slug}" already exists`,
    details: [{ path: "slug", message: "Slug already in use" }],
    cause,
  });
}

export async function createSchool(ctx: TenantContext, body: CreateSchoolBody): Promise<SchoolOut> {
  const db = getDb();
  const slug = body.slug ?? (await generateSchoolSlug(db, ctx.tenantId, body.name, body.city));
  try {
    const row = await db.transaction(async (tx) => {
      const row = await insertSchool(tx, { tenantId: ctx.tenantId, values: toSchoolValues(body, slug) });
      await recordAudit(tx, ctx, { action: "school.created", targetType: "school", targetId: row.id, details: { name: row.name, slug } });
      await emitSchoolsChanged(tx, ctx, [row.id]);
      return row;
    });
    return toSchoolOut(row, null);
  } catch (err) {
    if (isUniqueViolation(err)) throw slugConflict(slug, err);
    throw err;
  }
}

export async function getSchool(ctx: TenantContext, id: string): Promise<SchoolOut> {
  const db = getDb();
  const row = await findSchool(db, { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("School");
  const numbers = await findInboundNumbersOfSchools(db, { tenantId: ctx.tenantId, schoolIds: [id] });
  return toSchoolOut(row, numbers.get(id) ?? null);
}

export async function updateSchool(ctx: TenantContext, id: string, patch: UpdateSchoolBody): Promise<SchoolOut> {
  const db = getDb();
  try {
    const row = await db.transaction(async (tx) => {
      const current = await findSchool(tx, { tenantId: ctx.tenantId, id });
      if (!current) throw ApiError.notFound("School");
      const present = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && !(k === "slug" && v === null)));
      // The merged school is validated as a whole, so e.g. a lone latitude can't slip in via PATCH.
      const merged = createSchoolBody.parse({
        name: current.name,
        slug: current.slug,
        type: current.type,
        city: current.city,
        district: current.district,
        address: current.address,
        latitude: current.latitude,
        longitude: current.longitude,
        phone: current.phone,
        email: current.email,
        website: current.website,
        tags: current.tags,
        is_public: current.isPublic,
        ...present,
      });
      const values = toSchoolValues(merged, merged.slug ?? current.slug);
      const changed = (Object.keys(values) as (keyof SchoolValues)[]).filter(
        (k) => JSON.stringify(values[k]) !== JSON.stringify(current[k as keyof School]),
      );
      if (changed.length === 0) return current;
      const row = await updateSchoolRow(tx, { tenantId: ctx.tenantId, id, values });
      if (!row) throw ApiError.notFound("School");
      await recordAudit(tx, ctx, { action: "school.updated", targetType: "school", targetId: id, details: { changed } });
      await emitSchoolsChanged(tx, ctx, [id]);
      return row;
    });
    const numbers = await findInboundNumbersOfSchools(db, { tenantId: ctx.tenantId, schoolIds: [id] });
    return toSchoolOut(row, numbers.get(id) ?? null);
  } catch (err) {
    if (isUniqueViolation(err)) throw slugConflict(String(patch.slug), err);
    throw err;
  }
}

export async function deleteSchool(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const row = await deleteSchoolRow(tx, { tenantId: ctx.tenantId, id });
    if (!row) throw ApiError.notFound("School");
    await recordAudit(tx, ctx, { action: "school.deleted", targetType: "school", targetId: id, details: { name: row.name, slug: row.slug } });
    await emitSchoolsChanged(tx, ctx, [id]);
  });
}

export async function listSchools(ctx: TenantContext, query: ListSchoolsQuery) {
  const db = getDb();
  const { rows, total } = await listSchoolRows(db, {
    tenantId: ctx.tenantId,
    q: query.q ? foldText(query.q) : undefined,
    cityKey: query.city ? foldText(query.city) : undefined,
    type: query.type,
    isPublic: query.is_public,
    limit: query.per_page,
    offset: (query.page - 1) * query.per_page,
  });
  const numbers = await findInboundNumbersOfSchools(db, { tenantId: ctx.tenantId, schoolIds: rows.map((r) => r.id) });
  return schoolListOut.parse({
    data: rows.map((r) => toSchoolOut(r, numbers.get(r.id) ?? null)),
    page: query.page,
    per_page: query.per_page,
    total,
  });
}
