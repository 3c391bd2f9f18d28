// The Netgsm adapter and credential check against the simulator's Netgsm module over real HTTP:
// the request it sends, and each answer code class mapped to Herald's delivery classes.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { simConfigBody } from "@/lib/test/delivery";
import { configBody } from "@/lib/test/provider-configs";
import { settingsSchema } from "@/lib/validations/provider-configs";
import { ProviderSendError, type OutboundMessage } from "../adapter";
import type { ConfigOf } from "../config-record";
import { runCredentialCheck } from "../credential-checks";
import { checkNetgsmCredentials } from "./check-credentials";
import { netgsmAdapter } from "./send";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ seed: 3 });
});
afterAll(async () => {
  await sim.close();
});

function simConfig(settings: Record<string, unknown> = {}) {
  const account = sim.createAccount({ provider: "netgsm" });
  const { credentials, ...rest } = configBody("netgsm", simConfigBody(account, sim.url)) as Record<string, unknown> & { credentials: Record<string, string> };
  const config = {
    id: randomUUID(),
    tenantId: randomUUID(),
    provider: "netgsm",
    displayName: String(rest.display_name),
    status: "active",
    settings: settingsSchema("netgsm").parse({ ...rest, ...settings }),
    credentials: {},
    apiBaseUrl: sim.url,
  } as unknown as ConfigOf<"netgsm">;
  return { config, credentials, account };
}

const sms = (to: string, body = "Merhaba"): OutboundMessage => {
  const id = randomUUID();
  return { id, tenantId: randomUUID(), channel: "sms", recipient: to, providerReference: `hm_${id}`, templateId: null, payload: { to, body } };
};
const opts = { timeoutMs: 5_000 };

async function sendError(p: Promise<unknown>): Promise<ProviderSendError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderSendError);
  return err as ProviderSendError;
}

describe("netgsm adapter", () => {
  it("posts the documented JSON body with Basic auth and returns the job id", async () => {
    const { config, credentials, account } = simConfig({ iys_filter: "11", partner_code: "P42" });
    const result = await netgsmAdapter.send(config, credentials, sms("+905321234567"), opts);
    expect(result.providerMessageId).toMatch(/^\d{10}$/);
    const req = sim.listRequests({ accountId: account.id }).at(-1)!;
    expect(req).toMatchObject({ method: "POST", path: "/sms/rest/v2/send", status: 200 });
    expect(req.body).toEqual({ msgheader: "HERALD", encoding: "TR", iysfilter: "11", partnercode: "P42", messages: [{ msg: "Merhaba", no: "5321234567" }] });
    expect(sim.getMessage(result.providerMessageId).recipients).toEqual(["5321234567"]);
  });

  it("refuses a non-Turkish number before calling Netgsm", async () => {
    const { config, credentials, account } = simConfig();
    const err = await sendError(netgsmAdapter.send(config, credentials, sms("+46700000001"), opts));
    expect(err).toMatchObject({ kind: "invalid_recipient", code: "not_turkish_mobile" });
    expect(sim.listRequests({ accountId: account.id })).toHaveLength(0);
  });

  it.each([
    // [what the simulator is made to answer, Netgsm code, Herald class]
    ["wrong password", "30", "auth"],
    ["an undefined sender header", "40", "auth"],
    ["a text that is too long", "20", "rejected"],
    ["an IYS-restricted recipient", "50", "invalid_recipient"],
    ["the account's send-rate limit", "80", "rate_limited"],
    ["a system error", "100", "retryable"],
  ] as const)("maps %s (code %s) to %s", async (what, code, kind) => {
    const { config, credentials, account } = simConfig(what === "an undefined sender header" ? { msgheader: "NOTDEFINED" } : {});
    let text = "Merhaba";
    if (what === "wrong password") credentials.password_ref = "wrong-password";
    if (what === "a text that is too long") text = "x".repeat(2000);
    if (what === "an IYS-restricted recipient") sim.addFailureRule({ accountId: account.id, mode: "invalid_recipient", count: 1 });
    if (what === "the account's send-rate limit") sim.addFailureRule({ accountId: account.id, mode: "rate_limit", count: 1 });
    if (what === "a system error") sim.addFailureRule({ accountId: account.id, mode: "server_error", status: 500, count: 1 });
    const err = await sendError(netgsmAdapter.send(config, credentials, sms("+905321234568", text), opts));
    expect(err).toMatchObject({ code, kind });
    expect(err.retryable).toBe(kind === "rate_limited" || kind === "retryable");
  });

  it("maps more than 20 jobs to one number within a minute (code 85) to rate_limited", async () => {
    const { config, credentials } = simConfig();
    for (let i = 0; i < 20; i++) await netgsmAdapter.send(config, credentials, sms("+905321234569"), opts);
    const err = await sendError(netgsmAdapter.send(config, credentials, sms("+905321234569"), opts));
    expect(err).toMatchObject({ code: "85", kind: "rate_limited" });
    expect(err.retryAfterMs).toBe(60_000);
  });
});

describe("netgsm credential check", () => {
  it("passes with the account's credentials and answers auth for a wrong password", async () => {
    const { config, credentials } = simConfig();
    const input = { provider: "netgsm" as const, configId: config.id, settings: config.settings as Record<string, unknown>, apiBaseUrl: sim.url };
    expect(await runCredentialCheck(checkNetgsmCredentials, { ...input, credentials })).toMatchObject({ outcome: "ok" });
    const bad = await runCredentialCheck(checkNetgsmCredentials, { ...input, credentials: { ...credentials, password_ref: "wrong-password" } });
    expect(bad).toMatchObject({ outcome: "auth" });
    expect(bad.message).not.toContain("wrong-password");
  });
});
