// Firebase Cloud Messaging HTTP v1 through the real firebase-admin SDK (see transport/firebase.ts).
import type { Message } from "firebase-admin/messaging";
import { createFcmMessaging } from "./transport";
import { needCredential, num, ProviderSendError, pushTarget, rec, str, stringValues, transportError, type ProviderAdapter } from "../adapter";

export const FCM_MESSAGE_KEY = "herald_message_id";

export const fcmAdapter: ProviderAdapter<"fcm"> = {
  provider: "fcm",
  async send(config, credentials, message, opts) {
    const p = message.payload;
    const target = pushTarget(message);
    const s = config.settings;
    const ttl = num(p.ttl_seconds) ?? s.default_ttl_seconds;
    const priority = str(p.priority) === "normal" ? "normal" : str(p.priority) === "high" ? "high" : s.default_priority;
    const title = str(p.title);
    const body = str(p.body);
    const image = str(p.image_url);
    const data = { ...stringValues(p.data), [FCM_MESSAGE_KEY]: message.id };
    const fcmMessage = {
      ...(target.topic ? { topic: target.topic } : { token: target.token! }),
      ...(title || body || image ? { notification: { ...(title ? { title } : {}), ...(body ? { body } : {}), ...(image ? { imageUrl: image } : {}) } } : {}),
      data,
      android: {
        priority,
        ttl: ttl * 1000,
        ...(str(p.collapse_key) ? { collapseKey: str(p.collapse_key) } : {}),
        notification: {
          ...(str(p.sound) ? { sound: str(p.sound) } : {}),
          ...(str(p.click_action) ? { clickAction: str(p.click_action) } : {}),
        },
      },
      apns: {
        headers: {
          "apns-priority": priority === "high" ? "10" : "5",
          "apns-expiration": String(Math.floor(Date.now() / 1000) + ttl),
          ...(str(p.collapse_key) ? { "apns-collapse-id": str(p.collapse_key)! } : {}),
        },
        payload: {
          aps: {
            ...(num(p.badge_count) !== undefined ? { badge: num(p.badge_count) } : {}),
            ...(str(p.sound) ? { sound: str(p.sound) } : {}),
            ...(str(p.click_action) ? { category: str(p.click_action) } : {}),
          },
        },
      },
    } as Message;
    if (rec(p.webpush)) Object.assign(fcmMessage, { webpush: rec(p.webpush) });
    let name: string;
    try {
      const messaging = await createFcmMessaging({
        serviceAccountJson: needCredential(credentials, "service_account_json_ref"),
        apiBaseUrl: config.apiBaseUrl ?? undefined,
        appName: config.id,
      });
      name = await withTimeout(messaging.send(fcmMessage), opts.timeoutMs);
    } catch (err) {
      throw classifyFcmError(err);
    }
    return { providerMessageId: name, status: "accepted" };
  },
};

class FcmTimeout extends Error {
  override name = "TimeoutError";
}

/** firebase-admin has no per-call timeout; the request may still finish, which the workflow tolerates. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new FcmTimeout("FCM did not answer in time")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function classifyFcmError(err: unknown): ProviderSendError {
  if (err instanceof ProviderSendError) return err;
  if (err instanceof FcmTimeout) return transportError(err);
  const e = err as { code?: unknown; message?: string; httpResponse?: { status?: number } };
  const code = typeof e?.code === "string" ? e.code : "";
  const message = e?.message || code || "FCM rejected the message";
  const status = typeof e?.httpResponse?.status === "number" ? e.httpResponse.status : null;
  const make = (kind: ProviderSendError["kind"], httpStatus: number | null) =>
    new ProviderSendError({ kind, code: code.replace(/^messaging\//, "") || "unknown", httpStatus: status ?? httpStatus, message, cause: err });
  switch (code) {
    case "messaging/registration-token-not-registered":
      return new ProviderSendError({ kind: "unregistered_token", code: "UNREGISTERED", httpStatus: status ?? 404, message, cause: err });
    case "messaging/invalid-registration-token":
    case "messaging/invalid-recipient":
      return make("invalid_recipient", 400);
    case "messaging/message-rate-exceeded":
    case "messaging/device-message-rate-exceeded":
    case "messaging/topics-message-rate-exceeded":
      return make("rate_limited", 429);
    case "messaging/server-unavailable":
    case "messaging/internal-error":
    case "messaging/unknown-error":
      return make("retryable", 503);
    case "messaging/third-party-auth-error":
    case "messaging/mismatched-credential":
    case "messaging/authentication-error":
      return make("auth", 401);
    case "app/invalid-credential":
      // The token exchange failed: unreachable token endpoint is transient, a refused key is auth.
      if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|socket hang up|network|timeout/i.test(message)) return make("retryable", null);
      return make("auth", 401);
    case "app/network-error":
    case "app/network-timeout":
    case "messaging/app/network-error":
      return make("retryable", null);
  }
  if (!code) return transportError(err);
  return make("rejected", 400);
}
