import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApiRoute } from "@/lib/server/api-routes";
import { processMetrics } from "./registry";
import { routeLabeller } from "./route-label";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Counts and times every request the custom server answers, labelled by route pattern. Null
 * when metrics are off, so the server adds nothing per request then.
 */
export function httpMetricsRecorder(routes: readonly ApiRoute[]): ((req: IncomingMessage, res: ServerResponse) => void) | null {
  const m = processMetrics();
  if (!m) return null;
  const label = routeLabeller(routes);
  return (req, res) => {
    const started = performance.now();
    res.once("finish", () => {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const route = label(q === -1 ? url : url.slice(0, q));
      // Method names are client input: anything unusual shares one label value.
      const method = METHODS.has(req.method ?? "") ? req.method! : "OTHER";
      m.httpRequests.inc({ route, method, status: res.statusCode });
      m.httpDuration.observe({ route, method }, (performance.now() - started) / 1000);
    });
  };
}
