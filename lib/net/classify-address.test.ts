import { describe, expect, it } from "vitest";
import { classifyAddress, embeddedIPv4 } from "./classify-address";

// Every IPv6 form that carries an IPv4 address is judged by that address (issue 11, hole 5).
describe("IPv6 forms that embed an IPv4 address", () => {
  it.each([
    // form, address, embedded, verdict
    ["mapped", "::ffff:127.0.0.1", ["127.0.0.1"], "loopback"],
    ["mapped (hex)", "::ffff:a9fe:a9fe", ["169.254.169.254"], "link-local"],
    ["mapped, expanded", "0:0:0:0:0:ffff:0a00:0001", ["10.0.0.1"], "private"],
    ["translated (RFC 6145)", "::ffff:0:7f00:1", ["127.0.0.1"], "loopback"],
    ["compatible", "::a00:1", ["10.0.0.1"], "private"],
    ["compatible", "::7f00:1", ["127.0.0.1"], "loopback"],
    ["compatible (dotted)", "::192.168.1.1", ["192.168.1.1"], "private"],
    ["compatible", "::a9fe:a9fe", ["169.254.169.254"], "link-local"],
    ["6to4", "2002:a00:1::", ["10.0.0.1"], "private"],
    ["6to4", "2002:7f00:1::1", ["127.0.0.1"], "loopback"],
    ["6to4", "2002:a9fe:a9fe:1::", ["169.254.169.254"], "link-local"],
    ["NAT64", "64:ff9b::10.0.0.1", ["10.0.0.1"], "private"],
    ["NAT64 (hex)", "64:ff9b::7f00:1", ["127.0.0.1"], "loopback"],
    ["NAT64 (hex)", "64:ff9b::a9fe:a9fe", ["169.254.169.254"], "link-local"],
    // Teredo: server 65.54.227.120 (public), client ~(0x3fff,0xfdd2) = 192.0.2.45 (reserved)
    ["Teredo, client inside", "2001:0:4136:e378:8000:63bf:3fff:fdd2", ["65.54.227.120", "192.0.2.45"], "reserved"],
    // Teredo: client ~(0x80ff,0xfffe) = 127.0.0.1
    ["Teredo, client loopback", "2001:0:4136:e378::80ff:fffe", ["65.54.227.120", "127.0.0.1"], "loopback"],
    // Teredo: server 10.0.0.1, client ~(0xf7f7,0xf7f7) = 8.8.8.8
    ["Teredo, server inside", "2001:0:a00:1::f7f7:f7f7", ["10.0.0.1", "8.8.8.8"], "private"],
  ])("%s %s carries %j and is %s", (_form, address, embedded, verdict) => {
    expect(embeddedIPv4(address)).toEqual(embedded);
    expect(classifyAddress(address)).toBe(verdict);
  });

  it.each([
    ["mapped", "::ffff:8.8.8.8"],
    ["compatible", "::808:808"],
    ["6to4", "2002:808:808::1"],
    ["NAT64", "64:ff9b::808:808"],
    ["Teredo", "2001:0:4136:e378::f7f7:f7f7"],
  ])("%s %s of a public IPv4 address is public", (_form, address) => {
    expect(classifyAddress(address)).toBeNull();
  });

  it.each([
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["64:ff9b:1::a00:1", "reserved"],
    ["2606:4700:4700::1111", null],
    ["not-an-ip", "invalid"],
  ])("%s is %s", (address, verdict) => {
    expect(classifyAddress(address)).toBe(verdict);
  });
});
