// The reminder workflows on their Inngest bindings (@inngest/test), against real Postgres: the
// cron trigger of the tick, the firing's claim + step.sendEvent fan-out with derived event ids,
// and a chunk sending through the batch path.
import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator";
import { createContact } from "@/lib/contacts";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { shiftReminderClock } from "@/lib/reminders/clock";
import { createEvent } from "@/lib/reminders/events";
import { getRun } from "@/lib/reminders/runs";
import { makeSimConfig } from "@/lib/test/delivery";
import { makeContext } from "@/lib/test/factories";
import { createTemplate, publishTemplate } from "@/lib/templates/templates";
import { toInngestFunction } from "../bind";
import { fireReminderRun } from "./fire-reminder-run";
import { reminderTickWorkflow } from "./reminder-tick";
import { sendReminderChunk } from "./send-reminder-chunk";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, webhookDelayMs: 5, autoDelivery: false });
});
afterAll(async () => {
  shiftReminderClock(0);
  await sim.close();
  await closeDb();
});

describe("reminder workflows on the Inngest binding", () => {
  it("binds the tick to a UTC cron and the firing and chunks to their events", () => {
    const tick = toInngestFunction(reminderTickWorkflow)["opts"] as { id: string; triggers: unknown[] };
    expect(tick.id).toBe("reminder-tick");
    expect(tick.triggers).toEqual([{ event: "herald/reminders.tick" }, { cron: "TZ=UTC * * * * *" }]);
    const fire = toInngestFunction(fireReminderRun)["opts"] as { triggers: unknown[]; retries: number };
    expect(fire.triggers).toEqual([{ event: "herald/reminder-run.due" }]);
    const chunk = toInngestFunction(sendReminderChunk)["opts"] as { triggers: unknown[]; concurrency?: { limit: number } };
    expect(chunk.triggers).toEqual([{ event: "herald/reminder-chunk.due" }]);
    expect(chunk.concurrency?.limit).toBe(sendReminderChunk.concurrency);
  });

  it("fires a due run: claims it once, fans chunks out with step.sendEvent, and a chunk sends its messages", async () => {
    const ctx = await makeContext("staff");
    await makeSimConfig(ctx, sim, "elks");
    await createTemplate(ctx, { key: "r", name: "R", category: "reminders", content: { default_locale: "en", locales: { en: { sms: { body: "{{ event.title }}" } } } } });
    await publishTemplate(ctx, "r", {});
    const people = await Promise.all([1, 2].map((i) => createContact(ctx, { name: `I${i}`, phone: `+4670000400${i}` } as never)));
    const start = new Date(Date.now() + 2 * 86_400_000);
    const event = await createEvent(ctx, {
      title: "Inngest Open",
      starts_at: start.toISOString(),
      timezone: "Europe/Stockholm",
      audience: { kind: "contacts", contact_ids: people.map((p) => p.id) },
      reminders: [{ name: "24 h before", timing: { kind: "offset", minutes: -1440 }, channels: [{ channel: "sms", template: "r" }], channel_policy: "all", quiet_hours: null, catch_up: false }],
    } as never);
    const runId = event.next_firing!.run_id;
    shiftReminderClock(start.getTime() - 86_400_000 + 60_000 - Date.now());

    // The fan-out step is Inngest's own event API (no Inngest server here): mocked, its call asserted.
    const fire = new InngestTestEngine({
      function: toInngestFunction(fireReminderRun),
      events: [{ name: "herald/reminder-run.due", data: { tenantId: ctx.tenantId, runId } }],
      steps: [{ id: "fan-out-0", handler: () => ({ ids: ["sent"] }) }],
    });
    const { result, ctx: run, error } = await fire.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ status: "fanned_out", firing: 1, chunks: 1 });
    expect(run.step.run).toHaveBeenCalledWith("start", expect.any(Function));
    const chunkEvent = { name: "herald/reminder-chunk.due", data: { tenantId: ctx.tenantId, runId, firing: 1, from: expect.any(String), to: null }, id: deterministicUuid(runId, "chunk", "1", "0") };
    expect(run.step.sendEvent).toHaveBeenCalledWith("fan-out-0", [chunkEvent]);

    // A duplicate due event finds the run claimed and fans out nothing.
    const again = await new InngestTestEngine({ function: toInngestFunction(fireReminderRun), events: [{ name: "herald/reminder-run.due", data: { tenantId: ctx.tenantId, runId } }] }).execute();
    expect(again.result).toMatchObject({ status: "not_scheduled" });

    const sent = (run.step.sendEvent as unknown as { mock: { calls: [string, { data: Record<string, unknown> }[]][] } }).mock.calls[0]![1][0]!;
    const chunk = new InngestTestEngine({ function: toInngestFunction(sendReminderChunk), events: [{ name: "herald/reminder-chunk.due", data: sent.data }] });
    expect((await chunk.execute()).result).toMatchObject({ status: "done", sent: 2 });
    const rows = await getDb().select().from(messages).where(eq(messages.reminderRunId, runId));
    expect(rows.map((m) => m.idempotencyKey).sort()).toEqual(people.map((p) => `reminder:${event.id}:${p.id}:${event.reminders[0]!.id}:sms:${new Date(start.getTime() - 86_400_000).toISOString()}`).sort());
    expect((await getRun(ctx, runId)).status).toBe("completed");
  });
});
