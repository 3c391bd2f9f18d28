import path from "node:path";
import amqp from "amqplib";
import { afterAll, expect } from "vitest";
import { closeDb } from "../db";
import { closeLimiterStore } from "../lib/rate-limit/store";
import { cloneTestDatabase } from "../lib/server/test-database";

// Runs before each test file: its own copy of the migrated template database, and RabbitMQ
// names of its own, so files run in parallel without consuming each other's jobs or messages.
const testPath = expect.getState().testPath ?? "file";
const label = path.basename(testPath).replace(/\W+/g, "_").slice(0, 20).toLowerCase();
const db = await cloneTestDatabase(process.env.HERALD_TEST_TEMPLATE_URL!, label);
process.env.DATABASE_URL = db.url;
const prefix = db.url.split("/").pop()!;
const names = {
  HERALD_CALL_EVENTS_QUEUE: `${prefix}.call-events`,
  HERALD_CALL_COMMANDS_QUEUE: `${prefix}.call-commands`,
  HERALD_COMMUNICATION_EXCHANGE: `${prefix}.communication`,
  HERALD_COMMUNICATION_DLQ: `${prefix}.dlq.communication`,
};
Object.assign(process.env, names);
// With REDIS_URL set, rate limits live in Redis: under this file's own prefix (keys expire by themselves).
process.env.HERALD_REDIS_PREFIX = `${prefix}:`;

afterAll(async () => {
  await closeLimiterStore();
  await closeDb();
  await db.drop();
  // Best effort: the broker may be down on purpose in some tests.
  try {
    const conn = await amqp.connect(process.env.RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672");
    const ch = await conn.createChannel();
    ch.on("error", () => {});
    for (const q of [names.HERALD_CALL_EVENTS_QUEUE, names.HERALD_CALL_COMMANDS_QUEUE, names.HERALD_COMMUNICATION_DLQ]) {
      await ch.deleteQueue(q).catch(() => {});
    }
    await ch.deleteExchange(names.HERALD_COMMUNICATION_EXCHANGE).catch(() => {});
    await conn.close().catch(() => {});
  } catch {
    // broker unreachable: nothing to clean
  }
});
