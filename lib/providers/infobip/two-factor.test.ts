// Infobip 2FA against the simulator over real HTTP: app + template once, PIN send, the pinError mapping.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { simConfigBody } from "@/lib/test/delivery";
import { configBody } from "@/lib/test/provider-configs";
import { settingsSchema } from "@/lib/validations/provider-configs";
import type { PinAppStore } from "../adapter";
import type { ConfigOf } from "../config-record";
import { infobipPins } from "./two-factor";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, seed: 3 });
});
afterAll(() => sim.close());

function setup() {
  const account = sim.createAccount({ provider: "infobip" });
  const { credentials, ...rest } = configBody("infobip", { ...simConfigBody(account, sim.url), otp_via_2fa: true }) as Record<string, unknown> & { credentials: Record<string, string> };
  const config = {
    id: randomUUID(),
    tenantId: randomUUID(),
    provider: "infobip",
    displayName: "ib",
    status: "active",
    settings: settingsSchema("infobip").parse(rest),
    credentials: {},
    apiBaseUrl: sim.url,
  } as unknown as ConfigOf<"infobip">;
  const saved = new Map<string, { applicationId: string; messageId: string }>();
  const apps: PinAppStore = { find: async (k) => saved.get(k), save: async (k, app) => (saved.set(k, app), app) };
  return { account, config, credentials, apps, saved };
}

const opts = { timeoutMs: 5_000 };
const request = { to: "+46701234567", messageText: "Code {{pin}}", pinLength: 6, ttlSeconds: 300, maxAttempts: 3 };

describe("Infobip 2FA", () => {
  it("is off unless the config asks for it", () => {
    const { config } = setup();
    expect(infobipPins.enabled(config)).toBe(true);
    expect(infobipPins.enabled({ ...config, settings: { ...config.settings, otp_via_2fa: false } })).toBe(false);
  });

  it("creates the application and template once, sends PINs, maps WRONG_PIN / NO_MORE_PIN_ATTEMPTS / TTL_EXPIRED", async () => {
    const { account, config, credentials, apps, saved } = setup();
    const first = await infobipPins.send(config, credentials, request, apps, opts);
    const second = await infobipPins.send(config, credentials, request, apps, opts);
    expect(saved.size).toBe(1);
    const paths = sim.listRequests({ accountId: account.id }).map((r) => r.path);
    expect(paths.filter((p) => p === "/2fa/2/applications")).toHaveLength(1);
    expect(sim.listRequests({ accountId: account.id })[0]!.body).toMatchObject({
      configuration: { pinAttempts: 3, pinTimeToLive: "5m", allowMultiplePinVerifications: false },
    });
    expect(sim.listRequests({ accountId: account.id }).at(-1)!.body).toMatchObject({ to: "46701234567" });

    const pin = sim.state.infobipTfa.pins.get(first.providerMessageId)!.pin;
    expect(await infobipPins.verify(config, credentials, first.providerMessageId, "x", opts)).toEqual({ verified: false, reason: "wrong_code", attemptsRemaining: 2 });
    expect(await infobipPins.verify(config, credentials, first.providerMessageId, pin, opts)).toEqual({ verified: true });
    expect(await infobipPins.verify(config, credentials, first.providerMessageId, pin, opts)).toMatchObject({ verified: false, reason: "too_many_attempts" });

    sim.state.infobipTfa.pins.get(second.providerMessageId)!.expiresAt = Date.now() - 1;
    expect(await infobipPins.verify(config, credentials, second.providerMessageId, "123456", opts)).toMatchObject({ verified: false, reason: "expired" });
  });
});
