// FCM HTTP v1 send and the Google OAuth token endpoint that feeds it (JWT-bearer grant).
import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import { first, isRecord, json, type SimRequest, type SimResponse } from "../http";
import { alnum, digits, hex } from "../ids";
import { injectFailure, type ErrorShapes, type ProviderModule, type SimContext } from "../provider";
import type { AccountBase, SentMessage } from "../types";

export interface ServiceAccountJson {
  type: "service_account";
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
}
export interface FcmAccount extends AccountBase {
  provider: "fcm";
  projectId: string;
  serviceAccount: ServiceAccountJson;
}

export interface RsaKeyPair {
  privateKeyPem: string;
  publicKey: KeyObject;
}

export function generateServiceAccountKey(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" });
  return { privateKeyPem: typeof pem === "string" ? pem : pem.toString("utf8"), publicKey };
}

export function publicKeyFromPrivatePem(pem: string): KeyObject {
  return createPublicKey(pem);
}

/** google-auth-library always posts here and uses it as the JWT audience. */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";
const TOKEN_TTL_SECONDS = 3600;

const googleError = (code: number, status: string, message: string, fcmErrorCode?: string): SimResponse =>
  json(code, {
    error: {
      code,
      message,
      status,
      ...(fcmErrorCode
        ? { details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: fcmErrorCode }] }
        : {}),
    },
  });

const errors: ErrorShapes = {
  auth: () =>
    googleError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."),
  rateLimit: () => googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for sending messages.", "QUOTA_EXCEEDED"),
  serverError: (status) =>
    status === 500
      ? googleError(500, "INTERNAL", "Internal error encountered.", "INTERNAL")
      : googleError(status, "UNAVAILABLE", "The service is currently unavailable.", "UNAVAILABLE"),
  invalidRecipient: () => googleError(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED"),
};

const invalidArgument = (description: string, field: string) =>
  json(400, {
    error: {
      code: 400,
      message: `Request contains an invalid argument.`,
      status: "INVALID_ARGUMENT",
      details: [
        { "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "INVALID_ARGUMENT" },
        { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field, description }] },
      ],
    },
  });

const tokenError = (description: string) =>
  json(400, { error: "invalid_grant", error_description: description });

