// Outbound connections to hosts a tenant chose for a provider (a config's API base URL, Infobip's
// account URL): public addresses only, checked when the config is saved and on every connection.
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { Agent as UndiciAgent, fetch as undiciFetch } from "undici";
import { classifyAddress } from "./classify-address";
import { assertPublicUrl, guardedLookup, hostList, PUBLIC_ONLY, UrlRefused, type GuardOptions } from "./url-guard";

/**
 * HERALD_PROVIDER_URL_ALLOW_HOSTS: comma-separated host names or addresses (e.g.
 * `127.0.0.1,localhost`) that provider base URLs may name whatever they resolve to — the local
 * provider simulator in tests and development. Unset: public addresses only.
 */
export function providerUrlPolicy(env: NodeJS.ProcessEnv = process.env): GuardOptions {
  return { allowLoopback: false, allowHosts: hostList(env.HERALD_PROVIDER_URL_ALLOW_HOSTS) };
}

/** Save time: resolves the host and refuses it unless every address is public (or the host is allow-listed). */
export async function assertProviderUrl(raw: string, policy: GuardOptions = providerUrlPolicy()): Promise<void> {
  await assertPublicUrl(raw, policy);
}

/**
 * Connect time, before a request: what the connection's lookup cannot see. An address literal is
 * dialled without any lookup, so it is judged here; names are judged by the guarded lookup.
 */
export function assertConnectable(raw: string | URL, policy: GuardOptions = providerUrlPolicy()): void {
  const url = typeof raw === "string" ? new URL(raw) : raw;
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UrlRefused("Only http and https URLs are allowed");
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (policy.allowHosts?.has(host) || !isIP(host)) return;
  const kind = classifyAddress(host);
  if (kind && !(kind === "loopback" && policy.allowLoopback)) {
    throw new UrlRefused(`${host} is a ${kind} address; ${PUBLIC_ONLY}`);
  }
}

interface Guarded {
  key: string;
  lookup: LookupFunction;
  dispatcher: UndiciAgent;
  http: HttpAgent;
  https: HttpsAgent;
}
let current: Guarded | undefined;

/** One set of agents per process (rebuilt only when the allow-list changes, as tests do). */
function guarded(): Guarded {
  const policy = providerUrlPolicy();
  const key = [...(policy.allowHosts ?? [])].sort().join(",");
  if (current?.key === key) return current;
  const lookup = guardedLookup(policy);
  current = {
    key,
    lookup,
    dispatcher: new UndiciAgent({ connect: { lookup } }),
    http: new HttpAgent({ keepAlive: true, lookup }),
    https: new HttpsAgent({ keepAlive: true, lookup }),
  };
  return current;
}

/** The lookup for sockets opened by hand (firebase's redirecting agent). */
export function providerLookup(): LookupFunction {
  return guarded().lookup;
}

/** http(s) agents for SDKs built on axios (SendGrid, Twilio). */
export function providerAgents(): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const g = guarded();
  return { httpAgent: g.http, httpsAgent: g.https };
}

/** fetch that connects only to checked addresses and never follows redirects. */
export async function providerFetch(url: string, init: RequestInit): Promise<Response> {
  assertConnectable(url);
  const res = await undiciFetch(url, { ...(init as object), redirect: "manual", dispatcher: guarded().dispatcher });
  return res as unknown as Response;
}

const REFUSAL_IN_TEXT = new RegExp(`([^\\s"'(]+ (?:resolves to|is) an? [\\w -]+ address(?: \\([^)]{1,60}\\))?); ${PUBLIC_ONLY}`);

/**
 * The refusal behind a failed request: fetch and axios keep it as a cause; firebase-admin keeps
 * only its text inside its own message.
 */
export function refusedHost(err: unknown): { message: string } | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown };
    const message = typeof x.message === "string" ? x.message : "";
    if (e instanceof UrlRefused || x.code === "EURLREFUSED") return { message: message || "The host was refused" };
    const quoted = REFUSAL_IN_TEXT.exec(message);
    if (quoted) return { message: `${quoted[1]}; ${PUBLIC_ONLY}` };
    e = x.cause;
  }
  return undefined;
}
