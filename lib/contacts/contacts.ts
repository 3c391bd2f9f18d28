// Contacts of a tenant: create, read, change, upsert by external id, search.
import { getDb, type DbOrTx } from "@/db";
import {
  countContacts,
  findContact,
  findContactByExternalId,
  findTenantSchoolIds,
  insertContact,
  listContactSchools,
  listPushTargets,
  listSubscriptions,
  lockContact,
  replaceContactSchools,
  replacePushTargets,
  searchContacts,
  updateContact as updateContactRow,
  upsertContactsByExternalId,
  upsertSubscriptions,
  type ContactValues,
} from "@/db/queries/contacts";
import { findTenantById } from "@/db/queries/tenants";
import type { Contact } from "@/db/schema/contacts";
import { ApiError, type ErrorDetail } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { isUniqueViolation } from "@/lib/schools/schools";
import type { TenantContext } from "@/lib/tenancy/context";
import {
  contactDetailOut,
  contactListOut,
  contactOut,
  type ContactDetailOut,
  type ContactListOut,
  type ContactOut,
  type ContactSearchQuery,
  type CreateContactBody,
  type UpdateContactBody,
} from "@/lib/validations/contacts";
import { normalizePhone } from "./phone";
import { toSubscriptionOut } from "./subscriptions";

export function toContactOut(row: Contact): ContactOut {
  return contactOut.parse({
    id: row.id,
    external_id: row.externalId,
    kind: row.kind,
    name: row.name,
    email: row.email,
    phone: row.phone,
    phone_raw: row.phoneRaw,
    whatsapp: row.whatsapp ?? row.phone,
    locale: row.locale,
    timezone: row.timezone,
    attributes: row.attributes,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  });
}

/** The tenant's default country for national phone numbers (null: numbers need +country). */
export async function tenantDefaultCountry(tenantId: string, db: DbOrTx = getDb()): Promise<string | null> {
  return (await findTenantById(db, { tenantId }))?.defaultCountry ?? null;
}

type ContactFields = Omit<CreateContactBody, "push_targets" | "subscriptions" | "schools">;

/**
 * Column values for the fields present in `body` (absent fields are not in the result, so a
 * PATCH or upsert leaves them alone). Phone numbers become E.164; the original is kept.
 * Throws 422 listing every number that can't be read.
 */
export function contactValuesOf(body: Partial<ContactFields>, defaultCountry: string | null): Partial<ContactValues> {
  const { values, errors } = contactValuesOrErrors(body, defaultCountry);
  if (errors.length) throw new ApiError({ code: "validation_failed", message: "The contact is invalid", details: errors });
  return values;
}

export function contactValuesOrErrors(body: Partial<ContactFields>, defaultCountry: string | null): { values: Partial<ContactValues>; errors: ErrorDetail[] } {
  const values: Partial<ContactValues> = {};
  const errors: ErrorDetail[] = [];
  if (body.external_id !== undefined) values.externalId = body.external_id;
  if (body.kind !== undefined) values.kind = body.kind;
  if (body.name !== undefined) values.name = body.name;
  if (body.email !== undefined) values.email = body.email;
  if (body.locale !== undefined) values.locale = body.locale;
  if (body.timezone !== undefined) values.timezone = body.timezone;
  if (body.attributes !== undefined) values.attributes = body.attributes;
  for (const field of ["phone", "whatsapp"] as const) {
    const raw = body[field];
    if (raw === undefined) continue;
    if (raw === null) {
      values[field] = null;
      if (field === "phone") values.phoneRaw = null;
      continue;
    }
    const n = normalizePhone(raw, defaultCountry);
    if (!n.ok) errors.push({ path: field, message: n.message });
    else {
      values[field] = n.e164;
      if (field === "phone") values.phoneRaw = raw;
    }
  }
  return { values, errors };
}

