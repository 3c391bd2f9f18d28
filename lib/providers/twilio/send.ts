// Twilio Programmable Messaging through the real twilio SDK.
import { createHash } from "node:crypto";
import type twilio from "twilio";
import { createTwilioClient } from "./transport";
import { missingField, needCredential, ProviderSendError, str, transportError, type ProviderAdapter } from "../adapter";

const clients = new Map<string, twilio.Twilio>();

function clientFor(configId: string, accountSid: string, authToken: string, apiBaseUrl: string | null, timeoutMs: number) {
  const key = createHash("sha256").update([configId, accountSid, authToken, apiBaseUrl ?? "", timeoutMs].join("\0")).digest("hex");
  let client = clients.get(key);
  if (!client) {
    if (clients.size > 500) clients.clear();
    client = createTwilioClient({ accountSid, authToken, apiBaseUrl: apiBaseUrl ?? undefined, timeoutMs });
    clients.set(key, client);
  }
  return client;
}

// https://www.twilio.com/docs/api/errors: numbers that can never receive this message.
const INVALID_RECIPIENT = new Set([21211, 21214, 21217, 21219, 21401, 21407, 21408, 21421, 21612, 21614, 21610, 30003, 30005, 30006]);
const AUTH = new Set([20003, 20005, 20008, 21606]);
const RATE = new Set([20429, 14107, 30022]);

export const twilioAdapter: ProviderAdapter<"twilio"> = {
  provider: "twilio",
  async send(config, credentials, message, opts) {
    const body = str(message.payload.body);
    const mediaUrl = str(message.payload.media_url);
    if (!body && !mediaUrl) throw missingField("body");
    const s = config.settings;
    const client = clientFor(
      config.id,
      needCredential(credentials, "account_sid_ref"),
      needCredential(credentials, "auth_token_ref"),
      config.apiBaseUrl,
      opts.timeoutMs,
    );
    let created;
    try {
      created = await client.messages.create({
        to: message.recipient,
        ...(str(message.payload.from)
          ? { from: str(message.payload.from) }
          : s.messaging_service_sid
            ? { messagingServiceSid: s.messaging_service_sid }
            : { from: s.from_number }),
        ...(body ? { body } : {}),
        ...(mediaUrl ? { mediaUrl: [mediaUrl] } : {}),
        ...(opts.callbackUrl ? { statusCallback: opts.callbackUrl } : {}),
      });
    } catch (err) {
      throw classifyTwilioError(err);
    }
    const segments = Number(created.numSegments);
    const price = created.price === null || created.price === undefined ? NaN : Math.abs(Number(created.price));
    return {
      providerMessageId: created.sid,
      status: created.status,
      ...(Number.isFinite(segments) && segments > 0 ? { segments } : {}),
      ...(Number.isFinite(price) && created.priceUnit ? { cost: { amount: price, currency: created.priceUnit.toUpperCase() } } : {}),
    };
  },
};

function classifyTwilioError(err: unknown): ProviderSendError {
  const e = err as { status?: unknown; code?: unknown; message?: string };
  if (typeof e?.status !== "number") return transportError(err);
  const status = e.status;
  const code = typeof e.code === "number" ? e.code : undefined;
  let kind: ProviderSendError["kind"] = status === 429 ? "rate_limited" : status === 401 || status === 403 ? "auth" : status >= 500 ? "retryable" : "rejected";
  if (code !== undefined && INVALID_RECIPIENT.has(code)) kind = "invalid_recipient";
  else if (code !== undefined && AUTH.has(code)) kind = "auth";
  else if (code !== undefined && RATE.has(code)) kind = "rate_limited";
  return new ProviderSendError({ kind, code: String(code ?? status), httpStatus: status, message: e.message || `HTTP ${status}`, cause: err });
}
