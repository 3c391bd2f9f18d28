// Queries of templates and their published versions.
import { and, asc, desc, eq, ilike, inArray, or, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { templates, templateVersions, type NewTemplate, type Template, type TemplateCategory, type TemplateVersion } from "../schema";

/** Inserts unless the tenant already has the key (the unique index decides races); undefined when taken. */
export async function insertTemplate(db: DbOrTx, row: NewTemplate & { tenantId: string; key: string }): Promise<Template | undefined> {
  try {
    const [inserted] = await db.insert(templates).values(row).onConflictDoNothing({ target: [templates.tenantId, templates.key] }).returning();
    return inserted;
  } catch (err) {
    throw new Error("inserting a template failed", { cause: err });
  }
}

export async function listTemplates(db: DbOrTx, { tenantId, q, category }: { tenantId: string; q?: string; category?: TemplateCategory }) {
  const where: SQL[] = [eq(templates.tenantId, tenantId)];
  if (category) where.push(eq(templates.category, category));
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(templates.key, like), ilike(templates.name, like))!);
  }
  return db.select().from(templates).where(and(...where)).orderBy(desc(templates.updatedAt), asc(templates.key)).limit(500);
}

export async function findTemplateByKey(db: DbOrTx, { tenantId, key, forUpdate }: { tenantId: string; key: string; forUpdate?: boolean }) {
  const q = db.select().from(templates).where(and(eq(templates.tenantId, tenantId), eq(templates.key, key)));
  const [row] = forUpdate ? await q.for("update") : await q;
  return row;
}

export async function updateTemplate(
  db: DbOrTx,
  { tenantId, id, values }: { tenantId: string; id: string; values: Partial<Omit<Template, "id" | "tenantId" | "key" | "createdAt">> },
) {
  const [row] = await db
    .update(templates)
    .set(values)
    .where(and(eq(templates.tenantId, tenantId), eq(templates.id, id)))
    .returning();
  return row;
}

export async function deleteTemplate(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.delete(templates).where(and(eq(templates.tenantId, tenantId), eq(templates.id, id))).returning({ id: templates.id });
  return row;
}

export async function insertTemplateVersion(db: DbOrTx, row: Omit<TemplateVersion, "id" | "publishedAt">) {
  const [inserted] = await db.insert(templateVersions).values(row).returning();
  return inserted!;
}

export async function listTemplateVersions(db: DbOrTx, { tenantId, templateId }: { tenantId: string; templateId: string }) {
  return db
    .select({
      version: templateVersions.version,
      note: templateVersions.note,
      publishedBy: templateVersions.publishedBy,
      publishedAt: templateVersions.publishedAt,
    })
    .from(templateVersions)
    .where(and(eq(templateVersions.tenantId, tenantId), eq(templateVersions.templateId, templateId)))
    .orderBy(desc(templateVersions.version));
}

export async function findTemplateVersion(db: DbOrTx, { tenantId, templateId, version }: { tenantId: string; templateId: string; version: number }) {
  const [row] = await db
    .select()
    .from(templateVersions)
    .where(and(eq(templateVersions.tenantId, tenantId), eq(templateVersions.templateId, templateId), eq(templateVersions.version, version)));
  return row;
}

/** For sends: each key's template with its published version's content (null content when never published). */
export async function findPublishedTemplates(db: DbOrTx, { tenantId, keys }: { tenantId: string; keys: string[] }) {
  if (keys.length === 0) return [];
  return db
    .select({
      id: templates.id,
      key: templates.key,
      category: templates.category,
      publishedVersion: templates.publishedVersion,
      versionId: templateVersions.id,
      content: templateVersions.content,
    })
    .from(templates)
    .leftJoin(
      templateVersions,
      and(eq(templateVersions.templateId, templates.id), eq(templateVersions.version, templates.publishedVersion)),
    )
    .where(and(eq(templates.tenantId, tenantId), inArray(templates.key, keys)));
}

/** Category per key, for the subscription check of sends that name a contact. */
export async function findTemplateCategories(db: DbOrTx, { tenantId, keys }: { tenantId: string; keys: string[] }) {
  if (keys.length === 0) return [];
  return db.select({ key: templates.key, category: templates.category }).from(templates).where(and(eq(templates.tenantId, tenantId), inArray(templates.key, keys)));
}