/** Push targets, subscriptions and school relationships given with a contact, in its transaction. */
async function writeContactParts(tx: DbOrTx, ctx: TenantContext, contactId: string, body: Pick<CreateContactBody, "push_targets" | "subscriptions" | "schools">, source: string) {
  if (body.push_targets) await replacePushTargets(tx, { tenantId: ctx.tenantId, contactId, targets: body.push_targets });
  if (body.subscriptions?.length) {
    await upsertSubscriptions(
      tx,
      body.subscriptions.map((s) => ({ tenantId: ctx.tenantId, contactId, channel: s.channel, topic: s.topic ?? "", status: s.status, source })),
    );
  }
  if (body.schools) {
    const known = await findTenantSchoolIds(tx, { tenantId: ctx.tenantId, ids: body.schools.map((s) => s.school_id) });
    const missing = body.schools.map((s, i) => ({ s, i })).filter(({ s }) => !known.has(s.school_id));
    if (missing.length) {
      throw new ApiError({
        code: "validation_failed",
        message: "Some schools do not exist",
        details: missing.map(({ i }) => ({ path: `schools[${i}].school_id`, message: "No such school in this tenant" })),
      });
    }
    await replaceContactSchools(tx, { tenantId: ctx.tenantId, contactId, rows: body.schools.map((s) => ({ schoolId: s.school_id, role: s.role })) });
  }
}

function splitBody<B extends Partial<CreateContactBody>>(body: B) {
  const { push_targets, subscriptions, schools, ...fields } = body;
  return { fields, parts: { push_targets, subscriptions, schools } };
}

/** What an audit entry may say about a change: field names, never the personal values. */
function changedFields(values: Partial<ContactValues>, parts: ReturnType<typeof splitBody>["parts"]) {
  return [...Object.keys(values), ...Object.entries(parts).filter(([, v]) => v !== undefined).map(([k]) => k)];
}

function externalIdConflict(externalId: string | null | undefined, cause: unknown) {
  return new ApiError({
    code: "conflict",
    message: `A contact with the external_id "${externalId}" already exists; PUT /api/v1/contacts/by-external-id/{external_id} updates it`,
    details: [{ path: "external_id", message: "external_id already in use" }],
    cause,
  });
}

export async function createContact(ctx: TenantContext, body: CreateContactBody): Promise<ContactDetailOut> {
  const db = getDb();
  const { fields, parts } = splitBody(body);
  const values = contactValuesOf(fields, await tenantDefaultCountry(ctx.tenantId, db));
  try {
    const id = await db.transaction(async (tx) => {
      const row = await insertContact(tx, { tenantId: ctx.tenantId, values: values as ContactValues });
      await writeContactParts(tx, ctx, row.id, parts, "api");
      await recordAudit(tx, ctx, { action: "contact.created", targetType: "contact", targetId: row.id, details: { fields: changedFields(values, parts) } });
      return row.id;
    });
    return getContact(ctx, id);
  } catch (err) {
    if (isUniqueViolation(err)) throw externalIdConflict(values.externalId, err);
    throw err;
  }
}

export async function getContact(ctx: TenantContext, id: string, db: DbOrTx = getDb()): Promise<ContactDetailOut> {
  const row = await findContact(db, { tenantId: ctx.tenantId, id });
  if (!row) throw ApiError.notFound("Contact");
  return contactDetail(db, ctx.tenantId, row);
}

async function contactDetail(db: DbOrTx, tenantId: string, row: Contact): Promise<ContactDetailOut> {
  const [targets, subs, rels] = await Promise.all([
    listPushTargets(db, { tenantId, contactIds: [row.id] }),
    listSubscriptions(db, { tenantId, contactIds: [row.id] }),
    listContactSchools(db, { tenantId, contactId: row.id }),
  ]);
  return contactDetailOut.parse({
    ...toContactOut(row),
    push_targets: targets.map((t) => ({ token: t.token, platform: t.platform, provider: t.provider, active: t.active, reason: t.reason })),
    subscriptions: subs.map(toSubscriptionOut),
    schools: rels.map((r) => ({ school_id: r.schoolId, school_name: r.schoolName, role: r.role })),
  });
}

