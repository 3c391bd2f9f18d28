// Changes after scheduling, against real Postgres (the firing called directly, no job engine):
// a move re-plans what was not sent, a cancel withdraws pending sends and sends the notice, a
// contact added after a firing gets only later reminders (or a catch-up), a removed contact's
// sends are withdrawn; racing workers, quiet hours and first-available fall-back; scheduled sends.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages, reminderSends } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { createContact } from "@/lib/contacts";
import { cancelMessage } from "@/lib/messaging/cancel-message";
import { sendMessage } from "@/lib/messaging/send-message";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext } from "@/lib/test/factories";
import { createTemplate, publishTemplate } from "@/lib/templates/templates";
import type { TenantContext } from "@/lib/tenancy/context";
import type { RuleBody } from "@/lib/validations/reminders";
import { ruleBody } from "@/lib/validations/reminders";
import { shiftReminderClock } from "./clock";
import { cancelEvent, createEvent, getEvent, updateEvent } from "./events";
import { sendRunChunk, startFiring } from "./fire";
import { listRuns } from "./runs";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 16, autoDelivery: false });
});
beforeEach(() => shiftReminderClock(0));
afterAll(async () => {
  shiftReminderClock(0);
  await sim?.close();
  await closeDb();
});

const DAY = 86_400_000;
const template = {
  key: "reminder",
  name: "Reminder",
  category: "reminders" as const,
  content: { default_locale: "en", locales: { en: { email: { subject: "{{ event.title }}", html: "<p>{{ event.title }} at {{ event.time }}</p>" }, sms: { body: "{{ event.title }} {{ event.time }}" } } } },
};

async function tenant() {
  const ctx = await makeContext("staff");
  await makeSimConfig(ctx, sim, "sendgrid");
  await makeSimConfig(ctx, sim, "elks");
  await createTemplate(ctx, template);
  await publishTemplate(ctx, template.key, {});
  return ctx;
}

let n = 0;
async function player(ctx: TenantContext, extra: Record<string, unknown> = {}) {
  n++;
  return createContact(ctx, { name: `P${n}`, email: `p${n}-${ctx.tenantId.slice(0, 6)}@example.com`, phone: `+46700002${String(n).padStart(3, "0")}`, timezone: "Europe/Stockholm", ...extra } as never);
}

const rule = (r: Partial<RuleBody> & Pick<RuleBody, "channels">) => ruleBody.parse({ offset: "-24h", ...r });
const both = [{ channel: "email" as const, template: "reminder" }, { channel: "sms" as const, template: "reminder" }];

/** Moves the reminder clock to `at` and fires every due run to the end, as the tick and workers would. */
async function fireDue(ctx: TenantContext, eventId: string, at: Date) {
  shiftReminderClock(at.getTime() - Date.now());
  for (const r of (await listRuns(ctx, { event_id: eventId, upcoming: true, limit: 50 })).data) {
    if (new Date(r.scheduled_at) > at) continue;
    const s = await startFiring(ctx.tenantId, r.id);
    if (s.status === "running") for (const c of s.chunks) await sendRunChunk({ tenantId: ctx.tenantId, runId: r.id, ...c });
  }
}

const ruleNamed = (e: { reminders: { id: string; name: string }[] }, name: string) => e.reminders.find((r) => r.name === name)!;

async function sends(eventId: string) {
  return getDb().select().from(reminderSends).where(eq(reminderSends.eventId, eventId));
}

async function messageCount(tenantId: string) {
  return (await getDb().select({ id: messages.id }).from(messages).where(eq(messages.tenantId, tenantId))).length;
}

