import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createKommoIntegration, listKommo } from "@/lib/integrations/kommo/integrations";
import { createKommoIntegrationBody } from "@/lib/validations/kommo";

export const GET = withApiAuth(async ({ ctx }) => Response.json({ data: await listKommo(ctx) }), { scope: "integrations:read" });

/** Registers a Kommo integration; the answer carries the redirect URI and webhook URL to paste into Kommo. */
export const POST = withApiAuth(async ({ req, ctx }) => {
  const created = await createKommoIntegration(ctx, await readJson(req, createKommoIntegrationBody));
  return Response.json(created, { status: 201, headers: { Location: `/api/v1/integrations/kommo/${created.id}`, "Cache-Control": "no-store" } });
}, { scope: "integrations:write" });