export async function updateContact(ctx: TenantContext, id: string, patch: UpdateContactBody): Promise<ContactDetailOut> {
  const db = getDb();
  const { fields, parts } = splitBody(patch);
  const values = contactValuesOf(fields, await tenantDefaultCountry(ctx.tenantId, db));
  try {
    await db.transaction(async (tx) => {
      const current = await lockContact(tx, { tenantId: ctx.tenantId, id });
      if (!current) throw ApiError.notFound("Contact");
      if (Object.keys(values).length) await updateContactRow(tx, { tenantId: ctx.tenantId, id, values });
      await writeContactParts(tx, ctx, id, parts, "api");
      const changed = changedFields(values, parts);
      if (changed.length) await recordAudit(tx, ctx, { action: "contact.updated", targetType: "contact", targetId: id, details: { fields: changed } });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw externalIdConflict(values.externalId, err);
    throw err;
  }
  return getContact(ctx, id);
}

/**
 * PUT by external id: creates the contact or updates the fields given (omitted fields keep
 * their value). One INSERT … ON CONFLICT, so concurrent PUTs of one external id make one row.
 */
export async function upsertContactByExternalId(
  ctx: TenantContext,
  externalId: string,
  body: UpdateContactBody,
): Promise<{ created: boolean; contact: ContactDetailOut }> {
  const db = getDb();
  const { fields, parts } = splitBody({ ...body, external_id: externalId });
  const values = contactValuesOf(fields, await tenantDefaultCountry(ctx.tenantId, db)) as ContactValues & { externalId: string };
  const set = Object.keys(values) as (keyof ContactValues)[];
  const { id, created } = await db.transaction(async (tx) => {
    const [w] = await upsertContactsByExternalId(tx, { tenantId: ctx.tenantId, rows: [values], set: set as never });
    await writeContactParts(tx, ctx, w!.id, parts, "api");
    await recordAudit(tx, ctx, {
      action: w!.inserted ? "contact.created" : "contact.updated",
      targetType: "contact",
      targetId: w!.id,
      details: { fields: changedFields(values, parts), via: "external_id" },
    });
    return { id: w!.id, created: w!.inserted };
  });
  return { created, contact: await getContact(ctx, id) };
}

export async function getContactByExternalId(ctx: TenantContext, externalId: string): Promise<ContactDetailOut> {
  const db = getDb();
  const row = await findContactByExternalId(db, { tenantId: ctx.tenantId, externalId });
  if (!row) throw ApiError.notFound("Contact");
  return contactDetail(db, ctx.tenantId, row);
}

/** `key:value` → the value as JSON when it reads as a number or boolean, else the string. */
export function parseAttributeFilter(raw: string): { key: string; values: unknown[] } {
  const i = raw.indexOf(":");
  const key = raw.slice(0, i);
  const text = raw.slice(i + 1);
  const values: unknown[] = [text];
  if (/^-?\d+(\.\d+)?$/.test(text)) values.push(Number(text));
  if (text === "true" || text === "false") values.push(text === "true");
  return { key, values };
}

export async function listContacts(ctx: TenantContext, query: ContactSearchQuery): Promise<ContactListOut> {
  const db = getDb();
  const rows = await searchContacts(db, {
    tenantId: ctx.tenantId,
    q: query.q ? query.q.toLowerCase() : undefined,
    attribute: query.attribute ? parseAttributeFilter(query.attribute) : undefined,
    listId: query.list_id,
    schoolId: query.school_id,
    role: query.role,
    unsubscribed: query.unsubscribed,
    afterId: query.cursor,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return contactListOut.parse({ data: page.map(toContactOut), next_cursor: rows.length > query.limit ? page[page.length - 1]!.id : null });
}

/** How many contacts match a search (the list page's total). */
export async function countContactsMatching(ctx: TenantContext, query: Omit<ContactSearchQuery, "cursor" | "limit">): Promise<number> {
  const attribute = query.attribute ? parseAttributeFilter(query.attribute) : undefined;
  return countContacts(getDb(), { tenantId: ctx.tenantId, q: query.q?.toLowerCase(), attribute, listId: query.list_id, schoolId: query.school_id, role: query.role, unsubscribed: query.unsubscribed });
}
