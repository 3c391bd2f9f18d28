import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { assertPublicUrl, classifyAddress, guardedLookup, type Resolver } from "./url-guard";

const fakeDns = (table: Record<string, string[]>): Resolver => async (host) => {
  const addrs = table[host];
  if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return addrs.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
};

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.1.2", "loopback"],
    ["::1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.100.100.200", "carrier-grade NAT"],
    ["0.0.0.0", "unspecified"],
    ["::", "unspecified"],
    ["fd00:ec2::254", "unique-local"],
    ["fc00::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["224.0.0.1", "multicast"],
    ["ff02::1", "multicast"],
    ["255.255.255.255", "broadcast"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["64:ff9b::10.0.0.1", "private"],
  ])("%s is %s", (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111", "100.128.0.1"])("%s is public", (ip) => {
    expect(classifyAddress(ip)).toBeNull();
  });
});

describe("assertPublicUrl", () => {
  const off = { allowLoopback: false };

  it("refuses non-http(s) schemes and URLs with credentials", async () => {
    await expect(assertPublicUrl("ftp://example.com/x", off)).rejects.toThrow(/Only http and https/);
    await expect(assertPublicUrl("file:///etc/passwd", off)).rejects.toThrow(/Only http and https/);
    await expect(assertPublicUrl("https://u:p@example.com/", { ...off, resolve: fakeDns({ "example.com": ["93.184.216.34"] }) })).rejects.toThrow(/credentials/);
  });

  it.each([
    "http://127.0.0.1:8080/hook",
    "http://[::1]/hook",
    "http://10.0.0.5/hook",
    "http://192.168.0.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://2130706433/", // 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::a00:1]/",
    "http://[::7f00:1]/",
    "http://[2002:a00:1::]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2001:0:4136:e378::80ff:fffe]/",
    "http://metadata.google.internal/computeMetadata/v1/",
  ])("refuses %s when loopback is not allowed", async (url) => {
    await expect(assertPublicUrl(url, off)).rejects.toThrow();
  });

  it("refuses a DNS name when any address it resolves to is private or loopback (real resolver for localhost)", async () => {
    await expect(assertPublicUrl("http://localhost:3000/hook", off)).rejects.toThrow(/loopback/);
    const dns = fakeDns({ "internal.example": ["10.20.30.40"], "mixed.example": ["93.184.216.34", "192.168.1.1"], "ok.example": ["93.184.216.34"] });
    await expect(assertPublicUrl("https://internal.example/x", { ...off, resolve: dns })).rejects.toThrow(/private address \(10\.20\.30\.40\)/);
    await expect(assertPublicUrl("https://mixed.example/x", { ...off, resolve: dns })).rejects.toThrow(/private/);
    await expect(assertPublicUrl("https://nowhere.example/x", { ...off, resolve: dns })).rejects.toThrow(/could not be resolved/);
    await expect(assertPublicUrl("https://ok.example/x", { ...off, resolve: dns })).resolves.toMatchObject({ addresses: ["93.184.216.34"] });
  });

  it("HERALD_ALLOW_LOOPBACK_WEBHOOKS lets loopback through, never private or metadata addresses", async () => {
    const on = { allowLoopback: true };
    await expect(assertPublicUrl("http://127.0.0.1:9/x", on)).resolves.toBeTruthy();
    await expect(assertPublicUrl("http://localhost:9/x", on)).resolves.toBeTruthy();
    await expect(assertPublicUrl("http://10.0.0.1/x", on)).rejects.toThrow(/private/);
    await expect(assertPublicUrl("http://169.254.169.254/x", on)).rejects.toThrow(/link-local/);
    const prev = process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS;
    process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "false";
    try {
      await expect(assertPublicUrl("http://127.0.0.1:9/x")).rejects.toThrow(/loopback/);
    } finally {
      process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = prev;
    }
  });

  it("trusts the hosts of an explicit allow-list, at check and at connect time, and nothing else", async () => {
    const allowHosts = new Set(["127.0.0.1", "sim.local"]);
    const resolve = fakeDns({ "sim.local": ["10.9.9.9"] });
    await expect(assertPublicUrl("http://127.0.0.1:4010/", { ...off, allowHosts })).resolves.toBeTruthy();
    await expect(assertPublicUrl("http://sim.local/", { ...off, allowHosts, resolve })).resolves.toBeTruthy();
    await expect(assertPublicUrl("http://127.0.0.2/", { ...off, allowHosts })).rejects.toThrow(/loopback/);
    const lookup = guardedLookup({ ...off, allowHosts, resolve });
    const address = await new Promise((r) => lookup("sim.local", {}, (err, a) => r(err ?? a)));
    expect(address).toBe("10.9.9.9");
  });

  it("the connect-time lookup refuses a name that now resolves inside (DNS rebinding)", async () => {
    const lookup = guardedLookup({ allowLoopback: false, resolve: fakeDns({ "rebind.example": ["127.0.0.1"], "ok.example": ["93.184.216.34"] }) });
    const run = (host: string) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string }>((resolve) =>
        lookup(host, {}, (err, address) => resolve({ err, address: address as string })),
      );
    const bad = await run("rebind.example");
    expect(bad.err?.message).toMatch(/loopback address/);
    const good = await run("ok.example");
    expect(good).toEqual({ err: null, address: "93.184.216.34" });
  });
});