describe("changes after scheduling", () => {
  it("a move re-plans what has not been sent; what was sent stays history", async () => {
    const ctx = await tenant();
    const a = await player(ctx);
    const start = new Date(Date.now() + 10 * DAY);
    const event = await createEvent(ctx, {
      title: "Cup",
      starts_at: start.toISOString(),
      timezone: "Europe/Stockholm",
      audience: { kind: "contacts", contact_ids: [a.id] },
      reminders: [rule({ name: "week", offset: "-7d", channels: both }), rule({ name: "day", offset: "-24h", channels: both })],
    } as never);
    await fireDue(ctx, event.id, new Date(start.getTime() - 7 * DAY + 60_000));
    expect(await messageCount(ctx.tenantId)).toBe(2);

    const moved = await updateEvent(ctx, event.id, { starts_at: new Date(start.getTime() + 2 * DAY).toISOString() });
    expect(moved.status).toBe("moved");
    const rows = await sends(event.id);
    const weekBefore = rows.filter((r) => r.ruleId === ruleNamed(event, "week").id);
    const dayBefore = rows.filter((r) => r.ruleId === ruleNamed(event, "day").id);
    expect(weekBefore.every((r) => r.status === "queued")).toBe(true);
    expect(dayBefore.every((r) => r.status === "planned" && r.scheduledAt.getTime() === start.getTime() + DAY)).toBe(true);
    expect(moved.next_firing?.at).toBe(new Date(start.getTime() + DAY).toISOString());
    // The old instant's run is gone (it never fired); the new one fires on the new day.
    await fireDue(ctx, event.id, new Date(start.getTime() + DAY + 60_000));
    expect(await messageCount(ctx.tenantId)).toBe(4);
  });

  it("a cancel withdraws pending sends and sends the cancellation notice", async () => {
    const ctx = await tenant();
    const [a, b] = [await player(ctx), await player(ctx)];
    const start = new Date(Date.now() + 5 * DAY);
    const event = await createEvent(ctx, {
      title: "Final",
      starts_at: start.toISOString(),
      timezone: "Europe/Stockholm",
      audience: { kind: "contacts", contact_ids: [a.id, b.id] },
      reminders: [rule({ channels: both })],
      cancellation_notice: { channels: [{ channel: "sms", template: "reminder" }], channel_policy: "all" },
    } as never);
    const cancelled = await cancelEvent(ctx, event.id);
    expect(cancelled.status).toBe("cancelled");
    const rows = await sends(event.id);
    expect(rows.filter((r) => r.ruleId === event.reminders[0]!.id).map((r) => [r.status, r.reason])).toEqual(Array(4).fill(["cancelled", "event_cancelled"]));
    const notice = cancelled.reminders.find((r) => r.purpose === "cancellation_notice")!;
    expect(notice.channels).toEqual([{ channel: "sms", template: "reminder" }]);
    await fireDue(ctx, event.id, new Date(Date.now() + 60_000));
    const sent = await getDb().select().from(messages).where(eq(messages.tenantId, ctx.tenantId));
    expect(sent.map((m) => m.channel)).toEqual(["sms", "sms"]);
    // Cancelling again changes nothing.
    await cancelEvent(ctx, event.id);
    expect((await getEvent(ctx, event.id)).reminders.filter((r) => r.purpose === "cancellation_notice")).toHaveLength(1);
  });

  it("a contact added after a firing gets only later reminders, or a catch-up when the rule says so", async () => {
    const ctx = await tenant();
    const a = await player(ctx);
    const start = new Date(Date.now() + 10 * DAY);
    const event = await createEvent(ctx, {
      title: "League",
      starts_at: start.toISOString(),
      timezone: "Europe/Stockholm",
      audience: { kind: "contacts", contact_ids: [a.id] },
      reminders: [rule({ name: "r0", offset: "-7d", channels: [both[0]!] }), rule({ name: "r1", offset: "-6d", channels: [both[1]!], catch_up: true }), rule({ name: "r2", offset: "-24h", channels: [both[0]!] })],
    } as never);
    await fireDue(ctx, event.id, new Date(start.getTime() - 6 * DAY + 60_000));
    expect(await messageCount(ctx.tenantId)).toBe(2);

    const late = await player(ctx);
    await updateEvent(ctx, event.id, { audience: { kind: "contacts", contact_ids: [a.id, late.id] } });
    const mine = (await sends(event.id)).filter((r) => r.contactId === late.id);
    const byRule = (i: number) => mine.find((r) => r.ruleId === ruleNamed(event, `r${i}`).id)!;
    expect([byRule(0).status, byRule(0).reason]).toEqual(["cancelled", "joined_after_firing"]);
    expect(byRule(1).status).toBe("planned"); // the catch-up rule re-opened its run
    expect(byRule(2).status).toBe("planned");
    await fireDue(ctx, event.id, new Date(start.getTime() - 6 * DAY + 120_000));
    const lateMessages = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.contactId, late.id)));
    expect(lateMessages.map((m) => m.channel)).toEqual(["sms"]);
    // The catch-up belongs to the rule's original run, with the key of its instant.
    expect(lateMessages[0]!.idempotencyKey).toContain(`:${ruleNamed(event, "r1").id}:sms:${new Date(start.getTime() - 6 * DAY).toISOString()}`);
  });

  it("removing a contact cancels its pending sends", async () => {
    const ctx = await tenant();
    const [a, b] = [await player(ctx), await player(ctx)];
    const start = new Date(Date.now() + 3 * DAY);
    const event = await createEvent(ctx, {
      title: "Open",
      starts_at: start.toISOString(),
      timezone: "Europe/Stockholm",
      audience: { kind: "contacts", contact_ids: [a.id, b.id] },
      reminders: [rule({ channels: both })],
    } as never);
    await updateEvent(ctx, event.id, { audience: { kind: "contacts", contact_ids: [a.id] } });
    const rows = await sends(event.id);
    expect(rows.filter((r) => r.contactId === b.id).map((r) => [r.status, r.reason])).toEqual([
      ["cancelled", "removed_from_audience"],
      ["cancelled", "removed_from_audience"],
    ]);
    await fireDue(ctx, event.id, new Date(start.getTime() - DAY + 60_000));
    const [run] = (await listRuns(ctx, { event_id: event.id, upcoming: false, limit: 5 })).data;
    expect(run!.counts).toMatchObject({ planned: 4, messages: 2, cancelled: 2, pending: 0 });
  });
});

