// Test helper: a real HTTP server in front of the webhook route handlers, so the simulator posts to it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { GET, POST } from "@/app/api/webhooks/[provider]/[configId]/route";

export async function startWebhookBridge() {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      const m = /^\/api\/webhooks\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (!m) return void res.writeHead(404).end();
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      const nreq = new NextRequest(url, { method: req.method, headers, body: req.method === "POST" ? body : undefined });
      const handler = req.method === "GET" ? GET : POST;
      const answer = await handler(nreq, { params: Promise.resolve({ provider: m[1]!, configId: m[2]! }) });
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
