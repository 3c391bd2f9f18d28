// What the delivery workflow does differently for an OTP message: the real text is rendered at
// send time from the sealed code (the message row holds only the masked text), a provider with
// its own PINs (Infobip 2FA) is asked to generate one instead, and the sealed code is wiped as
// soon as the message is sent or failed.
import { getDb } from "@/db";
import { findOtpCode, findProviderApp, insertProviderApp, wipeSealedCode } from "@/db/queries/otp";
import type { Message } from "@/db/schema/messages";
import type { OtpCode } from "@/db/schema/otp";
import { ProviderSendError, type OutboundMessage, type PinAppStore, type SendOptions, type SendResult } from "@/lib/providers/adapter";
import { adapterFor } from "@/lib/providers/registry";
import type { ProviderConfigRecord, ResolvedCredentials } from "@/lib/providers/config-record";
import { otpNow } from "./clock";
import { renderText, unsealCode } from "./codes";

interface OtpRef {
  otpId: string;
  generation: number;
}

export function otpRefOf(message: Pick<Message, "payload">): OtpRef | null {
  const p = message.payload;
  return typeof p.otp_id === "string" && typeof p.otp_generation === "number" ? { otpId: p.otp_id, generation: p.otp_generation } : null;
}

function unusable(code: string, message: string) {
  return new ProviderSendError({ kind: "rejected", code, httpStatus: null, message });
}

/** The OTP row of this message's generation, still sendable; else a non-retryable send error. */
async function sendableOtp(message: Message, ref: OtpRef): Promise<OtpCode & { codeSealed: NonNullable<OtpCode["codeSealed"]> }> {
  const otp = await findOtpCode(getDb(), { tenantId: message.tenantId, id: ref.otpId });
  if (!otp || otp.generation !== ref.generation) throw unusable("otp_superseded", "A newer code replaced this one; it is not sent");
  if (otp.status !== "pending") throw unusable("otp_not_pending", `The code is ${otp.status}; it is not sent`);
  if (otp.expiresAt <= otpNow()) throw unusable("otp_expired", "The code expired before it could be sent");
  if (!otp.codeSealed) throw unusable("otp_code_gone", "The code is no longer held for sending");
  return otp as OtpCode & { codeSealed: NonNullable<OtpCode["codeSealed"]> };
}

function appStore(config: ProviderConfigRecord): PinAppStore {
  return {
    find: async (templateKey) => findProviderApp(getDb(), { configId: config.id, templateKey }),
    async save(templateKey, app) {
      // Created outside any transaction; a concurrent first send may have saved one too: keep that.
      const saved = await insertProviderApp(getDb(), { tenantId: config.tenantId, configId: config.id, templateKey, ...app });
      return saved ?? (await findProviderApp(getDb(), { configId: config.id, templateKey })) ?? app;
    },
  };
}

/**
 * The provider call for an OTP message. Returns whether the provider generated the PIN, so the
 * outcome can be recorded with it.
 */
export async function sendOtpMessage(
  message: Message,
  ref: OtpRef,
  config: ProviderConfigRecord,
  credentials: ResolvedCredentials,
  outbound: OutboundMessage,
  opts: SendOptions,
): Promise<SendResult & { providerPin: boolean }> {
  const otp = await sendableOtp(message, ref);
  const adapter = adapterFor(config.provider);
  if (adapter.pins?.enabled(config as never)) {
    const result = await adapter.pins.send(
      config as never,
      credentials,
      {
        to: otp.to,
        messageText: renderText(otp.template ?? "", "{{pin}}"),
        pinLength: otp.length,
        // The full TTL (not what is left) keeps one template per TTL; Herald checks expiry itself first.
        ttlSeconds: otp.ttlSeconds,
        maxAttempts: otp.maxAttempts,
      },
      appStore(config),
      opts,
    );
    return { ...result, providerPin: true };
  }
  const text = renderText(otp.template ?? "", unsealCode(message.tenantId, otp.id, otp.generation, otp.codeSealed));
  const field = message.channel === "sms" ? "body" : "body_text";
  const result = await adapter.send(config as never, credentials, { ...outbound, payload: { ...outbound.payload, [field]: text } }, opts);
  return { ...result, providerPin: false };
}

/**
 * After the message reached sent or failed: the sealed code goes, and a provider PIN id is kept
 * for verification (Herald's own hash no longer applies to a PIN the provider generated).
 */
export async function settleOtpMessage(
  message: Pick<Message, "tenantId" | "payload">,
  outcome: { sent: true; configId: string; providerPinId: string | null } | { sent: false },
): Promise<void> {
  const ref = otpRefOf(message);
  if (!ref) return;
  await wipeSealedCode(getDb(), {
    tenantId: message.tenantId,
    id: ref.otpId,
    generation: ref.generation,
    set: outcome.sent
      ? {
          sentAt: new Date(),
          ...(outcome.providerPinId ? { providerPinId: outcome.providerPinId, providerConfigId: outcome.configId, codeHash: null } : {}),
        }
      : {},
  });
}
