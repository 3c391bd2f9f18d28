// Infobip 2FA: Infobip generates and verifies the PIN. Herald creates the 2FA application and
// message template once per config and template (kept through the PinAppStore), then sends with
// POST /2fa/2/pin and verifies with POST /2fa/2/pin/{pinId}/verify.
import { createHash } from "node:crypto";
import type { ConfigOf, ResolvedCredentials } from "../config-record";
import {
  baseUrlOf,
  httpError,
  httpRequest,
  needCredential,
  num,
  ProviderSendError,
  rec,
  str,
  type PinAppStore,
  type PinCheck,
  type PinRequest,
  type ProviderPins,
  type SendOptions,
} from "../adapter";

type InfobipConfig = ConfigOf<"infobip">;

async function call(config: InfobipConfig, credentials: ResolvedCredentials, path: string, body: unknown, opts: SendOptions) {
  const answer = await httpRequest(`${baseUrlOf(config)}${path}`, {
    method: "POST",
    headers: {
      authorization: `App ${needCredential(credentials, "api_key_ref")}`,
      "content-type": "application/json",
      accept: "application/json",
    },
    body: JSON.stringify(body),
    timeoutMs: opts.timeoutMs,
  });
  if (answer.status < 200 || answer.status >= 300) {
    const code = str(rec(rec(rec(answer.body)?.requestError)?.serviceException)?.messageId);
    throw httpError(answer, code ? { code } : {});
  }
  return rec(answer.body) ?? {};
}

/** Infobip durations: "5m", "90s". */
const duration = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`);

function templateKey(request: PinRequest): string {
  return createHash("sha256").update(JSON.stringify([request.messageText, request.pinLength, request.ttlSeconds, request.maxAttempts])).digest("hex").slice(0, 32);
}

/** The application + template for this text, length and TTL: found in the store or created now. */
async function ensureApp(config: InfobipConfig, credentials: ResolvedCredentials, request: PinRequest, apps: PinAppStore, opts: SendOptions) {
  const key = templateKey(request);
  const known = await apps.find(key);
  if (known) return known;
  // Herald enforces its own throttles; Infobip's limits are set wide so they never refuse first,
  // and one PIN is verified once (allowMultiplePinVerifications false: single use on both sides).
  const app = await call(
    config,
    credentials,
    "/2fa/2/applications",
    {
      name: `Herald OTP ${config.id.slice(0, 8)} ${key.slice(0, 8)}`,
      enabled: true,
      configuration: {
        pinAttempts: request.maxAttempts,
        allowMultiplePinVerifications: false,
        pinTimeToLive: duration(request.ttlSeconds),
        verifyPinLimit: "10/1s",
        sendPinPerApplicationLimit: "100000/1d",
        sendPinPerPhoneNumberLimit: "100/1d",
      },
    },
    opts,
  );
  const applicationId = str(app.applicationId);
  if (!applicationId) throw new ProviderSendError({ kind: "retryable", code: "no_application_id", httpStatus: null, message: "Infobip created no 2FA application id" });
  const template = await call(
    config,
    credentials,
    `/2fa/2/applications/${encodeURIComponent(applicationId)}/messages`,
    { messageText: request.messageText, pinType: "NUMERIC", pinLength: request.pinLength, senderId: config.settings.sender },
    opts,
  );
  const messageId = str(template.messageId);
  if (!messageId) throw new ProviderSendError({ kind: "retryable", code: "no_message_id", httpStatus: null, message: "Infobip created no 2FA message template id" });
  return apps.save(key, { applicationId, messageId });
}

const pinErrors: Record<string, Exclude<PinCheck, { verified: true }>["reason"]> = {
  WRONG_PIN: "wrong_code",
  TTL_EXPIRED: "expired",
  NO_MORE_PIN_ATTEMPTS: "too_many_attempts",
};

export const infobipPins: ProviderPins<"infobip"> = {
  enabled: (config) => (config.settings as { otp_via_2fa?: boolean }).otp_via_2fa === true,

  async send(config, credentials, request, apps, opts) {
    const app = await ensureApp(config, credentials, request, apps, opts);
    // Number Lookup off: it adds latency and cost; Herald validates numbers itself.
    const sent = await call(
      config,
      credentials,
      "/2fa/2/pin?ncNeeded=false",
      { applicationId: app.applicationId, messageId: app.messageId, from: config.settings.sender, to: request.to.replace(/^\+/, "") },
      opts,
    );
    const pinId = str(sent.pinId);
    if (!pinId) throw new ProviderSendError({ kind: "retryable", code: "no_pin_id", httpStatus: null, message: "Infobip answered without a pinId" });
    const smsStatus = str(sent.smsStatus);
    if (smsStatus && smsStatus !== "MESSAGE_SENT") {
      throw new ProviderSendError({ kind: "rejected", code: smsStatus, httpStatus: 200, message: `Infobip did not send the PIN (${smsStatus})` });
    }
    return { providerMessageId: pinId, status: smsStatus };
  },

  async verify(config, credentials, pinId, pin, opts) {
    const answer = await call(config, credentials, `/2fa/2/pin/${encodeURIComponent(pinId)}/verify`, { pin }, opts);
    if (answer.verified === true) return { verified: true };
    const error = str(answer.pinError);
    return {
      verified: false,
      reason: (error && pinErrors[error]) || "wrong_code",
      attemptsRemaining: num(answer.attemptsRemaining) ?? null,
    };
  },
};
