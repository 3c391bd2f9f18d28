import { and, asc, desc, eq, inArray, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import {
  contactListMembers,
  contacts,
  contactSchools,
  contactSubscriptions,
  deviceTokens,
  schools,
  type Contact,
  type ContactSchoolRole,
  type NewContact,
  type SubscriptionChannel,
  type SubscriptionStatus,
} from "../schema";

export type ContactValues = Omit<NewContact, "id" | "tenantId" | "createdAt" | "updatedAt" | "searchText">;

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function insertContact(db: DbOrTx, { tenantId, values }: { tenantId: string; values: ContactValues }) {
  const [row] = await db.insert(contacts).values({ ...values, tenantId }).returning();
  return row!;
}

export async function findContact(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id)));
  return row;
}

/** Locks the row for the rest of the transaction (updates and erasure read-modify-write it). */
export async function lockContact(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id))).for("update");
  return row;
}

export async function findContactByExternalId(db: DbOrTx, { tenantId, externalId }: { tenantId: string; externalId: string }) {
  const [row] = await db.select().from(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.externalId, externalId)));
  return row;
}

/** Contacts named by id or by external id (either list may be empty). */
export async function findContactsByRefs(db: DbOrTx, { tenantId, ids, externalIds }: { tenantId: string; ids: string[]; externalIds: string[] }) {
  if (ids.length === 0 && externalIds.length === 0) return [];
  return db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.tenantId, tenantId),
        or(ids.length ? inArray(contacts.id, ids) : undefined, externalIds.length ? inArray(contacts.externalId, externalIds) : undefined),
      ),
    );
}

export async function updateContact(db: DbOrTx, { tenantId, id, values }: { tenantId: string; id: string; values: Partial<ContactValues> }) {
  const [row] = await db
    .update(contacts)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id)))
    .returning();
  return row;
}

export async function deleteContact(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.delete(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id))).returning({ id: contacts.id });
  return row;
}

export type UpsertableColumn = "externalId" | "kind" | "name" | "email" | "phone" | "phoneRaw" | "whatsapp" | "locale" | "timezone" | "attributes";
const columnNames: Record<UpsertableColumn, string> = {
  externalId: "external_id",
  kind: "kind",
  name: "name",
  email: "email",
  phone: "phone",
  phoneRaw: "phone_raw",
  whatsapp: "whatsapp",
  locale: "locale",
  timezone: "timezone",
  attributes: "attributes",
};

/**
 * Inserts or updates by (tenant, external_id) in one statement, so concurrent upserts of one
 * external id end in one row. Only the columns in `set` are overwritten on an existing row
 * (omitted fields keep their value); every row must carry an external id. `inserted` tells a
 * new row from an updated one (xmax is 0 only for a row this statement inserted).
 */
export async function upsertContactsByExternalId(
  db: DbOrTx,
  {
    tenantId,
    rows,
    set,
    mergeAttributes = false,
  }: { tenantId: string; rows: (ContactValues & { externalId: string })[]; set: readonly UpsertableColumn[]; mergeAttributes?: boolean },
) {
  if (rows.length === 0) return [];
  const updates: Record<string, SQL | Date> = { updatedAt: new Date() };
  for (const c of set) if (c !== "externalId") updates[c] = sql.raw(`excluded.${columnNames[c]}`);
  // Imports add attributes to the ones a contact has; the API replaces the document.
  if (mergeAttributes && set.includes("attributes")) updates.attributes = sql`${contacts.attributes} || excluded.attributes`;
  return db
    .insert(contacts)
    .values(rows.map((r) => ({ ...r, tenantId })))
    .onConflictDoUpdate({
      target: [contacts.tenantId, contacts.externalId],
      targetWhere: sql`${contacts.externalId} is not null`,
      set: updates,
    })
    .returning({ id: contacts.id, externalId: contacts.externalId, inserted: sql<boolean>`(xmax = 0)` });
}

export async function insertContacts(db: DbOrTx, { tenantId, rows }: { tenantId: string; rows: ContactValues[] }) {
  if (rows.length === 0) return [];
  return db
    .insert(contacts)
    .values(rows.map((r) => ({ ...r, tenantId })))
    .returning({ id: contacts.id });
}

