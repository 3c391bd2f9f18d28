// One JSON POST to a URL someone outside chose (a tenant's webhook endpoint, a Slack webhook):
// no redirects, the SSRF-guarded lookup on connect, one overall timeout, a short body excerpt.
import http from "node:http";
import https from "node:https";
import { guardedLookup, UrlRefused, type Resolver } from "./url-guard";

const BODY_EXCERPT_CHARS = 1000;

export interface HttpResult {
  status: number | null;
  body: string | null;
  retryAfter: string | null;
  latencyMs: number;
  error: string | null;
}

/** POSTs without following redirects, through the SSRF-guarded lookup, within one overall timeout. */
export function postWebhook(
  url: URL,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; resolve?: Resolver; allowLoopback?: boolean; userAgent?: string },
): Promise<HttpResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<HttpResult, "latencyMs">) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: elapsed() });
    };
    const lib = url.protocol === "https:" ? https : http;
    const req = lib.request(url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": opts.userAgent ?? "Herald-Webhooks/1.0" },
      lookup: guardedLookup({ resolve: opts.resolve, allowLoopback: opts.allowLoopback }),
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ status: null, body: null, retryAfter: null, error: `timed out after ${opts.timeoutMs / 1000} s` });
    }, opts.timeoutMs);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        if (size < 4096) chunks.push(c);
        size += c.length;
        if (size > 64 * 1024) res.destroy();
      });
      const end = () =>
        finish({
          status: res.statusCode ?? null,
          body: Buffer.concat(chunks).toString("utf8").slice(0, BODY_EXCERPT_CHARS),
          retryAfter: typeof res.headers["retry-after"] === "string" ? res.headers["retry-after"] : null,
          error: null,
        });
      res.on("end", end);
      res.on("close", end);
      res.on("error", end);
    });
    req.on("error", (err: NodeJS.ErrnoException) => {
      const refused = err instanceof UrlRefused || err.code === "EURLREFUSED";
      finish({ status: null, body: null, retryAfter: null, error: refused ? `refused: ${err.message}` : `${err.code ?? "error"}: ${err.message}` });
    });
    req.end(body);
  });
}
