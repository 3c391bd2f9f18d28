// Issuing codes: POST /api/v1/otp and …/resend. The code row, its masked message and the
// priority-lane delivery event commit together; the throttles count in the same transaction.
import { createHash, randomUUID } from "node:crypto";
import { getDb, type DbOrTx } from "@/db";
import { findOtpCode, findOtpCodeByIdempotencyKey, insertOtpCode, updateOtpCode } from "@/db/queries/otp";
import { insertAcceptedMessages } from "@/db/queries/messages";
import type { NewMessage } from "@/db/schema/messages";
import type { OtpCode } from "@/db/schema/otp";
import { ApiError } from "@/lib/api/errors";
import { outboxRows } from "@/lib/jobs/emit";
import { logger } from "@/lib/logger";
import { decideRoute } from "@/lib/messaging/routing";
import { newTraceId } from "@/lib/messaging/send-message";
import { smsSegments } from "@/lib/messaging/sms-segments";
import type { TenantContext } from "@/lib/tenancy/context";
import type { CreateOtpInput, OtpCreatedOut } from "@/lib/validations/otp";
import { otpNow } from "./clock";
import { generateCode, hashCode, maskedText, sealCode, templateFor } from "./codes";
import { checkDestination, destinationOf, detectPumping, recordRefused, SendRefused, takeSendAllowance, type Destination, type Requester } from "./guards";
import { otpPolicyFor, type OtpPolicy } from "./policy";

/** Checks per code (OWASP ASVS: brute force is stopped by the attempt limit with the rate limits). */
export const MAX_ATTEMPTS = 5;

export function resendIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.HERALD_OTP_RESEND_INTERVAL_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 30;
}

export interface OtpOutcome {
  status: 201 | 200;
  replayed: boolean;
  body: OtpCreatedOut;
}

export function otpJson(row: OtpCode): OtpCreatedOut {
  return {
    otp_id: row.id,
    to: row.to,
    channel: row.channel,
    expires_at: row.expiresAt.toISOString(),
    resend_available_at: row.resendAvailableAt.toISOString(),
  };
}