export interface ContactSearch {
  tenantId: string;
  /** Lower-cased substring of name, email, phone or external id. */
  q?: string;
  /** The attribute equals any of `values` (JSON containment, GIN-indexed). */
  attribute?: { key: string; values: unknown[] };
  listId?: string;
  schoolId?: string;
  role?: ContactSchoolRole;
  unsubscribed?: SubscriptionChannel;
  /** Keyset cursor: the id of the last row of the previous page. */
  afterId?: string;
  /** Extra conditions (a compiled segment). */
  where?: SQL;
  limit: number;
}

/** Newest first, keyset-paginated. Search uses the trigram index on search_text. */
export async function searchContacts(db: DbOrTx, s: ContactSearch) {
  return db
    .select()
    .from(contacts)
    .where(contactSearchWhere(s))
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(s.limit);
}

export async function countContacts(db: DbOrTx, s: Omit<ContactSearch, "limit" | "afterId">) {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(contacts).where(contactSearchWhere(s));
  return row?.n ?? 0;
}

function contactSearchWhere(s: Omit<ContactSearch, "limit">): SQL | undefined {
  return and(
    eq(contacts.tenantId, s.tenantId),
    s.q ? sql`${contacts.searchText} like ${likePattern(s.q)}` : undefined,
    s.attribute ? or(...s.attribute.values.map((v) => sql`${contacts.attributes} @> ${JSON.stringify({ [s.attribute!.key]: v })}::jsonb`)) : undefined,
    s.listId
      ? sql`exists (select 1 from ${contactListMembers} m where m.list_id = ${s.listId} and m.contact_id = ${contacts.id})`
      : undefined,
    s.schoolId
      ? sql`exists (select 1 from ${contactSchools} r where r.contact_id = ${contacts.id} and r.school_id = ${s.schoolId}${s.role ? sql` and r.role = ${s.role}` : sql``})`
      : s.role
        ? sql`exists (select 1 from ${contactSchools} r where r.contact_id = ${contacts.id} and r.role = ${s.role})`
        : undefined,
    s.unsubscribed
      ? sql`exists (select 1 from ${contactSubscriptions} u where u.contact_id = ${contacts.id} and u.channel = ${s.unsubscribed} and u.topic = '' and u.status = 'unsubscribed')`
      : undefined,
    // Compared with the cursor row itself: created_at has microseconds a JS Date would lose.
    s.afterId
      ? sql`(${contacts.createdAt}, ${contacts.id}) < (select c.created_at, c.id from contacts c where c.id = ${s.afterId} and c.tenant_id = ${s.tenantId})`
      : undefined,
    s.where,
  );
}