function decodeSegment(segment: string | undefined): Record<string, unknown> | null {
  if (!segment) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

async function token(req: SimRequest, ctx: SimContext): Promise<SimResponse> {
  const fields = await req.form();
  req.meta.body = { grant_type: first(fields, "grant_type"), assertion: "[redacted]" };
  if (first(fields, "grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    return json(400, { error: "unsupported_grant_type", error_description: "Invalid grant_type" });
  }
  const [h, p, s] = (first(fields, "assertion") ?? "").split(".");
  const header = decodeSegment(h);
  const claims = decodeSegment(p);
  if (!header || !claims || !s || header.alg !== "RS256") return tokenError("Invalid JWT.");
  const account = ctx.state.findAccount("fcm", (a) => a.serviceAccount.client_email === claims.iss);
  if (!account) return json(401, { error: "invalid_client", error_description: "The OAuth client was not found." });
  req.meta.accountId = account.id;
  const publicKey = ctx.state.getSecrets(account.id).publicKey;
  const signatureOk =
    publicKey !== undefined &&
    verify("RSA-SHA256", Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, "base64url"));
  if (!signatureOk) return tokenError("Invalid JWT Signature.");
  const audiences = [GOOGLE_TOKEN_URL, account.serviceAccount.token_uri];
  if (typeof claims.aud !== "string" || !audiences.includes(claims.aud)) {
    return tokenError("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
  }
  const now = Math.floor(Date.now() / 1000);
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!(exp > now && iat <= now + 300 && exp - iat <= 3600)) {
    return tokenError("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
  }
  const accessToken = `ya29.sim-${randomBytes(24).toString("base64url")}`;
  ctx.state.fcmTokens.set(accessToken, { accountId: account.id, expiresAt: Date.now() + TOKEN_TTL_SECONDS * 1000 });
  return json(200, { access_token: accessToken, expires_in: TOKEN_TTL_SECONDS - 1, token_type: "Bearer" });
}

async function send(req: SimRequest, ctx: SimContext, project: string): Promise<SimResponse> {
  const bearer = req.authToken("Bearer");
  const issued = bearer ? ctx.state.fcmTokens.get(bearer) : undefined;
  const account = issued && issued.expiresAt > Date.now() ? ctx.state.getAccount(issued.accountId) : undefined;
  if (account?.provider !== "fcm") return errors.auth();
  req.meta.accountId = account.id;
  if (account.projectId !== project) {
    return googleError(403, "PERMISSION_DENIED", `Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/${project}' (or it may not exist).`, "SENDER_ID_MISMATCH");
  }
  const body = req.json();
  req.meta.body = body ?? req.rawBody.toString("utf8");
  if (!isRecord(body) || !isRecord(body.message)) return invalidArgument("message is required", "message");
  const message = body.message;
  const targets = (["token", "topic", "condition"] as const).filter((k) => typeof message[k] === "string" && message[k] !== "");
  if (targets.length !== 1) {
    return invalidArgument("Exactly one of token, topic or condition must be set", "message");
  }
  if (message.data !== undefined && !(isRecord(message.data) && Object.values(message.data).every((v) => typeof v === "string"))) {
    return invalidArgument("Invalid value at 'message.data': values must be strings", "message.data");
  }
  const target = String(message[targets[0] ?? "token"]);
  req.meta.recipients = [target];
  const failure = injectFailure(req, ctx, errors, [target]);
  if (failure) return failure.response;
  if (body.validate_only === true) return json(200, { name: `projects/${project}/messages/fake_message_id` });

  const id = `0:${Date.now()}${randomBytes(8).toString("hex").slice(0, 4)}%${randomBytes(8).toString("hex")}`;
  const name = `projects/${project}/messages/${id}`;
  const sent: SentMessage = {
    id: name,
    provider: "fcm",
    accountId: account.id,
    recipients: [target],
    createdAt: new Date().toISOString(),
    meta: { message },
  };
  ctx.state.saveMessage(sent);
  req.meta.messageIds = [name];
  return json(200, { name });
}

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;

export const fcm: ProviderModule<FcmAccount> = {
  name: "fcm",
  buildAccount(base, c, simUrl) {
    const projectId = c.projectId ?? `sim-project-${hex(3)}`;
    const key = generateServiceAccountKey();
    const clientEmail = `firebase-adminsdk-${alnum(5).toLowerCase()}@${projectId}.iam.gserviceaccount.com`;
    return {
      account: {
        ...base,
        provider: "fcm",
        projectId,
        serviceAccount: {
          type: "service_account",
          project_id: projectId,
          private_key_id: hex(20),
          private_key: key.privateKeyPem,
          client_email: clientEmail,
          client_id: digits(21),
          auth_uri: `${simUrl}/o/oauth2/auth`,
          token_uri: `${simUrl}/token`,
        },
      },
      secrets: { publicKey: key.publicKey },
    };
  },
  errors,
  route: (method, path) => {
    if (method !== "POST") return null;
    if (path === "/token") return token;
    const project = SEND_PATH.exec(path)?.[1];
    return project ? (req, ctx) => send(req, ctx, decodeURIComponent(project)) : null;
  },
  heraldConfig: {
    forAccount(account, _simUrl) {
      const a = account;
      return { project_id: a.projectId, credentials: { service_account_json_ref: JSON.stringify(a.serviceAccount) } };
    },
    sample: () => ({ project_id: "herald-test", credentials: { service_account_json_ref: sampleServiceAccount() } }),
  },
};

let sampleKey: string | undefined;

/** A syntactically valid service account (a real RSA key; the account exists nowhere). */
function sampleServiceAccount(): string {
  sampleKey ??= generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return JSON.stringify({ type: "service_account", project_id: "herald-test", private_key: sampleKey, client_email: "sa@herald-test.iam.gserviceaccount.com" });
}
