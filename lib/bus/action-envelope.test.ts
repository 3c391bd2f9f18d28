import { describe, expect, it } from "vitest";
import { deadLetterKey, MAX_ACTION_BYTES, parseAction, sendBodyOf, storableBody } from "./action-envelope";

const envelope = (data: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  event: "action.execute.requested.v1",
  meta: { trace_id: "01a2b3c4d5e6f7g8h9i0", producer_service: "action-service", produced_at: "2026-03-11T15:22:16.500Z" },
  context: { device_id: "400000011D081B70", raw_id: 12345, stream_id: 9823412 },
  data: { action_id: "act_9823412_001", channel: "sms", recipient: "+46701234567", template_id: "voltage_high_warning", template_data: { v: 250 }, ...data },
  ...extra,
});
const buf = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

describe("parseAction", () => {
  it("accepts the catalogue's envelope and maps it onto a unified send keyed by the action id", () => {
    const parsed = parseAction(buf(envelope()));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(sendBodyOf(parsed.envelope)).toEqual({
      ok: true,
      body: {
        channel: "sms",
        idempotency_key: "action:act_9823412_001",
        action_id: "act_9823412_001",
        context: { device_id: "400000011D081B70", raw_id: 12345, stream_id: 9823412 },
        to: "+46701234567",
        template: "voltage_high_warning",
        data: { v: 250 },
      },
    });
  });

  it("maps recipients per channel and contact references as they are", () => {
    const body = (data: Record<string, unknown>) => {
      const p = parseAction(buf(envelope(data)));
      if (!p.ok) throw new Error(p.poison.reason);
      const m = sendBodyOf(p.envelope);
      if (!m.ok) throw new Error(m.poison.reason);
      return m.body;
    };
    expect(body({ channel: "email", recipient: "a@example.com" })).toMatchObject({ to: [{ email: "a@example.com" }] });
    expect(body({ channel: "push", recipient: "tok123" })).toMatchObject({ target: { device_token: "tok123" } });
    expect(body({ channel: "push", recipient: "topic:alerts" })).toMatchObject({ topic: "alerts" });
    expect(body({ recipient: { external_id: "c-1" } })).toMatchObject({ external_id: "c-1" });
    expect(body({ channel: "email", recipient: "a@example.com", template_kind: "provider", template_id: "d-123" })).toMatchObject({ template_id: "d-123", template_data: { v: 250 } });
    expect(body({ channel: "whatsapp", template_kind: "provider", template_id: "alert_v2", locale: "tr", template_parameters: ["250"] })).toMatchObject({
      template_name: "alert_v2",
      template_language: "tr",
      template_parameters: ["250"],
    });
  });

  it("names the reason of every refusal", () => {
    const reason = (b: Buffer) => {
      const p = parseAction(b);
      if (p.ok) {
        const m = sendBodyOf(p.envelope);
        return m.ok ? null : m.poison;
      }
      return p.poison;
    };
    expect(reason(buf('{"event": "action.execute.requested.v1", "data": '))).toMatchObject({ code: "invalid_json" });
    expect(reason(buf("[1,2]"))).toMatchObject({ code: "validation_failed" });
    expect(reason(buf(envelope({}, { event: "action.cancel.requested.v1" })))).toMatchObject({ code: "unknown_event", eventName: "action.cancel.requested.v1", actionId: "act_9823412_001" });
    expect(reason(buf(envelope({ recipient: undefined })))).toMatchObject({ code: "validation_failed", reason: expect.stringContaining("data.recipient") });
    expect(reason(buf(envelope({ channel: "fax" })))).toMatchObject({ code: "validation_failed", reason: expect.stringContaining("data.channel") });
    expect(reason(buf(envelope({}, { meta: { trace_id: "bad trace!" } }))))
      .toMatchObject({ code: "validation_failed", reason: expect.stringContaining("meta.trace_id") });
    expect(reason(buf(envelope({ template_id: "x\u0000y" })))).toMatchObject({ code: "validation_failed" });
    expect(reason(buf(envelope({ template_kind: "provider" })))).toMatchObject({ code: "validation_failed", reason: expect.stringContaining("template_kind") });
    expect(reason(Buffer.alloc(MAX_ACTION_BYTES + 1, 0x20))).toMatchObject({ code: "payload_too_large" });
  });

  it("stores any body as text and keys a redelivery to the same dead letter", () => {
    const weird = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x7d]);
    const stored = storableBody(weird);
    expect(stored.text).not.toContain("\u0000");
    expect(stored.truncated).toBe(false);
    expect(deadLetterKey(weird, undefined)).toBe(deadLetterKey(weird, undefined));
    expect(deadLetterKey(weird, "m-1")).not.toBe(deadLetterKey(weird, "m-2"));
  });
});