/** Contacts whose email / phone / WhatsApp number is one of `addresses` (normalised), for webhook-driven unsubscribes. */
export async function findContactIdsByAddress(db: DbOrTx, { tenantId, channel, addresses }: { tenantId: string; channel: SubscriptionChannel; addresses: string[] }) {
  if (addresses.length === 0 || channel === "push") return [];
  const cond =
    channel === "email"
      ? inArray(contacts.email, addresses)
      : channel === "sms"
        ? inArray(contacts.phone, addresses)
        : or(inArray(contacts.whatsapp, addresses), and(sql`${contacts.whatsapp} is null`, inArray(contacts.phone, addresses)));
  return db.select({ id: contacts.id, email: contacts.email, phone: contacts.phone, whatsapp: contacts.whatsapp }).from(contacts).where(and(eq(contacts.tenantId, tenantId), cond));
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

export interface SubscriptionRow {
  tenantId: string;
  contactId: string;
  channel: SubscriptionChannel;
  topic: string;
  status: SubscriptionStatus;
  source: string;
  changedAt?: Date;
}

/** Upserts states; a row already in the asked status keeps its original source and time. */
export async function upsertSubscriptions(db: DbOrTx, rows: SubscriptionRow[]) {
  if (rows.length === 0) return [];
  return db
    .insert(contactSubscriptions)
    .values(rows.map((r) => ({ ...r, changedAt: r.changedAt ?? new Date() })))
    .onConflictDoUpdate({
      target: [contactSubscriptions.contactId, contactSubscriptions.channel, contactSubscriptions.topic],
      set: {
        status: sql`excluded.status`,
        source: sql`case when ${contactSubscriptions.status} = excluded.status then ${contactSubscriptions.source} else excluded.source end`,
        changedAt: sql`case when ${contactSubscriptions.status} = excluded.status then ${contactSubscriptions.changedAt} else excluded.changed_at end`,
      },
    })
    .returning();
}

export async function listSubscriptions(db: DbOrTx, { tenantId, contactIds, channel }: { tenantId: string; contactIds: string[]; channel?: SubscriptionChannel }) {
  if (contactIds.length === 0) return [];
  return db
    .select()
    .from(contactSubscriptions)
    .where(and(eq(contactSubscriptions.tenantId, tenantId), inArray(contactSubscriptions.contactId, contactIds), channel ? eq(contactSubscriptions.channel, channel) : undefined))
    .orderBy(asc(contactSubscriptions.channel), asc(contactSubscriptions.topic));
}

// ---------------------------------------------------------------------------------------------
// Relationships and push targets

export async function replaceContactSchools(
  db: DbOrTx,
  { tenantId, contactId, rows }: { tenantId: string; contactId: string; rows: { schoolId: string; role: ContactSchoolRole }[] },
) {
  await db.delete(contactSchools).where(and(eq(contactSchools.tenantId, tenantId), eq(contactSchools.contactId, contactId)));
  if (rows.length === 0) return;
  await db
    .insert(contactSchools)
    .values(rows.map((r) => ({ tenantId, contactId, schoolId: r.schoolId, role: r.role })))
    .onConflictDoNothing();
}

export async function listContactSchools(db: DbOrTx, { tenantId, contactId }: { tenantId: string; contactId: string }) {
  return db
    .select({ schoolId: contactSchools.schoolId, schoolName: schools.name, role: contactSchools.role })
    .from(contactSchools)
    .innerJoin(schools, eq(schools.id, contactSchools.schoolId))
    .where(and(eq(contactSchools.tenantId, tenantId), eq(contactSchools.contactId, contactId)))
    .orderBy(asc(schools.name));
}

/** The ids among `ids` that are schools of the tenant. */
export async function findTenantSchoolIds(db: DbOrTx, { tenantId, ids }: { tenantId: string; ids: string[] }) {
  if (ids.length === 0) return new Set<string>();
  const rows = await db.select({ id: schools.id }).from(schools).where(and(eq(schools.tenantId, tenantId), inArray(schools.id, ids)));
  return new Set(rows.map((r) => r.id));
}

/**
 * Makes the contact's push targets exactly `targets`. Rows are the device-token table's: a token
 * the provider reported dead stays inactive (hygiene), whoever names it again.
 */
export async function replacePushTargets(
  db: DbOrTx,
  { tenantId, contactId, targets }: { tenantId: string; contactId: string; targets: { token: string; platform: string; provider: "fcm" | "onesignal" }[] },
) {
  const keep = targets.map((t) => t.token);
  await db
    .update(deviceTokens)
    .set({ contactId: null })
    .where(and(eq(deviceTokens.tenantId, tenantId), eq(deviceTokens.contactId, contactId), keep.length ? notInArray(deviceTokens.token, keep) : undefined));
  if (targets.length === 0) return;
  await db
    .insert(deviceTokens)
    .values(targets.map((t) => ({ tenantId, contactId, token: t.token, platform: t.platform, provider: t.provider })))
    .onConflictDoUpdate({
      target: [deviceTokens.tenantId, deviceTokens.token],
      set: { contactId: sql`excluded.contact_id`, platform: sql`excluded.platform`, provider: sql`excluded.provider`, updatedAt: new Date() },
    });
}

export async function listPushTargets(db: DbOrTx, { tenantId, contactIds }: { tenantId: string; contactIds: string[] }) {
  if (contactIds.length === 0) return [];
  return db
    .select()
    .from(deviceTokens)
    .where(and(eq(deviceTokens.tenantId, tenantId), inArray(deviceTokens.contactId, contactIds)))
    .orderBy(desc(deviceTokens.updatedAt));
}

export type { Contact };
