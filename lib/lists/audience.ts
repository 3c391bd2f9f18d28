// Who a bulk send (reminders, campaigns) goes to: a list, a segment or explicit contacts,
// streamed as pages of contact ids so no caller holds a whole audience in memory.
import { getDb } from "@/db";
import { contactIdsCondition, findList, listMemberCondition, pageContactIds } from "@/db/queries/lists";
import { compileSegment, type SegmentAst } from "@/db/queries/segments";
import { ApiError } from "@/lib/api/errors";
import { isUuid } from "@/lib/validations/common";
import { segmentSchema, type SegmentNode } from "@/lib/validations/segments";

export type AudienceInput =
  | { tenantId: string; listId: string; segment?: never; contactIds?: never }
  | { tenantId: string; segment: SegmentNode; listId?: never; contactIds?: never }
  | { tenantId: string; contactIds: string[]; listId?: never; segment?: never };

/**
 * Yields pages (≤ `pageSize`, default 1,000) of the audience's contact ids in id order, each
 * page read with its own keyset query: contacts added while it runs after the cursor are
 * included, erased ones drop out. Explicit ids are filtered to the tenant's existing contacts.
 * Throws 404 for another tenant's list.
 */
export async function* resolveAudience(input: AudienceInput, opts: { pageSize?: number } = {}): AsyncGenerator<string[]> {
  const pageSize = Math.min(Math.max(opts.pageSize ?? 1000, 1), 10_000);
  const db = getDb();
  let where;
  if (input.listId !== undefined) {
    const list = await findList(db, { tenantId: input.tenantId, id: input.listId });
    if (!list) throw ApiError.notFound("List");
    where = list.kind === "segment" ? compileSegment(list.segment as unknown as SegmentAst) : listMemberCondition(list.id);
  } else if (input.segment !== undefined) {
    where = compileSegment(segmentSchema.parse(input.segment) as SegmentAst);
  } else {
    where = contactIdsCondition([...new Set(input.contactIds)].filter(isUuid));
  }
  let afterId: string | null = null;
  for (;;) {
    const page = await pageContactIds(db, { tenantId: input.tenantId, where, afterId, limit: pageSize });
    if (page.length === 0) return;
    yield page;
    if (page.length < pageSize) return;
    afterId = page[page.length - 1]!;
  }
}
