import { describe, expect, it } from "vitest";
import { providerKinds } from "@/db/schema/provider-configs";
import { providerDefinitions, webhookProviderKinds } from "./definitions";
import { providerRegistry } from "./registry";

// The type of the registries makes them exhaustive; these are the agreements types cannot express.
describe("provider registry", () => {
  it("has one module per kind, each with that kind's definition and adapter", () => {
    expect(Object.keys(providerRegistry).sort()).toEqual([...providerKinds].sort());
    for (const kind of providerKinds) {
      const m = providerRegistry[kind];
      expect(m.definition).toBe(providerDefinitions[kind]);
      expect(m.definition.kind).toBe(kind);
      expect(m.adapter.provider).toBe(kind);
    }
  });

  it("has a webhook handler exactly for the providers whose definition says they post webhooks", () => {
    const withHandler = providerKinds.filter((k) => providerRegistry[k].webhook !== null);
    expect(withHandler).toEqual(webhookProviderKinds);
  });

  it("polls for delivery reports only where the provider posts none: an SMS or WhatsApp provider without a webhook", () => {
    for (const kind of providerKinds) {
      const m = providerRegistry[kind];
      const needsPoll = m.webhook === null && (m.definition.channel === "sms" || m.definition.channel === "whatsapp");
      expect(m.pollReports !== null, kind).toBe(needsPoll);
    }
    expect(providerKinds.filter((k) => providerRegistry[k].pollReports !== null)).toEqual(["netgsm"]);
  });

  it("orders each channel's default route without ties", () => {
    const seen = new Set<string>();
    for (const d of Object.values(providerDefinitions)) {
      const key = `${d.channel}:${d.routing.order}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });
});
