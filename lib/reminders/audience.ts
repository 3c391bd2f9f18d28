// Who an event's reminders go to, as a SQL condition on `contacts`: its list (static members or
// the saved segment's filter), its inline segment, or its explicit contacts.
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db";
import { eventAudienceCondition } from "@/db/queries/events";
import { findList, listMemberCondition } from "@/db/queries/lists";
import { compileSegment, type SegmentAst } from "@/db/queries/segments";
import type { EventRecord } from "@/db/schema/reminders";
import { segmentSchema } from "@/lib/validations/segments";

/** Read when it is used, so a list's or segment's changes reach the next plan. A deleted list is an empty audience. */
export async function audienceWhere(db: DbOrTx, event: EventRecord): Promise<SQL> {
  if (event.audienceKind === "list") {
    const list = event.audienceListId ? await findList(db, { tenantId: event.tenantId, id: event.audienceListId }) : undefined;
    if (!list) return sql`false`;
    return eventAudienceCondition(event, {
      listCondition: list.kind === "segment" ? compileSegment(list.segment as unknown as SegmentAst) : listMemberCondition(list.id),
    });
  }
  if (event.audienceKind === "segment") {
    const parsed = segmentSchema.safeParse(event.audienceSegment);
    return eventAudienceCondition(event, { segmentCondition: parsed.success ? compileSegment(parsed.data as SegmentAst) : sql`false` });
  }
  return eventAudienceCondition(event, {});
}
