import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import { functions, inngest } from "@/inngest";
import { ApiError } from "@/lib/api/errors";
import { withRoute } from "@/lib/api/with-api-auth";
import { engineKind } from "@/lib/jobs/engine-kind";

// Inngest calls this endpoint to run Herald's workflows when an Inngest server is configured.
const inngestHandlers = serve({ client: inngest, functions });

// On pg-boss there is no Inngest to call it: the endpoint doesn't exist (JSON 404, as any unknown path).
const notConfigured = withRoute(async () => {
  throw new ApiError({ code: "not_found", message: "No such API endpoint: workflows run on pg-boss, not Inngest" });
});

function engineRoute(method: "GET" | "POST" | "PUT") {
  return (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) =>
    engineKind() === "inngest" ? inngestHandlers[method](req, ctx) : notConfigured(req, ctx);
}

export const GET = engineRoute("GET");
export const POST = engineRoute("POST");
export const PUT = engineRoute("PUT");
