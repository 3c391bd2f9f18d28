import { randomUUID } from "node:crypto";
import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db";
import { createEndpoint } from "@/lib/outbound-webhooks/endpoints";
import { enqueueWebhookDeliveries } from "@/lib/outbound-webhooks/enqueue";
import { makeContext } from "@/lib/test/factories";
import { startWebhookReceiver } from "@/lib/test/webhook-receiver";
import { webhookDeliveries } from "@/db/schema";
import { eq } from "drizzle-orm";
import { toInngestFunction } from "../bind";
import { deliverWebhook } from "./deliver-webhook";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await closeDb();
});

describe("deliver-webhook on the Inngest binding", () => {
  const fn = toInngestFunction(deliverWebhook);

  it("makes the attempt in one named step; a second run of the same event posts nothing", async () => {
    const ctx = await makeContext("admin");
    const ep = await createEndpoint(ctx, { url: `${receiver.url}/inngest`, description: "", event_types: ["communication.failed.v1"] });
    receiver.setSecrets([ep.secret]);
    await getDb().transaction((tx) =>
      enqueueWebhookDeliveries(tx, { tenantId: ctx.tenantId, eventType: "communication.failed.v1", eventId: randomUUID(), payload: { type: "communication.failed.v1", data: {} } }),
    );
    const [d] = await getDb().select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, ep.id));
    const event = { name: "herald/webhook-delivery.due" as const, data: { tenantId: ctx.tenantId, deliveryId: d!.id, attempt: 0 } };
    const { result, ctx: run } = await new InngestTestEngine({ function: fn, events: [event] }).execute();
    expect(result).toMatchObject({ kind: "attempted", status: "succeeded", responseCode: 204 });
    expect(run.step.run).toHaveBeenCalledWith("attempt-1", expect.any(Function));
    expect((await new InngestTestEngine({ function: fn, events: [event] }).execute()).result).toEqual({ kind: "superseded" });
    expect(receiver.received.filter((r) => r.path === "/inngest")).toHaveLength(1);
    expect(receiver.received[0]!.verified).toBe(true);
  });

  it("is configured with the workflow's id, trigger and retries", () => {
    const config = fn["opts"] as { id: string; retries: number; triggers: { event: string }[] };
    expect(config).toMatchObject({ id: "deliver-webhook", retries: 8, triggers: [{ event: "herald/webhook-delivery.due" }] });
  });
});
