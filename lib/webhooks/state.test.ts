import { describe, expect, it } from "vitest";
import { applyEvent, type MessageState } from "./state";
import type { NormalizedEvent, WebhookEventType } from "./types";
import { verifyTwilioSignature } from "@/lib/providers/twilio/verify-webhook";
import { signTwilio } from "@/e2e/simulator/providers/twilio";

const state = (over: Partial<MessageState> = {}): MessageState => ({
  id: "m",
  channel: "email",
  recipient: "a@example.com",
  status: "sent",
  opens: 0,
  uniqueOpens: 0,
  clicks: 0,
  uniqueClicks: 0,
  bounceType: null,
  readAt: null,
  deliveredAt: null,
  failedAt: null,
  errorCode: null,
  errorMessage: null,
  segments: null,
  costAmount: null,
  costCurrency: null,
  ...over,
});
const ev = (type: WebhookEventType, over: Partial<NormalizedEvent> = {}): NormalizedEvent => ({
  eventKey: "k",
  type,
  providerEvent: type,
  occurredAt: new Date("2025-01-01T10:00:00Z"),
  payload: {},
  ...over,
});

describe("applyEvent", () => {
  it("moves forward only and counts delivery once, even when an open overtakes the delivery report", () => {
    const s = state();
    expect(applyEvent(s, ev("open")).usage).toEqual({ delivered: 1, opened: 1 });
    expect(s.status).toBe("opened");
    const late = applyEvent(s, ev("delivered"));
    expect(late.transition).toBeUndefined();
    expect(late.usage).toEqual({});
    expect(s.status).toBe("opened");
  });

  it("counts unique opens and clicks once while totals keep increasing", () => {
    const s = state({ status: "delivered", deliveredAt: new Date() });
    applyEvent(s, ev("open"));
    expect(applyEvent(s, ev("open")).usage).toEqual({});
    expect(applyEvent(s, ev("click")).usage).toEqual({ clicked: 1 });
    expect(applyEvent(s, ev("click")).usage).toEqual({});
    expect(s).toMatchObject({ opens: 2, uniqueOpens: 1, clicks: 2, uniqueClicks: 1, status: "clicked" });
  });

  it("a hard bounce after delivery bounces and suppresses; a failure after delivery changes nothing", () => {
    const s = state({ status: "delivered", deliveredAt: new Date() });
    expect(applyEvent(s, ev("failed")).transition).toBeUndefined();
    const b = applyEvent(s, ev("bounced", { bounceType: "hard" }));
    expect(b).toMatchObject({ transition: { from: "delivered", to: "bounced" }, usage: { bounced: 1, delivered: -1 }, suppress: "hard_bounce" });
    expect(applyEvent(s, ev("open")).usage).toEqual({});
    expect(s.status).toBe("bounced");
  });

  it("a blocked bounce does not suppress; Twilio undelivered becomes undelivered", () => {
    expect(applyEvent(state(), ev("bounced", { bounceType: "block" })).suppress).toBeUndefined();
    const s = state();
    applyEvent(s, ev("failed", { providerEvent: "undelivered", errorCode: "30003" }));
    expect(s).toMatchObject({ status: "undelivered", errorCode: "30003" });
  });

  it("WhatsApp read implies delivery and an open", () => {
    const s = state({ channel: "whatsapp" });
    expect(applyEvent(s, ev("read")).usage).toEqual({ delivered: 1, opened: 1 });
    expect(s.readAt).not.toBeNull();
    expect(s.status).toBe("read");
  });
});

describe("verifyTwilioSignature", () => {
  it("accepts Twilio's signature with or without the default port and refuses another URL", () => {
    const params = { MessageSid: "SM1", MessageStatus: "delivered", To: "+46700000000" };
    const body = Buffer.from(new URLSearchParams(params).toString());
    const sig = signTwilio("tok", "https://herald.example.com:443/api/webhooks/twilio/x", params);
    const base = { authToken: "tok", signature: sig, contentType: "application/x-www-form-urlencoded", rawBody: body };
    expect(verifyTwilioSignature({ ...base, url: "https://herald.example.com/api/webhooks/twilio/x" })).toBe(true);
    expect(verifyTwilioSignature({ ...base, url: "https://herald.example.com/api/webhooks/twilio/y" })).toBe(false);
    expect(verifyTwilioSignature({ ...base, authToken: "other", url: "https://herald.example.com/api/webhooks/twilio/x" })).toBe(false);
  });
});
