// Templates of a tenant: create (race-safe on the key), edit the draft, publish immutable versions, roll back.
import { getDb } from "@/db";
import {
  deleteTemplate as deleteTemplateRow,
  findTemplateByKey,
  findTemplateVersion,
  insertTemplate,
  insertTemplateVersion,
  listTemplates as listTemplateRows,
  listTemplateVersions,
  updateTemplate,
} from "@/db/queries/templates";
import type { Template, TemplateContent } from "@/db/schema/templates";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { actorLabel, actorUserId, type TenantContext } from "@/lib/tenancy/context";
import {
  templateOut,
  type CreateTemplateBody,
  type PatchTemplateBody,
  type TemplateOut,
  type TemplateVersionOut,
} from "@/lib/validations/templates";
import { TemplateSyntaxError } from "./liquid";
import { compileContent } from "./render";

const channelOrder = ["email", "sms", "push", "whatsapp"] as const;

export function templateJson(t: Template, publishedContent?: TemplateContent | null): TemplateOut {
  const channels = channelOrder.filter((c) => Object.values(t.draft.locales).some((l) => l[c] !== undefined));
  return templateOut.parse({
    id: t.id,
    key: t.key,
    name: t.name,
    description: t.description,
    category: t.category,
    channels,
    locales: Object.keys(t.draft.locales),
    draft: t.draft,
    published_version: t.publishedVersion,
    latest_version: t.latestVersion,
    has_unpublished_changes: publishedContent === undefined ? t.publishedVersion === null : !sameContent(t.draft, publishedContent),
    draft_updated_at: t.draftUpdatedAt.toISOString(),
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  });
}

function sameContent(a: TemplateContent, b: TemplateContent | null): boolean {
  return b !== null && JSON.stringify(a) === JSON.stringify(b);
}

/** A draft must compile: a Liquid syntax error answers 422 naming the field, before anything is stored. */
function checkCompiles(content: TemplateContent): void {
  try {
    compileContent(content);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) {
      throw new ApiError({
        code: "TEMPLATE_SYNTAX_ERROR",
        status: 422,
        message: `The template does not compile: ${err.message}`,
        details: [{ path: `content.${err.field}`, message: err.message }],
        cause: err,
      });
    }
    throw err;
  }
}

export async function mustFindTemplate(ctx: TenantContext, key: string, opts: { forUpdate?: boolean; db?: Parameters<typeof findTemplateByKey>[0] } = {}) {
  const row = await findTemplateByKey(opts.db ?? getDb(), { tenantId: ctx.tenantId, key, forUpdate: opts.forUpdate });
  if (!row) throw ApiError.notFound("Template");
  return row;
}

async function publishedContentOf(t: Template): Promise<TemplateContent | null> {
  if (t.publishedVersion === null) return null;
  const v = await findTemplateVersion(getDb(), { tenantId: t.tenantId, templateId: t.id, version: t.publishedVersion });
  return v?.content ?? null;
}

export async function listTemplates(ctx: TenantContext, query: { q?: string; category?: Template["category"] }): Promise<TemplateOut[]> {
  const rows = await listTemplateRows(getDb(), { tenantId: ctx.tenantId, ...query });
  return rows.map((r) => templateJson(r));
}

export async function getTemplate(ctx: TenantContext, key: string): Promise<TemplateOut> {
  const t = await mustFindTemplate(ctx, key);
  return templateJson(t, await publishedContentOf(t));
}

/** Two creates of one key at once: exactly one wins (the unique index), the other answers 409. */
export async function createTemplate(ctx: TenantContext, input: CreateTemplateBody): Promise<TemplateOut> {
  checkCompiles(input.content);
  return getDb().transaction(async (tx) => {
    const row = await insertTemplate(tx, {
      tenantId: ctx.tenantId,
      key: input.key,
      name: input.name,
      description: input.description ?? "",
      category: input.category ?? "transactional",
      draft: input.content,
      createdBy: actorUserId(ctx.actor),
    });
    if (!row) {
      throw ApiError.conflict(`A template with the key ${input.key} already exists`, [{ path: "key", message: "This key is taken" }]);
    }
    await recordAudit(tx, ctx, { action: "template.created", targetType: "template", targetId: row.id, details: { key: row.key } });
    return templateJson(row);
  });
}