function fingerprint(input: CreateOtpInput): string {
  const { idempotency_key: _key, ...rest } = input;
  void _key;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

function replayOrConflict(row: OtpCode, requestHash: string): OtpOutcome {
  if (row.requestHash !== requestHash) {
    throw new ApiError({
      code: "idempotency_key_reused",
      status: 422,
      message: "This idempotency key was already used with a different request. Use a new key for a new code.",
    });
  }
  return { status: 200, replayed: true, body: otpJson(row) };
}

export async function createOtp(ctx: TenantContext, input: CreateOtpInput, who: Requester): Promise<OtpOutcome> {
  const db = getDb();
  const requestHash = fingerprint(input);
  if (input.idempotency_key) {
    const existing = await findOtpCodeByIdempotencyKey(db, { tenantId: ctx.tenantId, key: input.idempotency_key });
    if (existing) return replayOrConflict(existing, requestHash);
  }
  const policy = await otpPolicyFor(ctx.tenantId);
  const dest = destinationOf(input.to);
  await checkDestination(ctx.tenantId, dest, policy);
  const hops = await routeFor(ctx.tenantId, input.channel, dest);

  const id = randomUUID();
  const now = otpNow();
  const code = generateCode(input.length);
  const template = templateFor(input.template, input.locale);
  const row = {
    id,
    tenantId: ctx.tenantId,
    to: input.to,
    country: dest.country,
    prefix: dest.prefix,
    channel: input.channel,
    purpose: input.purpose ?? null,
    locale: input.locale ?? null,
    template,
    length: input.length,
    ttlSeconds: input.ttl_seconds,
    status: "pending" as const,
    generation: 1,
    codeHash: hashCode(id, 1, code),
    codeSealed: sealCode(ctx.tenantId, id, 1, code),
    maxAttempts: MAX_ATTEMPTS,
    expiresAt: new Date(now.getTime() + input.ttl_seconds * 1000),
    resendAvailableAt: new Date(now.getTime() + resendIntervalSeconds() * 1000),
    apiKeyId: who.apiKeyId,
    clientAddress: who.clientAddress,
    idempotencyKey: input.idempotency_key ?? null,
    requestHash,
    estimatedCost: policy.costPerMessage.toFixed(4),
    createdAt: now,
  };
  const message = messageRow(ctx, row, hops, 1);
  let created: OtpCode | undefined;
  try {
    created = await db.transaction(async (tx) => {
      // The key is claimed first: a concurrent duplicate waits here for this commit and then replays.
      const inserted = await insertOtpCode(tx, { ...row, messageId: message.id });
      if (!inserted) return undefined;
      await takeSendAllowance(tx, ctx.tenantId, dest, who, policy);
      await writeMessage(tx, message);
      return inserted;
    });
  } catch (err) {
    if (err instanceof SendRefused) return recordRefused(ctx.tenantId, dest, err);
    throw err;
  }
  if (!created) {
    const winner = await findOtpCodeByIdempotencyKey(db, { tenantId: ctx.tenantId, key: input.idempotency_key! });
    if (!winner) throw new ApiError({ code: "conflict", status: 409, message: "A request with this idempotency key is in progress. Retry shortly.", headers: { "Retry-After": "1" } });
    return replayOrConflict(winner, requestHash);
  }
  await detectPumpingSafely(ctx.tenantId, dest, policy);
  return { status: 201, replayed: false, body: otpJson(created) };
}

/** A new code on the same OTP: the old one stops matching at once; the resend interval applies. */
export async function resendOtp(ctx: TenantContext, otpId: string, who: Requester): Promise<OtpOutcome> {
  const db = getDb();
  const current = await findOtpCode(db, { tenantId: ctx.tenantId, id: otpId });
  if (!current) throw ApiError.notFound("OTP");
  if (current.status === "verified") {
    throw new ApiError({ code: "otp_already_used", status: 409, message: "This code was already verified; request a new OTP instead." });
  }
  const now = otpNow();
  if (current.resendAvailableAt > now) {
    const seconds = Math.max(1, Math.ceil((current.resendAvailableAt.getTime() - now.getTime()) / 1000));
    throw new ApiError({
      code: "otp_rate_limited",
      status: 429,
      message: `A new code can be sent after ${current.resendAvailableAt.toISOString()}`,
      details: { reason: "resend_interval", retry_after_seconds: seconds },
      headers: { "Retry-After": String(seconds) },
    });
  }
  const policy = await otpPolicyFor(ctx.tenantId);
  const dest = destinationOf(current.to);
  await checkDestination(ctx.tenantId, dest, policy);
  const hops = await routeFor(ctx.tenantId, current.channel, dest);
  const generation = current.generation + 1;
  const code = generateCode(current.length);
  const next = {
    ...current,
    generation,
    status: "pending" as const,
    attempts: 0,
    codeHash: hashCode(current.id, generation, code),
    codeSealed: sealCode(ctx.tenantId, current.id, generation, code),
    providerPinId: null,
    providerConfigId: null,
    expiresAt: new Date(now.getTime() + current.ttlSeconds * 1000),
    resendAvailableAt: new Date(now.getTime() + resendIntervalSeconds() * 1000),
    sentAt: null,
  };
  const message = messageRow(ctx, next, hops, generation);
  let updated: OtpCode | undefined;
  try {
    updated = await db.transaction(async (tx) => {
      const row = await updateOtpCode(tx, {
        tenantId: ctx.tenantId,
        id: current.id,
        where: { generation: current.generation },
        set: {
          generation,
          status: "pending",
          attempts: 0,
          codeHash: next.codeHash,
          codeSealed: next.codeSealed,
          providerPinId: null,
          providerConfigId: null,
          expiresAt: next.expiresAt,
          resendAvailableAt: next.resendAvailableAt,
          sentAt: null,
          messageId: message.id,
        },
      });
      if (!row) return undefined;
      await takeSendAllowance(tx, ctx.tenantId, dest, who, policy);
      await writeMessage(tx, message);
      return row;
    });
  } catch (err) {
    if (err instanceof SendRefused) return recordRefused(ctx.tenantId, dest, err);
    throw err;
  }
  if (!updated) throw new ApiError({ code: "conflict", status: 409, message: "Another resend of this code won; use the code it sent." });
  await detectPumpingSafely(ctx.tenantId, dest, policy);
  return { status: 200, replayed: false, body: otpJson(updated) };
}

/** Detection runs after the commit: a failure there is logged, the code already accepted stays accepted. */
async function detectPumpingSafely(tenantId: string, dest: Destination, policy: OtpPolicy) {
  await detectPumping(tenantId, dest, policy).catch((err: unknown) => logger.error({ err, tenantId }, "OTP pumping detection failed"));
}

async function routeFor(tenantId: string, channel: "sms" | "whatsapp", dest: Destination) {
  const decision = await decideRoute(tenantId, channel, dest.to);
  if (decision.hops.length === 0) {
    throw new ApiError({
      code: "COMM_NO_ROUTE",
      status: 422,
      message: `No active provider config can send ${channel} to this recipient${dest.country ? ` (${dest.country})` : ""}.`,
      details: { channel, country: dest.country, skipped: decision.skipped },
    });
  }
  return decision.hops;
}

/** The message log's row: the masked text only; the delivery step renders the real one from the OTP row. */
function messageRow(
  ctx: TenantContext,
  otp: { id: string; to: string; channel: "sms" | "whatsapp"; template: string | null; length: number; requestHash: string },
  hops: { configId: string; provider: string }[],
  generation: number,
): NewMessage & { id: string } {
  const id = randomUUID();
  const masked = maskedText(otp.template ?? "", otp.length);
  const payload =
    otp.channel === "sms"
      ? { to: otp.to, body: masked, otp_id: otp.id, otp_generation: generation }
      : { to: otp.to, body_text: masked, otp_id: otp.id, otp_generation: generation };
  return {
    id,
    tenantId: ctx.tenantId,
    channel: otp.channel,
    status: "queued",
    route: hops,
    provider: hops[0]!.provider as NewMessage["provider"],
    configId: hops[0]!.configId,
    recipient: otp.to,
    payload,
    templateId: null,
    idempotencyKey: null,
    requestHash: otp.requestHash,
    actionId: "otp",
    context: { otp_id: otp.id },
    traceId: newTraceId(),
    providerReference: `hm_${id}`,
    segments: otp.channel === "sms" ? smsSegments(masked).segments : null,
  };
}

async function writeMessage(tx: DbOrTx, row: NewMessage & { id: string }) {
  const events = outboxRows([
    {
      name: "herald/message.priority-queued" as const,
      // The priority lane: its own queue and workers on both engines, ahead of any campaign.
      data: { tenantId: row.tenantId, messageId: row.id, lane: "priority" },
      tenantId: row.tenantId,
      id: row.id,
    },
  ]);
  await insertAcceptedMessages(tx, { rows: [row], history: { fromStatus: null, reason: "accepted (OTP)" }, events });
}

