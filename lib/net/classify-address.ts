// Which addresses Herald refuses to connect to on a tenant's behalf (webhook endpoints, provider base URLs).
import { BlockList, isIP } from "node:net";
import ipaddr from "ipaddr.js";

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
  // Local-use NAT64 (RFC 8215): translates into the operator's own network, and where the IPv4
  // address sits depends on a prefix length Herald cannot know.
  ["64:ff9b:1::", 48, "reserved"],
  ["100::", 64, "reserved"],
  ["2001:db8::", 32, "reserved"],
  ["fc00::", 7, "unique-local"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

const lists = new Map<string, BlockList>();
for (const [rows, type] of [
  [v4, "ipv4"],
  [v6, "ipv6"],
] as const) {
  for (const [net, prefix, kind] of rows) {
    const l = lists.get(kind) ?? new BlockList();
    l.addSubnet(net, prefix, type);
    lists.set(kind, l);
  }
}

const v4From = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 addresses an IPv6 address carries, for every form a router or the host's own stack
 * may turn into an IPv4 connection: mapped (::ffff:0:0/96), translated (::ffff:0:0:0/96),
 * compatible (::/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16, bits 16–47) and Teredo (2001::/32:
 * the server at bits 32–63 and the client, inverted, at bits 96–127). Empty for any other address.
 */
export function embeddedIPv4(address: string): string[] {
  if (!ipaddr.IPv6.isValid(address)) return [];
  const p = ipaddr.IPv6.parse(address).parts;
  const zero = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  const last = v4From(p[6]!, p[7]!);
  if (zero(0, 5) && p[5] === 0xffff) return [last];
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return [last];
  if (zero(0, 6)) return p[6] === 0 && p[7]! <= 1 ? [] : [last]; // :: and ::1 are themselves
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(2, 6)) return [last];
  if (p[0] === 0x2002) return [v4From(p[1]!, p[2]!)];
  if (p[0] === 0x2001 && p[1] === 0) return [v4From(p[2]!, p[3]!), v4From(~p[6]! & 0xffff, ~p[7]! & 0xffff)];
  return [];
}

function classifyPlain(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return "invalid";
  if (ip === "255.255.255.255") return "broadcast";
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const [kind, list] of lists) if (list.check(ip, type)) return kind;
  return null;
}

/** Why an address may not be connected to ("private", "loopback", …), or null when it is public. */
export function classifyAddress(address: string): string | null {
  const plain = classifyPlain(address);
  if (plain) return plain;
  for (const inner of embeddedIPv4(address)) {
    const kind = classifyPlain(inner);
    if (kind) return kind;
  }
  return null;
}
