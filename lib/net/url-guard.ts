// SSRF guard for URLs a tenant chooses (webhook endpoints, provider API base URLs): http(s) only,
// and every address the host resolves to must be public — checked when saved and again on connect.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { classifyAddress } from "./classify-address";

export { classifyAddress } from "./classify-address";

/** Resolves a host to all its addresses (injectable so tests can stand in for DNS). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));

/**
 * HERALD_ALLOW_LOOPBACK_WEBHOOKS=true lets endpoints on 127.0.0.0/8 and ::1 through (local
 * development and tests). Private, link-local and metadata addresses stay refused regardless.
 */
export function loopbackAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.HERALD_ALLOW_LOOPBACK_WEBHOOKS === "true";
}

/** Cloud metadata services answer on these names (their addresses are link-local or private anyway). */
const METADATA_HOSTS = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

/** Ends every refusal message, so a refusal stays recognisable inside an SDK's own error text. */
export const PUBLIC_ONLY = "Herald connects to public addresses only";

export class UrlRefused extends Error {
  readonly code = "EURLREFUSED";
  constructor(message: string) {
    super(message);
    this.name = "UrlRefused";
  }
}

export interface GuardOptions {
  /** Let 127.0.0.0/8 and ::1 through (never private, link-local or metadata addresses). */
  allowLoopback?: boolean;
  /** Host names (lower case, as in the URL) the operator trusts whatever they resolve to. */
  allowHosts?: ReadonlySet<string>;
  resolve?: Resolver;
}

/** A comma-separated host list from the environment (`127.0.0.1,localhost,[::1]`). */
export function hostList(raw: string | undefined): ReadonlySet<string> {
  return new Set(
    (raw ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, ""))
      .filter(Boolean),
  );
}

function refusal(address: string, allowLoopback: boolean): string | null {
  const kind = classifyAddress(address);
  if (!kind) return null;
  if (kind === "loopback" && allowLoopback) return null;
  return kind;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

/**
 * Checks a URL: scheme, credentials, metadata names, and every address its host resolves to.
 * Throws UrlRefused with a message fit for the user.
 */
export async function assertPublicUrl(raw: string, opts: GuardOptions = {}): Promise<{ url: URL; addresses: string[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefused("The URL is not valid");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UrlRefused("Only http and https URLs are allowed");
  if (url.username || url.password) throw new UrlRefused("The URL must not carry credentials");
  const allowLoopback = opts.allowLoopback ?? loopbackAllowed();
  const host = hostOf(url);
  if (opts.allowHosts?.has(host)) return { url, addresses: [] };
  if (METADATA_HOSTS.has(host.replace(/\.$/, ""))) throw new UrlRefused(`${host} is a cloud metadata address`);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (opts.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch (err) {
      throw new UrlRefused(`${host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? "DNS error"})`);
    }
  }
  if (addresses.length === 0) throw new UrlRefused(`${host} did not resolve to any address`);
  for (const a of addresses) {
    const why = refusal(a, allowLoopback);
    if (why) throw new UrlRefused(`${host} resolves to a ${why} address (${a}); ${PUBLIC_ONLY}`);
  }
  return { url, addresses };
}

/**
 * A `lookup` for node:http that applies the same rule to the address actually connected to, so a
 * DNS answer that changes between the check and the request (rebinding) cannot reach inside.
 */
export function guardedLookup(opts: GuardOptions = {}): LookupFunction {
  const allowLoopback = opts.allowLoopback ?? loopbackAllowed();
  return (hostname, options, callback) => {
    const host = hostname.replace(/^\[|\]$/g, "");
    const trusted = opts.allowHosts?.has(host.toLowerCase()) ?? false;
    const resolved: Promise<LookupAddress[]> = isIP(host)
      ? Promise.resolve([{ address: host, family: isIP(host) }])
      : (opts.resolve ?? systemResolver)(host);
    resolved.then(
      (addrs) => {
        const bad = trusted ? undefined : addrs.find((a) => refusal(a.address, allowLoopback));
        if (bad || addrs.length === 0) {
          const err = new UrlRefused(
            bad ? `${host} resolves to a ${refusal(bad.address, allowLoopback)} address (${bad.address}); ${PUBLIC_ONLY}` : `${host} did not resolve`,
          );
          callback(err, "", 4);
          return;
        }
        const wanted = typeof options === "object" && options.family ? addrs.filter((a) => a.family === options.family) : addrs;
        const list = wanted.length > 0 ? wanted : addrs;
        if (typeof options === "object" && options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 4),
    );
  };
}
