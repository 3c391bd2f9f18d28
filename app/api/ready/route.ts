import { withRoute } from "@/lib/api/with-api-auth";
import { checkReadiness } from "@/lib/server/health";

export const dynamic = "force-dynamic";

/** For the load balancer: 200 while this process takes requests, 503 while it drains or its database is unreachable. */
export const GET = withRoute(async () => {
  const ready = await checkReadiness();
  return Response.json(ready, { status: ready.status === "ready" ? 200 : 503, headers: { "cache-control": "no-store" } });
});
