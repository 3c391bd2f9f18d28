import http from "node:http";
import { errorBody } from "@/lib/api/errors";
import { ApiError } from "@/lib/api/errors";
import { logger } from "@/lib/logger";
import { authorizeMetricsScrape } from "./authorize";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./scrape";

/**
 * `npm run worker` serves no HTTP, yet its deliveries are counted in its own process: with
 * HERALD_METRICS_PORT it answers `GET /metrics` (same token) on that port for Prometheus.
 */
export async function startMetricsListener(port: number, hostname = process.env.HOSTNAME_BIND ?? "0.0.0.0"): Promise<{ close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
      res.end(body);
    };
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      send(404, "application/json", JSON.stringify(errorBody("not_found", "Only GET /metrics is served here")));
      return;
    }
    try {
      authorizeMetricsScrape(req.headers.authorization ?? null);
    } catch (err) {
      const e = err as ApiError;
      send(e.status, "application/json", JSON.stringify(errorBody(e.code, e.message)), e.headers);
      return;
    }
    renderMetrics().then(
      (text) => send(200, METRICS_CONTENT_TYPE, text),
      (err: unknown) => {
        logger.warn({ err }, "metrics scrape failed");
        send(500, "application/json", JSON.stringify(errorBody("internal_error", "The metrics could not be collected")));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
