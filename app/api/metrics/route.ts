import { withRoute } from "@/lib/api/with-api-auth";
import { authorizeMetricsScrape } from "@/lib/metrics/authorize";
import { METRICS_CONTENT_TYPE, scrapeMetrics } from "@/lib/metrics/scrape";

export const dynamic = "force-dynamic";

/** Prometheus scrape (text exposition format), behind HERALD_METRICS_TOKEN. */
export const GET = withRoute(async ({ req }) => {
  authorizeMetricsScrape(req.headers.get("authorization"));
  return new Response(await scrapeMetrics(), { headers: { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" } });
});
