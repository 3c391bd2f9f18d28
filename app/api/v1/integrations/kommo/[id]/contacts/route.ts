import { ApiError } from "@/lib/api/errors";
import { readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { listKommoContactsLive } from "@/lib/integrations/kommo/integrations";
import { uuidParam } from "@/lib/validations/common";
import { kommoContactsQuery } from "@/lib/validations/kommo";

/** A page of the Kommo account's contacts, read live from Kommo. */
export const GET = withApiAuth<{ id: string }>(async ({ req, ctx, params }) => {
  if (!uuidParam.safeParse(params.id).success) throw ApiError.notFound("Kommo integration");
  return Response.json(await listKommoContactsLive(ctx, params.id, readQuery(req, kommoContactsQuery)));
}, { scope: "integrations:read" });
