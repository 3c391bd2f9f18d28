import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getContact, updateContact } from "@/lib/contacts/contacts";
import { eraseContact } from "@/lib/contacts/erase";
import { isUuid } from "@/lib/validations/common";
import { updateContactBody } from "@/lib/validations/contacts";

export const GET = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Contact");
  return Response.json(await getContact(ctx, params.id));
}, { scope: "contacts:read" });

export const PATCH = withApiAuth<{ id: string }>(async ({ req, params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Contact");
  const body = await readJson(req, updateContactBody, 64 * 1024);
  return Response.json(await updateContact(ctx, params.id, body));
}, { scope: "contacts:write" });

/** GDPR erasure: personal data removed everywhere, message rows kept redacted; answers what was done. */
export const DELETE = withApiAuth<{ id: string }>(async ({ params, ctx }) => {
  if (!isUuid(params.id)) throw ApiError.notFound("Contact");
  return Response.json(await eraseContact(ctx, params.id));
}, { scope: "contacts:write" });
