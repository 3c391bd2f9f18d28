import { withRoute } from "@/lib/api/with-api-auth";
import { checkHealth } from "@/lib/server/health";

export const dynamic = "force-dynamic";

export const GET = withRoute(async () => {
  const health = await checkHealth();
  return Response.json(health, { status: health.status === "ok" ? 200 : 503, headers: { "cache-control": "no-store" } });
});
