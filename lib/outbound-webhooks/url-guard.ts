// SSRF guard for tenants' webhook URLs: http(s) only, and every address the host resolves to must be public.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

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

const v4: [string, number, string][] = [
  ["0.0.0.0", 8, "unspecified"],
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"],
  ["192.0.2.0", 24, "reserved"],
  ["192.88.99.0", 24, "reserved"],
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"],
  ["198.51.100.0", 24, "reserved"],
  ["203.0.113.0", 24, "reserved"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];
const v6: [string, number, string][] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["100::", 64, "reserved"],
  ["2001:db8::", 32, "reserved"],
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

const lists = new Map<string, BlockList>();
for (const [net, prefix, kind] of v4) {
  const l = lists.get(kind) ?? new BlockList();
  l.addSubnet(net, prefix, "ipv4");
  lists.set(kind, l);
}
for (const [net, prefix, kind] of v6) {
  const l = lists.get(kind) ?? new BlockList();
  l.addSubnet(net, prefix, "ipv6");
  lists.set(kind, l);
}

/** Cloud metadata services answer on these names (their addresses are link-local or private anyway). */
const METADATA_HOSTS = new Set(["metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);

/** An IPv4 address hidden in an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), else undefined. */
function embeddedV4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return undefined;
}

/** Why an address may not receive webhooks ("private", "loopback", …), or null when it is public. */
export function classifyAddress(address: string): string | null {
  const inner = isIP(address) === 6 ? embeddedV4(address) : undefined;
  const ip = inner ?? address;
  const family = isIP(ip);
  if (family === 0) return "invalid";
  const type = family === 4 ? "ipv4" : "ipv6";
  if (ip === "255.255.255.255") return "broadcast";
  for (const [kind, list] of lists) if (list.check(ip, type)) return kind;
  return null;
}

export class WebhookUrlRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookUrlRefused";
  }
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
 * Throws WebhookUrlRefused with a message fit for the user.
 */
export async function assertPublicWebhookUrl(
  raw: string,
  opts: { allowLoopback?: boolean; resolve?: Resolver } = {},
): Promise<{ url: URL; addresses: string[] }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlRefused("The URL is not valid");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new WebhookUrlRefused("Only http and https URLs are allowed");
  if (url.username || url.password) throw new WebhookUrlRefused("The URL must not carry credentials");
  const allowLoopback = opts.allowLoopback ?? loopbackAllowed();
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host.replace(/\.$/, ""))) throw new WebhookUrlRefused(`${host} is a cloud metadata address`);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (opts.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch (err) {
      throw new WebhookUrlRefused(`${host} could not be resolved (${(err as NodeJS.ErrnoException).code ?? "DNS error"})`);
    }
  }
  if (addresses.length === 0) throw new WebhookUrlRefused(`${host} did not resolve to any address`);
  for (const a of addresses) {
    const why = refusal(a, allowLoopback);
    if (why) throw new WebhookUrlRefused(`${host} resolves to a ${why} address (${a}); webhooks go to public addresses only`);
  }
  return { url, addresses };
}

/**
 * A `lookup` for node:http that applies the same rule to the address actually connected to, so a
 * DNS answer that changes between the check and the request (rebinding) cannot reach inside.
 */
export function guardedLookup(opts: { allowLoopback?: boolean; resolve?: Resolver } = {}): LookupFunction {
  const allowLoopback = opts.allowLoopback ?? loopbackAllowed();
  return (hostname, options, callback) => {
    const host = hostname.replace(/^\[|\]$/g, "");
    const resolved: Promise<LookupAddress[]> = isIP(host)
      ? Promise.resolve([{ address: host, family: isIP(host) }])
      : (opts.resolve ?? systemResolver)(host);
    resolved.then(
      (addrs) => {
        const bad = addrs.find((a) => refusal(a.address, allowLoopback));
        if (bad || addrs.length === 0) {
          const err = new WebhookUrlRefused(
            bad ? `${host} resolves to a ${refusal(bad.address, allowLoopback)} address (${bad.address})` : `${host} did not resolve`,
          ) as WebhookUrlRefused & { code: string };
          err.code = "EWEBHOOKREFUSED";
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
