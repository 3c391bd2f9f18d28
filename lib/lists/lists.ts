// Static lists and saved segments of a tenant's contacts.
import { getDb } from "@/db";
import { countContacts, searchContacts } from "@/db/queries/contacts";
import { addListMembers, deleteList as deleteListRow, findList, insertList, listLists as listListRows, removeListMembers, updateList as updateListRow } from "@/db/queries/lists";
import { compileSegment, type SegmentAst } from "@/db/queries/segments";
import type { ContactList } from "@/db/schema/contacts";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { toContactOut } from "@/lib/contacts/contacts";
import { isUniqueViolation } from "@/lib/schools/schools";
import type { TenantContext } from "@/lib/tenancy/context";
import { contactListOut, type ContactListOut } from "@/lib/validations/contacts";
import { listOut, membersChangeOut, segmentPreviewOut, type CreateListBody, type ListMembersBody, type ListOut, type SegmentPreviewOut, type UpdateListBody } from "@/lib/validations/lists";
import type { SegmentNode } from "@/lib/validations/segments";

function toListOut(row: ContactList, count: number): ListOut {
  return listOut.parse({
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    segment: row.segment,
    count,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  });
}

function nameConflict(name: string, cause: unknown) {
  return new ApiError({ code: "conflict", message: `A list named "${name}" already exists`, details: [{ path: "name", message: "Name already in use" }], cause });
}

/** The SQL condition selecting a list's members (static: membership; segment: its filter). */
export function audienceCondition(list: ContactList) {
  if (list.kind === "segment") return compileSegment(list.segment as unknown as SegmentAst);
  return undefined;
}

async function countOf(tenantId: string, list: ContactList): Promise<number> {
  const db = getDb();
  return list.kind === "segment" ? countContacts(db, { tenantId, where: audienceCondition(list) }) : countContacts(db, { tenantId, listId: list.id });
}

export async function mustFindList(ctx: TenantContext, id: string): Promise<ContactList> {
  const row = await findList(getDb(), { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("List");
  return row;
}

export async function createList(ctx: TenantContext, body: CreateListBody): Promise<ListOut> {
  try {
    const row = await getDb().transaction(async (tx) => {
      const row = await insertList(tx, {
        tenantId: ctx.tenantId,
        name: body.name,
        description: body.description ?? null,
        kind: body.kind,
        segment: body.kind === "segment" ? (body.segment as unknown as Record<string, unknown>) : null,
      });
      await recordAudit(tx, ctx, { action: "list.created", targetType: "list", targetId: row.id, details: { name: row.name, kind: row.kind } });
      return row;
    });
    return toListOut(row, await countOf(ctx.tenantId, row));
  } catch (err) {
    if (isUniqueViolation(err)) throw nameConflict(body.name, err);
    throw err;
  }
}

export async function listLists(ctx: TenantContext): Promise<{ data: ListOut[] }> {
  const rows = await listListRows(getDb(), { tenantId: ctx.tenantId });
  const data = await Promise.all(rows.map(async (r) => toListOut(r.list, r.list.kind === "segment" ? await countOf(ctx.tenantId, r.list) : r.members)));
  return { data };
}

export async function getList(ctx: TenantContext, id: string): Promise<ListOut> {
  const row = await mustFindList(ctx, id);
  return toListOut(row, await countOf(ctx.tenantId, row));
}

export async function updateList(ctx: TenantContext, id: string, body: UpdateListBody): Promise<ListOut> {
  const current = await mustFindList(ctx, id);
  if (body.segment !== undefined && current.kind !== "segment") {
    throw new ApiError({ code: "validation_failed", message: "A static list has no segment", details: [{ path: "segment", message: "Only segments have a filter" }] });
  }
  try {
    const row = await getDb().transaction(async (tx) => {
      const row = await updateListRow(tx, {
        tenantId: ctx.tenantId,
        id,
        values: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.segment !== undefined ? { segment: body.segment as unknown as Record<string, unknown> } : {}),
        },
      });
      if (!row) throw ApiError.notFound("List");
      await recordAudit(tx, ctx, { action: "list.updated", targetType: "list", targetId: id, details: { fields: Object.keys(body) } });
      return row;
    });
    return toListOut(row, await countOf(ctx.tenantId, row));
  } catch (err) {
    if (isUniqueViolation(err)) throw nameConflict(String(body.name), err);
    throw err;
  }
}

export async function deleteList(ctx: TenantContext, id: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const row = await deleteListRow(tx, { tenantId: ctx.tenantId, id });
    if (!row) throw ApiError.notFound("List");
    await recordAudit(tx, ctx, { action: "list.deleted", targetType: "list", targetId: id });
  });
}

function staticOnly(list: ContactList) {
  if (list.kind !== "static") {
    throw new ApiError({ code: "conflict", message: "A segment's members follow from its filter; change the segment instead" });
  }
}

function notFound(body: ListMembersBody, found: { id: string; external_id: string | null }[]) {
  const ids = new Set(found.map((f) => f.id));
  const exts = new Set(found.map((f) => f.external_id));
  return { contact_ids: (body.contact_ids ?? []).filter((i) => !ids.has(i)), external_ids: (body.external_ids ?? []).filter((e) => !exts.has(e)) };
}

/** Adds up to 10,000 contacts (by id and/or external id) in one statement; unknown ones are listed. */
export async function addMembers(ctx: TenantContext, listId: string, body: ListMembersBody) {
  const list = await mustFindList(ctx, listId);
  staticOnly(list);
  return getDb().transaction(async (tx) => {
    const r = await addListMembers(tx, { tenantId: ctx.tenantId, listId, ids: body.contact_ids ?? [], externalIds: body.external_ids ?? [] });
    await recordAudit(tx, ctx, { action: "list.members_added", targetType: "list", targetId: listId, details: { added: r.added } });
    return membersChangeOut.parse({ added: r.added, not_found: notFound(body, r.found) });
  });
}

export async function removeMembers(ctx: TenantContext, listId: string, body: ListMembersBody) {
  const list = await mustFindList(ctx, listId);
  staticOnly(list);
  return getDb().transaction(async (tx) => {
    const r = await removeListMembers(tx, { tenantId: ctx.tenantId, listId, ids: body.contact_ids ?? [], externalIds: body.external_ids ?? [] });
    await recordAudit(tx, ctx, { action: "list.members_removed", targetType: "list", targetId: listId, details: { removed: r.removed } });
    return membersChangeOut.parse({ removed: r.removed, not_found: notFound(body, r.found) });
  });
}

/** A page of a list's (or segment's) members, newest first. */
export async function listMembers(ctx: TenantContext, listId: string, q: { cursor?: string; limit: number }): Promise<ContactListOut> {
  const list = await mustFindList(ctx, listId);
  const rows = await searchContacts(getDb(), {
    tenantId: ctx.tenantId,
    ...(list.kind === "static" ? { listId } : { where: audienceCondition(list) }),
    afterId: q.cursor,
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return contactListOut.parse({ data: page.map(toContactOut), next_cursor: rows.length > q.limit ? page.at(-1)!.id : null });
}

/** How many contacts a segment matches now, and the newest few. */
export async function previewSegment(ctx: TenantContext, segment: SegmentNode): Promise<SegmentPreviewOut> {
  const where = compileSegment(segment as SegmentAst);
  const db = getDb();
  const [count, sample] = await Promise.all([countContacts(db, { tenantId: ctx.tenantId, where }), searchContacts(db, { tenantId: ctx.tenantId, where, limit: 10 })]);
  return segmentPreviewOut.parse({ count, sample: sample.map(toContactOut) });
}
