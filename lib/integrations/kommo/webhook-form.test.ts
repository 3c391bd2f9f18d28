import { describe, expect, it } from "vitest";
import { redactInput } from "./request-log";
import { contactChangesOf, KommoFormError, parseKommoForm } from "./webhook-form";

const enc = (pairs: [string, string][]) => new URLSearchParams(pairs).toString();

describe("Kommo webhook form", () => {
  it("reads adds, updates and deletes with legacy custom fields, several per delivery", () => {
    const body = enc([
      ["contacts[update][0][id]", "7"],
      ["contacts[update][0][name]", "Ann Lee"],
      ["contacts[update][0][last_modified]", "1700000000"],
      ["contacts[update][0][custom_fields][0][id]", "100"],
      ["contacts[update][0][custom_fields][0][code]", "PHONE"],
      ["contacts[update][0][custom_fields][0][values][0][value]", "+46700000001"],
      ["contacts[update][0][custom_fields][1][code]", "EMAIL"],
      ["contacts[update][0][custom_fields][1][values][0][value]", " ann@example.com "],
      ["contacts[update][0][custom_fields][1][values][1][value]", "ann.work@example.com"],
      ["contacts[add][0][id]", "8"],
      ["contacts[add][0][name]", "Bo"],
      ["contacts[delete][0][id]", "9"],
      ["contacts[add][1][id]", "10"],
      ["account[subdomain]", "acme"],
      ["account[_links][self]", "https://acme.kommo.com"],
    ]);
    expect(contactChangesOf(parseKommoForm(body))).toEqual([
      { action: "add", id: 8, name: "Bo", emails: [], phones: [], modifiedAt: null },
      { action: "add", id: 10, name: null, emails: [], phones: [], modifiedAt: null },
      { action: "update", id: 7, name: "Ann Lee", emails: ["ann@example.com", "ann.work@example.com"], phones: ["+46700000001"], modifiedAt: 1700000000 },
      { action: "delete", id: 9, name: null, emails: [], phones: [], modifiedAt: null },
    ]);
  });

  it("refuses prototype-polluting keys and leaves Object.prototype alone", () => {
    for (const key of ["__proto__[polluted]", "contacts[__proto__][polluted]", "contacts[add][0][constructor][prototype][polluted]", "contacts[prototype]"]) {
      expect(() => parseKommoForm(enc([[key, "yes"]])), key).toThrow(KommoFormError);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const tree = parseKommoForm(enc([["contacts[add][0][id]", "1"]]));
    expect(Object.getPrototypeOf(tree)).toBeNull();
    expect(Object.getPrototypeOf(tree.contacts)).toBeNull();
  });

  it("refuses malformed, conflicting, too deep and huge-index fields and entities without an id", () => {
    const bad: [string, string][][] = [
      [["contacts[add", "1"]],
      [["contacts[add][0]x", "1"]],
      [["contacts[add][0][id]", "1"], ["contacts[add][0][id][x]", "2"]],
      [["a[b][c][d][e][f][g][h][i][j][k]", "1"]],
      [["contacts[add][99999999][id]", "1"]],
      [["contacts[add][][id]", "1"]],
    ];
    for (const pairs of bad) expect(() => parseKommoForm(enc(pairs)), JSON.stringify(pairs)).toThrow(KommoFormError);
    expect(() => contactChangesOf(parseKommoForm(enc([["contacts[add][0][name]", "no id"]])))).toThrow(/valid id/);
  });

  it("redacts secret-named fields and bounds what the request log keeps", () => {
    const out = redactInput({ api_key: "k", nested: { refresh_token: "r", client_secret: "s", ok: "v" }, rows: Array.from({ length: 30 }, (_, i) => i), long: "x".repeat(400) }) as Record<string, any>;  
    expect(out.api_key).toBe("[redacted]");
    expect(out.nested).toEqual({ refresh_token: "[redacted]", client_secret: "[redacted]", ok: "v" });
    expect(out.rows).toHaveLength(21);
    expect(out.long.length).toBeLessThan(310);
  });
});
