// The real firebase-admin messaging client, optionally aimed at another host (the provider simulator).
//
// firebase-admin hard-codes fcm.googleapis.com and google-auth-library hard-codes
// https://oauth2.googleapis.com/token; neither has a host option. Both are reachable through an
// http.Agent, though, so a redirecting agent whose createConnection dials apiBaseUrl's host:port
// carries the unmodified SDK requests there (plain TCP for http:, TLS for https:), keeping their
// original Host header and path:
// - messages:send: AppOptions.httpAgent. sendEach() would open its own HTTP/2 session, which bypasses
//   agents, hence enableLegacyHttpTransport().
// - the OAuth JWT-bearer exchange: firebase-admin 13's cert(json, httpAgent) drops the agent when it
//   builds google-auth-library's JWT client, so with an apiBaseUrl we build that same JWT client
//   ourselves with the agent and hand it to firebase-admin as its Credential.
import { createHash } from "node:crypto";
import { Agent, type ClientRequestArgs } from "node:http";
import { connect as netConnect } from "node:net";
import type { Duplex } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import {
  cert,
  deleteApp,
  getApps,
  initializeApp,
  type App,
  type Credential,
  type GoogleOAuthAccessToken,
} from "firebase-admin/app";
import { getMessaging, type Messaging } from "firebase-admin/messaging";
import { JWT } from "google-auth-library";
import { assertConnectable, providerLookup } from "@/lib/net/provider-hosts";

export interface FcmTransportOptions {
  /** The service-account JSON as stored in the tenant's config (string or parsed object). */
  serviceAccountJson: string | Record<string, unknown>;
  /** e.g. http://127.0.0.1:4010; undefined = the real Google hosts. */
  apiBaseUrl?: string;
  /** Stable id of the tenant's provider config; names the firebase app. */
  appName: string;
}

const APP_PREFIX = "herald-fcm";

/** An agent that accepts https requests but connects every one of them to `target`. */
export class RedirectingAgent extends Agent {
  constructor(private readonly target: URL) {
    super({ keepAlive: true });
    // A tenant-chosen host: address literals are judged here, names by the lookup on each connection.
    assertConnectable(target);
    // node's ClientRequest refuses an agent whose protocol differs from the URL's.
    (this as unknown as { protocol: string }).protocol = "https:";
  }

  override createConnection(
    _options: ClientRequestArgs,
    _callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex {
    const secure = this.target.protocol === "https:";
    const port = Number(this.target.port || (secure ? 443 : 80));
    const host = this.target.hostname.replace(/^\[|\]$/g, "");
    const lookup = providerLookup();
    return secure ? tlsConnect({ host, port, servername: host, lookup }) : netConnect({ host, port, lookup });
  }
}

/** The scopes firebase-admin's own ServiceAccountCredential asks for (FCM needs the last two). */
const SCOPES = [
  "https://www.googleapis.com/auth/cloud-platform",
  "https://www.googleapis.com/auth/firebase.messaging",
];

/** firebase-admin's service-account credential, with the token request sent through `agent`. */
class AgentServiceAccountCredential implements Credential {
  private readonly jwt: JWT;

  constructor(serviceAccount: Record<string, unknown>, agent: Agent) {
    this.jwt = new JWT({
      email: String(serviceAccount.client_email ?? ""),
      key: String(serviceAccount.private_key ?? ""),
      keyId: typeof serviceAccount.private_key_id === "string" ? serviceAccount.private_key_id : undefined,
      scopes: SCOPES,
      transporterOptions: { agent },
    });
  }

  async getAccessToken(): Promise<GoogleOAuthAccessToken> {
    await this.jwt.getAccessToken();
    const { access_token: token, expiry_date: expiry } = this.jwt.credentials;
    if (typeof token !== "string" || typeof expiry !== "number") {
      throw new Error("token endpoint returned no access_token/expiry");
    }
    return { access_token: token, expires_in: Math.floor((expiry - Date.now()) / 1000) };
  }
}

function parseServiceAccount(json: FcmTransportOptions["serviceAccountJson"]): Record<string, unknown> {
  const value: unknown = typeof json === "string" ? JSON.parse(json) : json;
  if (typeof value !== "object" || value === null) throw new Error("service account JSON must be an object");
  return { ...(value as Record<string, unknown>) };
}

/**
 * Messaging for one provider config. The firebase app is named after the config id plus a hash of
 * the credential and host, so a rotated credential gets a fresh app and the stale one is deleted.
 */
export async function createFcmMessaging(options: FcmTransportOptions): Promise<Messaging> {
  const serviceAccount = parseServiceAccount(options.serviceAccountJson);
  const fingerprint = createHash("sha256")
    .update(JSON.stringify(serviceAccount))
    .update("\0")
    .update(options.apiBaseUrl ?? "")
    .digest("hex")
    .slice(0, 16);
  const configPrefix = `${APP_PREFIX}:${options.appName}:`;
  const name = configPrefix + fingerprint;

  let app = getApps().find((a) => a.name === name);
  if (!app) {
    await Promise.all(getApps().filter((a) => a.name.startsWith(configPrefix)).map((a) => deleteApp(a)));
    const agent = options.apiBaseUrl ? new RedirectingAgent(new URL(options.apiBaseUrl)) : undefined;
    // A concurrent call may have created the same app while we awaited the deletions.
    app =
      getApps().find((a) => a.name === name) ??
      initializeApp(
        {
          credential: agent ? new AgentServiceAccountCredential(serviceAccount, agent) : cert(serviceAccount),
          projectId: typeof serviceAccount.project_id === "string" ? serviceAccount.project_id : undefined,
          ...(agent ? { httpAgent: agent } : {}),
        },
        name,
      );
  }
  const messaging = getMessaging(app);
  messaging.enableLegacyHttpTransport();
  return messaging;
}

/** Deletes every firebase app created for a provider config (e.g. when the config is removed). */
export async function deleteFcmApps(appName: string): Promise<void> {
  const prefix = `${APP_PREFIX}:${appName}:`;
  const apps: App[] = getApps().filter((a) => a.name.startsWith(prefix));
  await Promise.all(apps.map((a) => deleteApp(a)));
}