export async function patchTemplate(ctx: TenantContext, key: string, input: PatchTemplateBody): Promise<TemplateOut> {
  if (input.content) checkCompiles(input.content);
  const row = await getDb().transaction(async (tx) => {
    const t = await mustFindTemplate(ctx, key, { forUpdate: true, db: tx });
    const updated = await updateTemplate(tx, {
      tenantId: ctx.tenantId,
      id: t.id,
      values: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.category !== undefined ? { category: input.category } : {}),
        ...(input.content !== undefined ? { draft: input.content, draftUpdatedAt: new Date() } : {}),
      },
    });
    await recordAudit(tx, ctx, { action: "template.updated", targetType: "template", targetId: t.id, details: { key, fields: Object.keys(input) } });
    return updated!;
  });
  return templateJson(row, await publishedContentOf(row));
}

export async function deleteTemplate(ctx: TenantContext, key: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const t = await mustFindTemplate(ctx, key, { forUpdate: true, db: tx });
    await deleteTemplateRow(tx, { tenantId: ctx.tenantId, id: t.id });
    await recordAudit(tx, ctx, { action: "template.deleted", targetType: "template", targetId: t.id, details: { key } });
  });
}

/**
 * Freezes the draft as the next version and makes it the one sends render. The template row is
 * locked, so concurrent publishes get consecutive numbers.
 */
export async function publishTemplate(ctx: TenantContext, key: string, input: { note?: string }): Promise<TemplateOut & { version: number }> {
  return getDb().transaction(async (tx) => {
    const t = await mustFindTemplate(ctx, key, { forUpdate: true, db: tx });
    checkCompiles(t.draft);
    const version = t.latestVersion + 1;
    await insertTemplateVersion(tx, {
      tenantId: ctx.tenantId,
      templateId: t.id,
      version,
      content: t.draft,
      note: input.note ?? "",
      publishedBy: actorLabel(ctx.actor),
    });
    const updated = await updateTemplate(tx, { tenantId: ctx.tenantId, id: t.id, values: { latestVersion: version, publishedVersion: version } });
    await recordAudit(tx, ctx, { action: "template.published", targetType: "template", targetId: t.id, details: { key, version } });
    return { ...templateJson(updated!, t.draft), version };
  });
}

/** Makes an earlier version the published one again and loads its content into the draft. */
export async function rollbackTemplate(ctx: TenantContext, key: string, version: number): Promise<TemplateOut> {
  return getDb().transaction(async (tx) => {
    const t = await mustFindTemplate(ctx, key, { forUpdate: true, db: tx });
    const v = await findTemplateVersion(tx, { tenantId: ctx.tenantId, templateId: t.id, version });
    if (!v) {
      throw new ApiError({
        code: "validation_failed",
        message: `Version ${version} of ${key} does not exist`,
        details: [{ path: "version", message: `Published versions are 1–${t.latestVersion}` }],
      });
    }
    const updated = await updateTemplate(tx, {
      tenantId: ctx.tenantId,
      id: t.id,
      values: { publishedVersion: version, draft: v.content, draftUpdatedAt: new Date() },
    });
    await recordAudit(tx, ctx, { action: "template.rolled_back", targetType: "template", targetId: t.id, details: { key, from: t.publishedVersion, to: version } });
    return templateJson(updated!, v.content);
  });
}

export async function listVersions(ctx: TenantContext, key: string): Promise<TemplateVersionOut[]> {
  const t = await mustFindTemplate(ctx, key);
  const rows = await listTemplateVersions(getDb(), { tenantId: ctx.tenantId, templateId: t.id });
  return rows.map((r) => ({
    version: r.version,
    note: r.note,
    published_by: r.publishedBy,
    published_at: r.publishedAt.toISOString(),
    current: r.version === t.publishedVersion,
  }));
}
