// Checking a code: single use, at most MAX_ATTEMPTS checks per code, expiry by the OTP clock.
// Herald's own codes are decided under a row lock (no I/O inside); a provider PIN (Infobip 2FA)
// claims its check first, calls the provider outside any transaction, then records the answer
// with a conditional update, so two concurrent correct codes still give one `verified: true`.
import { getDb } from "@/db";
import { claimOtpCheck, findOtpCode, lockOtpCode, updateOtpCode } from "@/db/queries/otp";
import type { OtpCode } from "@/db/schema/otp";
import { ApiError } from "@/lib/api/errors";
import { deliveryPolicy } from "@/lib/messaging/delivery";
import { adapterFor } from "@/lib/providers/registry";
import { findConfigRecord, resolveCredentials } from "@/lib/providers/config-record";
import type { TenantContext } from "@/lib/tenancy/context";
import type { OtpVerifyOut } from "@/lib/validations/otp";
import { otpNow } from "./clock";
import { codeMatches } from "./codes";

const remaining = (row: Pick<OtpCode, "attempts" | "maxAttempts">) => Math.max(0, row.maxAttempts - row.attempts);

/** The answer for a code that can no longer be verified, or null while it can. */
function closedAnswer(row: OtpCode, now: Date): Extract<OtpVerifyOut, { verified: false }> | null {
  if (row.status === "verified") return { verified: false, attempts_remaining: 0, reason: "already_used" };
  if (row.status === "locked" || row.attempts >= row.maxAttempts) return { verified: false, attempts_remaining: 0, reason: "too_many_attempts" };
  if (row.status === "expired" || row.expiresAt <= now) return { verified: false, attempts_remaining: remaining(row), reason: "expired" };
  return null;
}

export async function verifyOtp(ctx: TenantContext, otpId: string, rawCode: string): Promise<OtpVerifyOut> {
  const code = rawCode.trim();
  const db = getDb();
  const peek = await findOtpCode(db, { tenantId: ctx.tenantId, id: otpId });
  if (!peek) throw ApiError.notFound("OTP");
  if (peek.providerPinId) return verifyProviderPin(ctx, peek, code);

  return db.transaction(async (tx) => {
    const row = (await lockOtpCode(tx, { tenantId: ctx.tenantId, id: otpId }))!;
    const now = otpNow();
    const closed = closedAnswer(row, now);
    if (closed) {
      if (closed.reason === "expired" && row.status === "pending") {
        await updateOtpCode(tx, { tenantId: ctx.tenantId, id: otpId, set: { status: "expired", codeSealed: null } });
      }
      return closed;
    }
    if (row.providerPinId) return null; // the send recorded a provider PIN meanwhile: decided below
    const attempts = row.attempts + 1;
    if (row.codeHash && codeMatches(row.id, row.generation, code, row.codeHash)) {
      await updateOtpCode(tx, { tenantId: ctx.tenantId, id: otpId, set: { status: "verified", attempts, verifiedAt: now, codeSealed: null } });
      return { verified: true } as const;
    }
    const locked = attempts >= row.maxAttempts;
    await updateOtpCode(tx, {
      tenantId: ctx.tenantId,
      id: otpId,
      set: { attempts, ...(locked ? { status: "locked" as const, codeSealed: null } : {}) },
    });
    return { verified: false, attempts_remaining: Math.max(0, row.maxAttempts - attempts), reason: "wrong_code" } as const;
  }).then(async (answer) => answer ?? verifyProviderPin(ctx, (await findOtpCode(db, { tenantId: ctx.tenantId, id: otpId }))!, code));
}

async function verifyProviderPin(ctx: TenantContext, row: OtpCode, code: string): Promise<OtpVerifyOut> {
  const db = getDb();
  const closed = closedAnswer(row, otpNow());
  if (closed) return closed;
  const claimed = await claimOtpCheck(db, { tenantId: ctx.tenantId, id: row.id, generation: row.generation });
  if (!claimed) {
    const latest = (await findOtpCode(db, { tenantId: ctx.tenantId, id: row.id }))!;
    return closedAnswer(latest, otpNow()) ?? { verified: false, attempts_remaining: remaining(latest), reason: "wrong_code" };
  }
  const config = claimed.providerConfigId ? await findConfigRecord(ctx.tenantId, claimed.providerConfigId) : undefined;
  const pins = config ? adapterFor(config.provider).pins : undefined;
  if (!config || !pins) {
    throw new ApiError({ code: "otp_provider_unavailable", status: 503, message: "The provider that sent this code is no longer configured; request a new code." });
  }
  const check = await pins.verify(config as never, await resolveCredentials(config), claimed.providerPinId!, code, { timeoutMs: deliveryPolicy().otpTimeoutMs }).catch((err: unknown) => {
    throw new ApiError({ code: "otp_provider_unavailable", status: 503, message: "The provider could not check the code; try again.", headers: { "Retry-After": "1" }, cause: err });
  });
  const where = { status: "pending" as const, generation: claimed.generation };
  if (check.verified) {
    // The provider's "verified" outranks a lock written meanwhile by a concurrent check of the same
    // generation (it answered NO_MORE_PIN_ATTEMPTS because this check had just used the PIN).
    const won = await updateOtpCode(db, {
      tenantId: ctx.tenantId,
      id: row.id,
      where: { status: ["pending", "locked"], generation: claimed.generation },
      set: { status: "verified", verifiedAt: otpNow() },
    });
    return won ? { verified: true } : { verified: false, attempts_remaining: 0, reason: "already_used" };
  }
  if (check.reason === "expired") {
    await updateOtpCode(db, { tenantId: ctx.tenantId, id: row.id, where, set: { status: "expired" } });
    return { verified: false, attempts_remaining: remaining(claimed), reason: "expired" };
  }
  const left = Math.min(remaining(claimed), check.attemptsRemaining ?? Number.POSITIVE_INFINITY);
  if (check.reason === "too_many_attempts" || left <= 0) {
    await updateOtpCode(db, { tenantId: ctx.tenantId, id: row.id, where, set: { status: "locked" } });
    return check.reason === "too_many_attempts"
      ? { verified: false, attempts_remaining: 0, reason: "too_many_attempts" }
      : { verified: false, attempts_remaining: 0, reason: "wrong_code" };
  }
  return { verified: false, attempts_remaining: left, reason: "wrong_code" };
}
