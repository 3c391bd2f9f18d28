import { and, asc, desc, eq, gt, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../index";
import { textArray, uuidArray } from "../sql-arrays";
import { contactListMembers, contactLists, contacts, type ContactList, type ListKind } from "../schema";


export async function insertList(db: DbOrTx, v: { tenantId: string; name: string; description: string | null; kind: ListKind; segment: Record<string, unknown> | null }) {
  const [row] = await db.insert(contactLists).values(v).returning();
  return row!;
}

export async function findList(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.select().from(contactLists).where(and(eq(contactLists.tenantId, tenantId), eq(contactLists.id, id)));
  return row;
}

export async function listLists(db: DbOrTx, { tenantId }: { tenantId: string }) {
  return db
    .select({ list: contactLists, members: sql<number>`(select count(*)::int from ${contactListMembers} m where m.list_id = ${contactLists.id})` })
    .from(contactLists)
    .where(eq(contactLists.tenantId, tenantId))
    .orderBy(desc(contactLists.createdAt));
}

export async function updateList(db: DbOrTx, { tenantId, id, values }: { tenantId: string; id: string; values: Partial<Pick<ContactList, "name" | "description" | "segment">> }) {
  const [row] = await db
    .update(contactLists)
    .set({ ...values, updatedAt: new Date() })
    .where(and(eq(contactLists.tenantId, tenantId), eq(contactLists.id, id)))
    .returning();
  return row;
}

export async function deleteList(db: DbOrTx, { tenantId, id }: { tenantId: string; id: string }) {
  const [row] = await db.delete(contactLists).where(and(eq(contactLists.tenantId, tenantId), eq(contactLists.id, id))).returning({ id: contactLists.id });
  return row;
}

/** The tenant's contacts named by id or external id: one statement however many (≥ 10,000). */
function namedContacts(tenantId: string, ids: string[], externalIds: string[]) {
  return sql`select c.id, c.external_id from ${contacts} c where c.tenant_id = ${tenantId}
    and (c.id = any(${uuidArray(ids)}) or c.external_id = any(${textArray(externalIds)}))`;
}

/** Adds members; answers how many were new and which references named no contact. */
export async function addListMembers(db: DbOrTx, { tenantId, listId, ids, externalIds }: { tenantId: string; listId: string; ids: string[]; externalIds: string[] }) {
  const found = await db.execute<{ id: string; external_id: string | null }>(namedContacts(tenantId, ids, externalIds));
  const added = await db.execute<{ contact_id: string }>(sql`
    insert into contact_list_members (list_id, contact_id, tenant_id)
    select ${listId}::uuid, x.id, ${tenantId}::uuid from unnest(${uuidArray(found.map((f) => f.id))}) as x(id)
    on conflict do nothing returning contact_id`);
  return { found: [...found], added: added.length };
}

export async function removeListMembers(db: DbOrTx, { tenantId, listId, ids, externalIds }: { tenantId: string; listId: string; ids: string[]; externalIds: string[] }) {
  const found = await db.execute<{ id: string; external_id: string | null }>(namedContacts(tenantId, ids, externalIds));
  const removed = await db.execute(sql`
    delete from contact_list_members where list_id = ${listId} and tenant_id = ${tenantId} and contact_id = any(${uuidArray(found.map((f) => f.id))})
    returning contact_id`);
  return { found: [...found], removed: removed.length };
}

/** Keyset page of contact ids (ascending) matching `where` — the audience of a list or segment. */
export async function pageContactIds(db: DbOrTx, { tenantId, where, afterId, limit }: { tenantId: string; where: SQL | undefined; afterId: string | null; limit: number }) {
  const rows = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.tenantId, tenantId), where, afterId ? gt(contacts.id, afterId) : undefined))
    .orderBy(asc(contacts.id))
    .limit(limit);
  return rows.map((r) => r.id);
}

export function listMemberCondition(listId: string): SQL {
  return sql`exists (select 1 from ${contactListMembers} m where m.list_id = ${listId} and m.contact_id = ${contacts.id})`;
}

export function contactIdsCondition(ids: string[]): SQL {
  return sql`${contacts.id} = any(${uuidArray(ids)})`;
}
