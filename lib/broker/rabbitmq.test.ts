import { randomUUID } from "node:crypto";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertExchange,
  bindQueue,
  BrokerError,
  brokerHealth,
  closeBroker,
  configureBroker,
  DEFAULT_RABBITMQ_URL,
  publishToExchange,
  publishToQueue,
} from "./rabbitmq";

const realUrl = process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL;
const closedPortUrl = "amqp://guest:secret-password@127.0.0.1:1";
const run = randomUUID().slice(0, 8);
let admin: ChannelModel;
let ch: Channel;
const cleanup: string[] = [];

beforeAll(async () => {
  admin = await amqp.connect(realUrl);
  ch = await admin.createChannel();
});

afterAll(async () => {
  for (const q of cleanup) await ch.deleteQueue(q).catch(() => {});
  await ch.deleteExchange(`herald-test-x-${run}`).catch(() => {});
  await admin.close();
  await configureBroker({ url: undefined });
  await closeBroker();
});

async function drain(queue: string, expected: number, timeoutMs = 5_000) {
  const got: amqp.GetMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < expected && Date.now() < deadline) {
    const m = await ch.get(queue, { noAck: true });
    if (m) got.push(m);
    else await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}

describe("rabbitmq publisher", () => {
  it("declares a durable queue and publishes persistent JSON with confirms", async () => {
    await configureBroker({ url: realUrl });
    const queue = `herald-test-q-${run}`;
    cleanup.push(queue);
    await publishToQueue(queue, { hello: "world", n: 1 }, { messageId: "m-1", type: "test.event" });
    await publishToQueue(queue, { hello: "again", n: 2 }, { messageId: "m-2" });
    const declared = await ch.checkQueue(queue);
    expect(declared.messageCount).toBe(2);
    const msgs = await drain(queue, 2);
    expect(msgs.map((m) => JSON.parse(m.content.toString()))).toEqual([
      { hello: "world", n: 1 },
      { hello: "again", n: 2 },
    ]);
    expect(msgs[0]!.properties.deliveryMode).toBe(2);
    expect(msgs[0]!.properties.messageId).toBe("m-1");
    expect(msgs[0]!.properties.type).toBe("test.event");
    expect(msgs[0]!.properties.contentType).toBe("application/json");
  });

  it("fails fast with a clear error (and no credentials) when the broker is down, then recovers", async () => {
    await configureBroker({ url: closedPortUrl });
    const started = Date.now();
    const err = await publishToQueue(`herald-test-q-${run}`, { x: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as Error).message).toMatch(/RabbitMQ is unreachable at amqp:\/\/127\.0\.0\.1:1/);
    expect((err as Error).message).not.toContain("secret-password");
    expect(Date.now() - started).toBeLessThan(6_000);
    const health = await brokerHealth();
    expect(health.ok).toBe(false);
    expect(health.url).not.toContain("secret-password");

    await configureBroker({ url: realUrl });
    expect((await brokerHealth()).ok).toBe(true);
    const queue = `herald-test-q2-${run}`;
    cleanup.push(queue);
    await publishToQueue(queue, { back: true });
    expect((await drain(queue, 1)).length).toBe(1);
  });

  it("reconnects on the next call after the broker closes the connection", async () => {
    await configureBroker({ url: realUrl });
    const queue = `herald-test-q3-${run}`;
    cleanup.push(queue);
    await publishToQueue(queue, { n: 1 });
    // Deleting the queue out from under a mandatory publish makes it unroutable: a clear error,
    // and the next publish re-declares the queue.
    await ch.deleteQueue(queue);
    const err = await publishToQueue(queue, { n: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect((err as Error).message).toMatch(/could not route/);
    await publishToQueue(queue, { n: 3 });
    const msgs = await drain(queue, 1);
    expect(msgs.map((m) => JSON.parse(m.content.toString()))).toEqual([{ n: 3 }]);

    // A protocol error closes the channel; the module drops the connection and opens a new one.
    const conflicting = `herald-test-q4-${run}`;
    cleanup.push(conflicting);
    await ch.assertQueue(conflicting, { durable: false });
    await expect(publishToQueue(conflicting, { n: 1 })).rejects.toThrow(/could not declare RabbitMQ queue/);
    await publishToQueue(queue, { n: 4 });
    expect((await drain(queue, 1)).length).toBe(1);
  });

  it("publishes to a durable topic exchange bound to a queue", async () => {
    await configureBroker({ url: realUrl });
    const exchange = `herald-test-x-${run}`;
    const queue = `herald-test-q5-${run}`;
    cleanup.push(queue);
    await assertExchange(exchange, "topic");
    await ch.assertQueue(queue, { durable: true });
    await bindQueue(queue, exchange, "email.*");
    await publishToExchange(exchange, "email.sent", { id: 1 });
    // Unroutable on a topic is not an error by default…
    await publishToExchange(exchange, "sms.sent", { id: 2 });
    // …unless the caller asks for mandatory delivery.
    await expect(publishToExchange(exchange, "sms.sent", { id: 3 }, { mandatory: true })).rejects.toThrow(/could not route/);
    const msgs = await drain(queue, 1);
    expect(msgs.map((m) => JSON.parse(m.content.toString()))).toEqual([{ id: 1 }]);
    expect(msgs[0]!.fields.routingKey).toBe("email.sent");
  });
});
