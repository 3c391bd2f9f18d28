// The delivery workflow on the Inngest binding (@inngest/test), against real Postgres and the simulator.
import { InngestTestEngine } from "@inngest/test";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { messages } from "@/db/schema";
import { startSimulator, type Simulator } from "@/e2e/simulator/server";
import { closeBroker } from "@/lib/broker/rabbitmq";
import { makeContext } from "@/lib/test/factories";
import { makeSimConfig, queueMessage } from "@/lib/test/delivery";
import { toInngestFunction } from "../bind";
import { deliverMessage } from "./deliver-message";

process.env.HERALD_COMMUNICATION_EXCHANGE = `herald-test-inngest-${Date.now().toString(36)}`;
process.env.HERALD_DELIVERY_BACKOFF_MS = "20";

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ webhookDelayMs: 5, autoDelivery: false });
});
afterAll(async () => {
  await closeBroker();
  await sim.close();
  await closeDb();
});

describe("deliver-message on the Inngest binding", () => {
  const fn = toInngestFunction(deliverMessage);

  it("is configured with the workflow's id, trigger, retries and concurrency", () => {
    const config = fn["opts"] as { id: string; retries: number; triggers: { event: string }[]; concurrency?: { limit: number } };
    expect(config.id).toBe("deliver-message");
    expect(config.retries).toBe(20);
    expect(config.triggers).toEqual([{ event: "herald/message.queued" }]);
    expect(config.concurrency?.limit).toBe(deliverMessage.concurrency);
  });

  it("runs the attempt as a step and sends; a replayed event sends nothing", async () => {
    const ctx = await makeContext("admin");
    const { config, account } = await makeSimConfig(ctx, sim, "elks");
    const msg = await queueMessage(ctx, { channel: "sms", route: [config], recipient: "+46700000900", payload: { to: "+46700000900", body: "Hej" } });
    const t = new InngestTestEngine({ function: fn, events: [{ name: "herald/message.queued", data: { tenantId: ctx.tenantId, messageId: msg.id } }] });
    const { result, ctx: run } = await t.execute();
    expect(result).toMatchObject({ status: "sent" });
    expect(run.step.run).toHaveBeenCalledWith("attempt-1", expect.any(Function));
    const [row] = await getDb().select().from(messages).where(and(eq(messages.tenantId, ctx.tenantId), eq(messages.id, msg.id)));
    expect(row).toMatchObject({ status: "sent", attemptCount: 1 });
    expect(sim.listRequests({ accountId: account.id })).toHaveLength(1);

    // A second run (a replayed event) finds the message sent and calls nobody.
    const again = new InngestTestEngine({ function: fn, events: [{ name: "herald/message.queued", data: { tenantId: ctx.tenantId, messageId: msg.id } }] });
    expect((await again.execute()).result).toMatchObject({ status: "noop" });
    expect(sim.listRequests({ accountId: account.id })).toHaveLength(1);
  });
});
