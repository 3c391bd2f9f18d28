// Test helper: a real HTTP receiver on 127.0.0.1 that verifies Standard Webhooks signatures with the reference library.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Did the reference library accept it with the receiver's secret(s)? */
  verified: boolean;
  verifiedWith: string[];
  error?: string;
}

type Responder = (req: ReceivedWebhook) => { status: number; body?: string; headers?: Record<string, string> };

/**
 * Answers every request with `respond` (default: 204 when the signature verifies, 400 when not)
 * and records it. `secrets` are the receiver's keys; set them after registration.
 */
export async function startWebhookReceiver(opts: { respond?: Responder } = {}) {
  const received: ReceivedWebhook[] = [];
  const state = { secrets: [] as string[], respond: opts.respond };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const verifiedWith: string[] = [];
      let error: string | undefined;
      for (const secret of state.secrets) {
        try {
          new Webhook(secret).verify(body, headers);
          verifiedWith.push(secret);
        } catch (err) {
          error = (err as Error).message;
        }
      }
      const rec: ReceivedWebhook = { path: req.url ?? "/", headers: req.headers, body, verified: verifiedWith.length > 0, verifiedWith, error };
      received.push(rec);
      const answer = state.respond ? state.respond(rec) : { status: rec.verified ? 204 : 400, body: rec.verified ? undefined : (error ?? "no secret") };
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setSecrets(secrets: string[]) {
      state.secrets = secrets;
    },
    setResponder(r: Responder | undefined) {
      state.respond = r;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
