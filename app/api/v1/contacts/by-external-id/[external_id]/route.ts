import { ApiError } from "@/lib/api/errors";
import { readJson } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { getContactByExternalId, upsertContactByExternalId } from "@/lib/contacts/contacts";
import { externalIdSchema, updateContactBody } from "@/lib/validations/contacts";

function externalIdOf(raw: string): string {
  const parsed = externalIdSchema.safeParse(raw);
  if (!parsed.success) throw ApiError.notFound("Contact");
  return parsed.data;
}

export const GET = withApiAuth<{ external_id: string }>(async ({ params, ctx }) => {
  return Response.json(await getContactByExternalId(ctx, externalIdOf(params.external_id)));
}, { scope: "contacts:read" });

/** Idempotent upsert: 201 when created, 200 when updated; omitted fields keep their value. */
export const PUT = withApiAuth<{ external_id: string }>(async ({ req, params, ctx }) => {
  const externalId = externalIdOf(params.external_id);
  const body = await readJson(req, updateContactBody.omit({ external_id: true }), 64 * 1024);
  const { created, contact } = await upsertContactByExternalId(ctx, externalId, body);
  return Response.json(contact, { status: created ? 201 : 200, headers: { Location: `/api/v1/contacts/${contact.id}` } });
}, { scope: "contacts:write" });
