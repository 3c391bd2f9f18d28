// Pumping blocks as admins see them: list, and lift one (audited).
import { getDb } from "@/db";
import { findBlock, listBlocks, unblock } from "@/db/queries/otp";
import type { OtpBlock } from "@/db/schema/otp";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { actorLabel, type TenantContext } from "@/lib/tenancy/context";

export function blockJson(b: OtpBlock) {
  return {
    id: b.id,
    kind: b.kind,
    value: b.value,
    reason: b.reason,
    stats: b.stats,
    active: b.unblockedAt === null,
    created_at: b.createdAt.toISOString(),
    unblocked_at: b.unblockedAt?.toISOString() ?? null,
    unblocked_by: b.unblockedBy,
  };
}

export async function listOtpBlocks(ctx: TenantContext) {
  return { data: (await listBlocks(getDb(), { tenantId: ctx.tenantId })).map(blockJson) };
}

export async function unblockOtpDestination(ctx: TenantContext, id: string) {
  const row = await getDb().transaction(async (tx) => {
    const lifted = await unblock(tx, { tenantId: ctx.tenantId, id, by: actorLabel(ctx.actor) });
    if (!lifted) return undefined;
    await recordAudit(tx, ctx, { action: "otp_block.lifted", targetType: "otp_block", targetId: id, details: { kind: lifted.kind, value: lifted.value } });
    return lifted;
  });
  if (row) return blockJson(row);
  const existing = await findBlock(getDb(), { tenantId: ctx.tenantId, id });
  if (!existing) throw ApiError.notFound("Block");
  throw new ApiError({ code: "conflict", status: 409, message: "This block was already lifted." });
}
