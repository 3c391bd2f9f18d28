// The brief's scenario end to end on pg-boss: an event with 3 players and a "24 h before, email +
// SMS + push" reminder; the reminder clock moves to the firing; the tick fires the run through the
// real workflows; 9 messages reach the provider simulator with their derived idempotency keys; a
// forced re-firing and a repeated tick create nothing more.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { workflows } from "@/inngest/workflows";
import { createContact } from "@/lib/contacts";
import { emitEvent } from "@/lib/jobs/emit";
import { startJobEngine, stopJobEngine } from "@/lib/jobs/job-engine";
import { listMessages } from "@/lib/messaging/messages";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext, waitFor } from "@/lib/test/factories";
import { createTemplate, publishTemplate } from "@/lib/templates/templates";
import { shiftReminderClock } from "./clock";
import { createEvent, getEvent } from "./events";
import { reminderIdempotencyKey } from "./fire";
import { getRun, listRuns } from "./runs";

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, seed: 15 });
  await startJobEngine({ workflows, runWorkers: true });
});
afterAll(async () => {
  shiftReminderClock(0);
  await stopJobEngine();
  await sim?.close();
  await closeDb();
});

const reminderTemplate = {
  key: "throw-off-reminder",
  name: "Throw-off reminder",
  category: "reminders" as const,
  content: {
    default_locale: "en",
    locales: {
      en: {
        email: { subject: "{{ event.title }} starts tomorrow at {{ event.time }}", html: "<p>Hi {{ contact.first_name }}, see you at {{ event.location }}.</p>" },
        sms: { body: "Hi {{ contact.first_name }}: {{ event.title }} tomorrow {{ event.time }}, {{ event.location }}" },
        push: { title: "{{ event.title }}", body: "Throw-off tomorrow at {{ event.time }}" },
      },
    },
  },
};

describe("24 hours before throw-off", () => {
  it("fires one email, one SMS and one push per player through the simulator, exactly once however often it re-runs", async () => {
    const ctx = await makeContext("staff");
    const email = await makeSimConfig(ctx, sim, "sendgrid");
    const sms = await makeSimConfig(ctx, sim, "elks");
    const push = await makeSimConfig(ctx, sim, "fcm");
    await createTemplate(ctx, reminderTemplate);
    await publishTemplate(ctx, reminderTemplate.key, {});
    const players = await Promise.all(
      [1, 2, 3].map((n) =>
        createContact(ctx, {
          external_id: `player-${n}`,
          name: `Player ${n}`,
          email: `player${n}@example.com`,
          phone: `+4670000150${n}`,
          timezone: "Europe/Stockholm",
          push_targets: [{ token: `fcm-token-${n}-${ctx.tenantId}`, platform: "android", provider: "fcm" }],
        } as never),
      ),
    );
    const startsAt = new Date(Date.now() + 3 * 86_400_000);
    startsAt.setUTCSeconds(0, 0);
    const event = await createEvent(ctx, {
      external_id: "sm-2027-boule",
      title: "Swedish Masters",
      starts_at: startsAt.toISOString(),
      timezone: "Europe/Stockholm",
      location: "Boulehallen",
      audience: { kind: "contacts", contact_ids: players.map((p) => p.id) },
      reminders: [
        {
          name: "24 h before",
          timing: { kind: "offset", minutes: -24 * 60 },
          channels: [
            { channel: "email", template: reminderTemplate.key },
            { channel: "sms", template: reminderTemplate.key },
            { channel: "push", template: reminderTemplate.key },
          ],
          channel_policy: "all",
          quiet_hours: null,
          catch_up: false,
        },
      ],
    } as never);
    const firingAt = new Date(startsAt.getTime() - 86_400_000);
    expect(event.next_firing?.at).toBe(firingAt.toISOString());
    const rule = event.reminders[0]!;
    expect(rule.next_firing_at).toBe(firingAt.toISOString());

    // Not due yet: a tick fires nothing.
    await emitEvent("herald/reminders.tick", {}, { id: crypto.randomUUID() });
    const [scheduled] = (await listRuns(ctx, { event_id: event.id, upcoming: true, limit: 10 })).data;
    expect(scheduled).toMatchObject({ status: "scheduled", scheduled_at: firingAt.toISOString(), counts: { planned: 9, pending: 9, messages: 0 } });

    // The clock reaches the firing; the tick fires the run through the workflows.
    shiftReminderClock(firingAt.getTime() - Date.now() + 1000);
    await emitEvent("herald/reminders.tick", {}, { id: crypto.randomUUID() });
    const done = await waitFor(async () => {
      const r = await getRun(ctx, scheduled!.id);
      return r.status === "completed" && r.counts.done === 9 ? r : undefined;
    }, 40_000, 200);
    expect(done.counts, JSON.stringify(done.counts)).toMatchObject({ planned: 9, pending: 0, skipped: 0, messages: 9, percent: 100 });

    const keys = players.flatMap((p) =>
      (["email", "sms", "push"] as const).map((channel) => reminderIdempotencyKey({ eventId: event.id, contactId: p.id, ruleId: rule.id, channel, scheduledAt: firingAt })),
    );
    const rows = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), inArray(messages.idempotencyKey, keys)));
    expect(rows).toHaveLength(9);
    expect(rows.filter((m) => m.reminderRunId === scheduled!.id && ["sent", "delivered", "opened", "clicked"].includes(m.status)).map((m) => m.status)).toHaveLength(9);
    const delivered = () => [email, sms, push].flatMap((c) => sim.listMessages({ accountId: c.account.id }));
    expect(delivered()).toHaveLength(9);
    // Each of the 9 messages is one of the simulator's 9, and no simulator message is anything else.
    expect(new Set(delivered().map((m) => m.id))).toEqual(new Set(rows.map((m) => m.providerMessageId)));
    // Rendered per player with the event's variables.
    expect(rows.find((m) => m.channel === "sms" && m.contactId === players[0]!.id)!.payload.body).toMatch(/^Hi Player: Swedish Masters tomorrow \d\d:\d\d, Boulehallen$/);

    // The run's figures are the message log's: Messages filtered by the run lists the same 9.
    const log = await listMessages(ctx, { reminder_run_id: scheduled!.id, limit: 50 } as never);
    expect(log.data).toHaveLength(done.counts.messages);

    // Re-running the firing (forced, over every send) and a repeated tick make nothing new.
    await emitEvent("herald/reminder-run.due", { tenantId: ctx.tenantId, runId: scheduled!.id, force: true }, { tenantId: ctx.tenantId, id: crypto.randomUUID() });
    await emitEvent("herald/reminders.tick", {}, { id: crypto.randomUUID() });
    await waitFor(async () => (await getRun(ctx, scheduled!.id)).status === "completed" && (await firings(scheduled!.id)) >= 2, 30_000, 200);
    await new Promise((r) => setTimeout(r, 1000));
    const after = await getDb().select().from(messages).where(eq(messages.tenantId, ctx.tenantId));
    expect(after).toHaveLength(9);
    expect(delivered()).toHaveLength(9);
    expect((await getRun(ctx, scheduled!.id)).counts).toMatchObject({ planned: 9, messages: 9, done: 9 });
    expect((await getEvent(ctx, event.id)).next_firing).toBeNull();
  });
});

async function firings(runId: string) {
  const { reminderRuns } = await import("@/db/schema");
  const [r] = await getDb().select({ firings: reminderRuns.firings }).from(reminderRuns).where(eq(reminderRuns.id, runId));
  return r?.firings ?? 0;
}
