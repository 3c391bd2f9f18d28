// From the bytes of a bus message to a send: the catalogue's envelope checked, then mapped onto
// the unified send body the HTTP API takes, so both paths share validation, rendering and limits.
import { createHash } from "node:crypto";
import { zodDetails } from "@/lib/api/errors";
import { inspectJson, JSON_LIMITS } from "@/lib/validations/common";
import { ACTION_EVENT, actionEnvelopeSchema, type ActionEnvelope } from "@/lib/validations/bus";

/** Bodies larger than this are refused unread: no action needs more (its free-form parts are bounded far below). */
export const MAX_ACTION_BYTES = 256 * 1024;

/** A refusal for good: the message goes to the dead-letter queue with this reason. */
export interface Poison {
  code: "invalid_json" | "unknown_event" | "validation_failed" | "payload_too_large" | (string & {});
  reason: string;
  eventName: string | null;
  actionId: string | null;
}

export type ParsedAction = { ok: true; envelope: ActionEnvelope } | { ok: false; poison: Poison };

/** The idempotency key of an action: one message per (tenant, action_id), whatever is redelivered. */
export function actionIdempotencyKey(actionId: string): string {
  return `action:${actionId}`;
}

function describeIssues(details: { path?: string; message: string }[]): string {
  return details
    .slice(0, 5)
    .map((d) => (d.path ? `${d.path}: ${d.message}` : d.message))
    .join("; ");
}

export function parseAction(body: Buffer): ParsedAction {
  const poison = (code: Poison["code"], reason: string, eventName: string | null = null, actionId: string | null = null): ParsedAction => ({
    ok: false,
    poison: { code, reason: reason.slice(0, 1000), eventName, actionId },
  });
  if (body.length > MAX_ACTION_BYTES) return poison("payload_too_large", `The message is ${body.length} bytes; at most ${MAX_ACTION_BYTES} are accepted`);
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch {
    return poison("invalid_json", "The message body is not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return poison("validation_failed", "The message is not a JSON object");
  const obj = raw as Record<string, unknown>;
  const eventName = typeof obj.event === "string" ? obj.event.slice(0, 200) : null;
  const data = typeof obj.data === "object" && obj.data !== null ? (obj.data as Record<string, unknown>) : {};
  const actionId = typeof data.action_id === "string" ? data.action_id.slice(0, 200) : null;
  if (eventName !== ACTION_EVENT) {
    return poison("unknown_event", eventName === null ? "The message has no event name" : `Unknown event type "${eventName}"; Herald consumes ${ACTION_EVENT}`, eventName, actionId);
  }
  const unsafe = inspectJson(raw, JSON_LIMITS);
  if (unsafe) return poison("validation_failed", `${unsafe.path.join(".")}: ${unsafe.message}`, eventName, actionId);
  const parsed = actionEnvelopeSchema.safeParse(raw);
  if (!parsed.success) return poison("validation_failed", describeIssues(zodDetails(parsed.error)), eventName, actionId);
  return { ok: true, envelope: parsed.data };
}

/** Where a send's address goes in the unified body, per channel. */
function addressFields(channel: ActionEnvelope["data"]["channel"], address: string): Record<string, unknown> {
  switch (channel) {
    case "email":
      return { to: [{ email: address }] };
    case "sms":
    case "whatsapp":
      return { to: address };
    case "push":
      return address.startsWith("topic:") ? { topic: address.slice("topic:".length) } : { target: { device_token: address } };
  }
}

/**
 * The unified send body for an action (POST /api/v1/messages would take the same). Returns a
 * poison reason for what the envelope allows but no send can be: a provider template on a
 * channel that has none.
 */
export function sendBodyOf(envelope: ActionEnvelope): { ok: true; body: Record<string, unknown> } | { ok: false; poison: Poison } {
  const d = envelope.data;
  const body: Record<string, unknown> = {
    channel: d.channel,
    idempotency_key: actionIdempotencyKey(d.action_id),
    action_id: d.action_id,
    ...(envelope.context ? { context: envelope.context } : {}),
    ...(d.subscription_topic ? { subscription_topic: d.subscription_topic } : {}),
  };
  if (typeof d.recipient === "string") Object.assign(body, addressFields(d.channel, d.recipient));
  else Object.assign(body, d.recipient);
  if (d.template_kind === "herald") {
    Object.assign(body, { template: d.template_id, data: d.template_data ?? {}, ...(d.locale ? { locale: d.locale } : {}) });
  } else if (d.channel === "email") {
    Object.assign(body, { template_id: d.template_id, ...(d.template_data ? { template_data: d.template_data } : {}) });
  } else if (d.channel === "whatsapp") {
    Object.assign(body, {
      template_name: d.template_id,
      ...(d.locale ? { template_language: d.locale } : {}),
      ...(d.template_parameters ? { template_parameters: d.template_parameters } : {}),
    });
  } else {
    return {
      ok: false,
      poison: { code: "validation_failed", reason: `data.template_kind: ${d.channel} has no provider templates; name a Herald template`, eventName: envelope.event, actionId: d.action_id },
    };
  }
  return { ok: true, body };
}

/** A dead letter's identity: the producer's message id, else the body's hash (a redelivery is the same dead letter). */
export function deadLetterKey(body: Buffer, amqpMessageId: string | undefined): string {
  const hash = createHash("sha256").update(body).digest("hex");
  return amqpMessageId ? `id:${amqpMessageId.slice(0, 200)}:${hash.slice(0, 16)}` : `sha256:${hash}`;
}

/** The body as storable text: invalid UTF-8 replaced, NUL made visible, at most 64 KiB. */
export function storableBody(body: Buffer): { text: string; truncated: boolean } {
  const LIMIT = 64 * 1024;
  const truncated = body.length > LIMIT;
  const text = body
    .subarray(0, LIMIT)
    .toString("utf8")
    .replace(/\u0000/g, "\uFFFD");
  return { text, truncated };
}
