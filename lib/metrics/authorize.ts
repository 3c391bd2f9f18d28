import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import { metricsToken } from "./registry";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * The scrape's credential: `Authorization: Bearer <HERALD_METRICS_TOKEN>`. Without the setting
 * the endpoint does not exist (404, and nothing is counted); a missing or wrong token is a 401.
 * Compared as digests in constant time.
 */
export function authorizeMetricsScrape(authorization: string | null, env: NodeJS.ProcessEnv = process.env): void {
  const token = metricsToken(env);
  if (!token) throw new ApiError({ code: "not_found", message: "Metrics are not enabled on this deployment" });
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!presented || !timingSafeEqual(digest(presented), digest(token))) {
    throw new ApiError({
      code: "unauthorized",
      message: "Send the metrics token as `Authorization: Bearer <token>`",
      headers: { "WWW-Authenticate": 'Bearer realm="herald-metrics"' },
    });
  }
}