describe("firing", () => {
  it("two workers racing on one chunk create each message once", async () => {
    const ctx = await tenant();
    const people = await Promise.all([1, 2, 3, 4].map(() => player(ctx)));
    const start = new Date(Date.now() + 2 * DAY);
    const event = await createEvent(ctx, { title: "Race", starts_at: start.toISOString(), timezone: "Europe/Stockholm", audience: { kind: "contacts", contact_ids: people.map((p) => p.id) }, reminders: [rule({ channels: both })] } as never);
    shiftReminderClock(start.getTime() - DAY + 60_000 - Date.now());
    const runId = event.next_firing!.run_id;
    const [s1, s2] = await Promise.all([startFiring(ctx.tenantId, runId), startFiring(ctx.tenantId, runId)]);
    const started = [s1, s2].filter((s) => s.status === "running");
    expect(started).toHaveLength(1);
    const chunk = (started[0] as { chunks: { from: string; to: string | null }[] }).chunks[0]!;
    await Promise.all([1, 2, 3].map(() => sendRunChunk({ tenantId: ctx.tenantId, runId, ...chunk })));
    expect(await messageCount(ctx.tenantId)).toBe(8);
    const [run] = (await listRuns(ctx, { event_id: event.id, upcoming: false, limit: 5 })).data;
    expect(run).toMatchObject({ status: "completed", counts: { planned: 8, messages: 8, done: 0 } });
  });

  it("quiet hours move an SMS to the window's end or skip it past the event; first-available falls back", async () => {
    const ctx = await tenant();
    const noPhone = await player(ctx, { phone: null });
    const withPhone = await player(ctx);
    // 23:30 Stockholm on a summer day: the SMS of the "-30m" rule falls in 21:00–08:00, and 08:00 is after the start.
    const start = new Date("2027-06-15T21:30:00Z");
    shiftReminderClock(new Date("2027-06-10T12:00:00Z").getTime() - Date.now());
    const event = await createEvent(ctx, {
      title: "Night",
      starts_at: start.toISOString(),
      timezone: "Europe/Stockholm",
      audience: { kind: "contacts", contact_ids: [noPhone.id, withPhone.id] },
      reminders: [
        rule({ name: "quiet", offset: "-30m", channels: both, quiet_hours: { start: "21:00", end: "08:00", channels: ["sms"] } }),
        rule({ name: "first", offset: "-3h", channels: [both[1]!, both[0]!], channel_policy: "first_available" }),
      ],
    } as never);
    await fireDue(ctx, event.id, new Date(start.getTime() + 60_000));
    const runs = (await listRuns(ctx, { event_id: event.id, upcoming: false, limit: 10 })).data;
    const quiet = runs.find((r) => r.rule_id === ruleNamed(event, "quiet").id)!;
    expect(quiet.counts).toMatchObject({ planned: 4, messages: 2, skipped: 2, skipped_by_reason: { quiet_hours: 2 } });
    const first = runs.find((r) => r.rule_id === ruleNamed(event, "first").id)!;
    expect(first.counts).toMatchObject({ planned: 2, messages: 2, skipped: 0 });
    const fallback = await getDb().select().from(messages).where(and(eq(messages.reminderRunId, first.id), eq(messages.contactId, noPhone.id)));
    expect(fallback.map((m) => m.channel)).toEqual(["email"]);
  });
});

describe("scheduled sends", () => {
  it("holds a send_at message as scheduled and cancels it before its time, once", async () => {
    const ctx = await tenant();
    const sendAt = new Date(Date.now() + 3600_000).toISOString();
    const out = await sendMessage(ctx, { channel: "sms", payload: { to: "+46700003001", body: "Later" }, sendAt }, { endpoint: "messages" });
    expect(out.body).toMatchObject({ status: "scheduled", send_at: sendAt });
    const [cancelled, again] = await Promise.all([cancelMessage(ctx, out.body.id), cancelMessage(ctx, out.body.id)]);
    expect(cancelled.status).toBe("cancelled");
    expect(again.status).toBe("cancelled");
    expect(cancelled.events.map((e) => e.event)).toEqual(["communication.cancelled.v1"]);
    expect(cancelled.status_history.map((h) => h.to)).toEqual(["scheduled", "cancelled"]);
    const now = await sendMessage(ctx, { channel: "sms", payload: { to: "+46700003002", body: "Now" } }, { endpoint: "messages" });
    await expect(cancelMessage(ctx, now.body.id)).rejects.toMatchObject({ status: 409 });
  });
});
