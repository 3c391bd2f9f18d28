import { createHash, randomBytes } from "node:crypto";
import { BoundedMap } from "@/lib/bounded-map";
import { getDb } from "@/db";
import { lockKeyForTransaction } from "@/db/queries/locks";
import {
  findActiveTelephonyToken,
  findActiveTelephonyTokenByHash,
  insertTelephonyToken,
  markTelephonyTokenUsed,
  revokeActiveTelephonyTokens,
} from "@/db/queries/telephony";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { logger } from "@/lib/logger";
import { actorUserId, type TenantContext } from "@/lib/tenancy/context";
import type { TelephonyTokenStatus } from "@/lib/validations/telephony";

const TOKEN_PREFIX = "htt_";

export function hashTelephonyToken(token: string): string {
  // 256-bit random tokens: a fast hash is enough, and keeps ingest auth to one indexed read.
  return createHash("sha256").update(token).digest("hex");
}

export async function getTelephonyTokenStatus(ctx: TenantContext): Promise<TelephonyTokenStatus> {
  const row = await findActiveTelephonyToken(getDb(), { tenantId: ctx.tenantId });
  return {
    active: Boolean(row),
    prefix: row?.prefix ?? null,
    created_at: row?.createdAt.toISOString() ?? null,
    last_used_at: row?.lastUsedAt?.toISOString() ?? null,
  };
}

/**
 * Creates the tenant's telephony token, revoking the current one in the same transaction
 * (rotation). The raw token is returned once; only its hash is stored.
 */
export async function rotateTelephonyToken(ctx: TenantContext): Promise<TelephonyTokenStatus & { token: string }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const prefix = token.slice(0, TOKEN_PREFIX.length + 8);
  return getDb().transaction(async (tx) => {
    // Concurrent rotations take turns: each revokes the previous token and inserts its own, so
    // the one-active-token index never sees two inserts racing (the last rotation wins).
    await lockKeyForTransaction(tx, { key: `telephony_token:${ctx.tenantId}` });
    const revoked = await revokeActiveTelephonyTokens(tx, { tenantId: ctx.tenantId });
    const row = await insertTelephonyToken(tx, {
      tenantId: ctx.tenantId,
      prefix,
      tokenHash: hashTelephonyToken(token),
      createdBy: actorUserId(ctx.actor),
    });
    await recordAudit(tx, ctx, {
      action: revoked.length > 0 ? "telephony_token.rotated" : "telephony_token.created",
      targetType: "telephony_token",
      targetId: row.id,
      details: { prefix, revoked_prefixes: revoked.map((r) => r.prefix) },
    });
    return { active: true, prefix, created_at: row.createdAt.toISOString(), last_used_at: null, token };
  });
}

export async function revokeTelephonyToken(ctx: TenantContext): Promise<void> {
  await getDb().transaction(async (tx) => {
    const revoked = await revokeActiveTelephonyTokens(tx, { tenantId: ctx.tenantId });
    if (revoked.length === 0) throw ApiError.notFound("Telephony token");
    await recordAudit(tx, ctx, {
      action: "telephony_token.revoked",
      targetType: "telephony_token",
      targetId: revoked[0]!.id,
      details: { prefix: revoked[0]!.prefix },
    });
  });
}

export interface TelephonyCaller {
  tokenId: string;
  tenantId: string;
  tenantSlug: string;
}

const USAGE_RECORD_INTERVAL_MS = 60_000;
// Keyed by authenticated ids, but bounded anyway: ids come and go with rotation.
const lastRecorded = new BoundedMap<string, number>(10_000);

/** The tenant behind an X-API-TOKEN value, or null for a missing, unknown or revoked token. */
export async function authenticateTelephonyToken(raw: string | null): Promise<TelephonyCaller | null> {
  if (!raw || !raw.startsWith(TOKEN_PREFIX) || raw.length > 200) return null;
  const row = await findActiveTelephonyTokenByHash(getDb(), { tokenHash: hashTelephonyToken(raw) });
  if (!row) return null;
  const now = Date.now();
  // "Last used" is advisory: at most one write a minute per token and process, off the request path.
  if ((lastRecorded.get(row.id) ?? 0) + USAGE_RECORD_INTERVAL_MS < now) {
    lastRecorded.set(row.id, now);
    markTelephonyTokenUsed(getDb(), { tenantId: row.tenantId, id: row.id, usedAt: new Date(now) }).catch((err) =>
      logger.warn({ err }, "could not record telephony token usage"),
    );
  }
  return { tokenId: row.id, tenantId: row.tenantId, tenantSlug: row.tenantSlug };
}
