import { readJson, readQuery } from "@/lib/api/read-json";
import { withApiAuth } from "@/lib/api/with-api-auth";
import { createContact, listContacts } from "@/lib/contacts/contacts";
import { contactSearchQuery, createContactBody } from "@/lib/validations/contacts";

/** Search: q (name/email/phone/external id substring), attribute=key:value, list_id, school_id, role, unsubscribed; keyset cursor. */
export const GET = withApiAuth(async ({ req, ctx }) => {
  return Response.json(await listContacts(ctx, readQuery(req, contactSearchQuery)));
}, { scope: "contacts:read" });

export const POST = withApiAuth(async ({ req, ctx }) => {
  const body = await readJson(req, createContactBody, 64 * 1024);
  const contact = await createContact(ctx, body);
  return Response.json(contact, { status: 201, headers: { Location: `/api/v1/contacts/${contact.id}` } });
}, { scope: "contacts:write" });
