// A tiny webhook receiver for simulator tests: records every request with its raw body.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { startSimulator, type Simulator, type SimulatorOptions } from "./server";

export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `count` requests matching `path` (default any) have arrived. */
  waitFor(count: number, path?: string, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startReceiver(status = 200): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async waitFor(count, path, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter((r) => !path || r.path.startsWith(path));
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhooks on ${path ?? "*"}, got ${matching.length}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One simulator and one receiver per test file, stopped after it. */
export function useSimulator(options: SimulatorOptions = {}) {
  const env = {} as { sim: Simulator; receiver: Receiver };
  beforeAll(async () => {
    env.sim = await startSimulator({ webhookDelayMs: 5, ...options });
    env.receiver = await startReceiver();
  });
  afterAll(async () => {
    await env.sim?.close();
    await env.receiver?.close();
  });
  return env;
}
