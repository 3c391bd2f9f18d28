import { and, desc, eq, lt } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { auditLog } from "../schema";

export type AuditInsert = typeof auditLog.$inferInsert;

export async function insertAuditEntry(db: DbOrTx, entry: AuditInsert) {
  await db.insert(auditLog).values(entry);
}

export async function listAuditEntries(
  db: DbOrTx,
  { tenantId, before, limit }: { tenantId: string; before?: number; limit: number },
) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), before ? lt(auditLog.id, before) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
