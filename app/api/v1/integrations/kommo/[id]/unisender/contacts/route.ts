import { ApiError } from "@/lib/api/errors";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { lookupUnisenderContact } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";
import { unisenderContactQuery } from "@/lib/validations/kommo";

/** Unisender's getContact for one email (404 when Unisender has none). */
export const GET = withApiAuth<{ id: string }>(async ({ req, ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  const { email } = readQuery(req, unisenderContactQuery);
  return Response.json({ data: await lookupUnisenderContact(ctx, params.id, email) });
}, { scope: "integrations:read" });
