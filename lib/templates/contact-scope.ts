// What a template sees of a contact (`contact.*`) and which locale it asks for.
import { getContact, toContactOut } from "@/lib/contacts";
import type { Contact } from "@/db/schema/contacts";
import type { TenantContext } from "@/lib/tenancy/context";
import type { ContactOut } from "@/lib/validations/contacts";

export interface ContactRenderScope {
  id: string;
  locale: string | null;
  vars: Record<string, unknown>;
}

/**
 * `contact.*`: the contact's fields, its attributes under `contact.attributes` and also at the
 * top level (as Customer.io exposes customer attributes), where a field of the same name wins.
 * `first_name` falls back to the first word of the name.
 */
export function contactRenderScope(c: ContactOut): ContactRenderScope {
  const firstName = typeof c.attributes.first_name === "string" ? c.attributes.first_name : c.name?.trim().split(/\s+/)[0];
  const vars: Record<string, unknown> = {
    ...c.attributes,
    id: c.id,
    external_id: c.external_id,
    name: c.name,
    ...(firstName ? { first_name: firstName } : {}),
    email: c.email,
    phone: c.phone,
    whatsapp: c.whatsapp,
    locale: c.locale,
    timezone: c.timezone,
    attributes: c.attributes,
  };
  // Absent fields stay undefined (not null) so strict rendering reports them as missing.
  for (const [k, v] of Object.entries(vars)) if (v === null) delete vars[k];
  return { id: c.id, locale: c.locale, vars };
}

export function contactRowScope(row: Contact): ContactRenderScope {
  return contactRenderScope(toContactOut(row));
}

/** The contact a preview renders for; 404 when it is not this tenant's. */
export async function previewContactFor(ctx: TenantContext, contactId: string | undefined): Promise<ContactRenderScope | null> {
  if (contactId === undefined) return null;
  return contactRenderScope(await getContact(ctx, contactId));
}
