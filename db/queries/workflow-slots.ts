// A workflow's run slots shared by every pg-boss process, so `concurrency` caps runs overall, as on Inngest.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";

/**
 * Takes one of `limit` numbered slots of `key`, starting the search at a random number (a run's
 * own slot, e.g. per tenant): see `takeWorkflowSlots`. Undefined when none was free or the pick
 * collided with another taker's (the caller looks again).
 */
export async function takeWorkflowSlot(
  db: DbOrTx,
  { key, limit, ttlSeconds }: { key: string; limit: number; ttlSeconds: number },
): Promise<{ holder: string; expiresAt: string } | undefined> {
  const [slot] = await takeWorkflowSlots(db, { key, limit, want: 1, ttlSeconds, offset: Math.floor(Math.random() * limit) });
  return slot ? { holder: slot.holder, expiresAt: slot.expiresAt } : undefined;
}

/**
 * Takes up to `want` of `limit` numbered slots of `key` in one statement (a worker pool filling its
 * free room). Numbers are tried from `offset` on, so processes mostly pick different ones; a pick
 * that collides with another process's is skipped (the insert's conflict update matches nothing),
 * so this may return fewer than were free: the caller asks again next round.
 */
export async function takeWorkflowSlots(
  db: DbOrTx,
  { key, limit, want, ttlSeconds, offset = 0 }: { key: string; limit: number; want: number; ttlSeconds: number; offset?: number },
): Promise<{ key: string; holder: string; expiresAt: string }[]> {
  if (want <= 0) return [];
  const rows = await db.execute<{ holder: string; expires_at: string }>(sql`
    insert into delivery_slots (key, holder, expires_at)
    select ${key}, 'slot:' || n, now() + make_interval(secs => ${ttlSeconds})
    from generate_series(0, ${limit - 1}) as n
    where not exists (
      select 1 from delivery_slots s where s.key = ${key} and s.holder = 'slot:' || n and s.expires_at > now())
    order by (n + ${offset % limit}) % ${limit}
    limit ${want}
    on conflict (key, holder) do update set expires_at = excluded.expires_at
      where delivery_slots.expires_at <= now()
    returning holder, expires_at::text`);
  return rows.map((r) => ({ key, holder: r.holder, expiresAt: r.expires_at }));
}

/** Frees slots taken by `takeWorkflowSlots` — each only if it is still ours (same expiry). One statement. */
export async function releaseWorkflowSlots(db: DbOrTx, slots: { key: string; holder: string; expiresAt: string }[]) {
  if (slots.length === 0) return;
  await db.execute(sql`
    delete from delivery_slots d
    using jsonb_to_recordset(${JSON.stringify(slots)}::jsonb) as x(key text, holder text, "expiresAt" timestamptz)
    where d.key = x.key and d.holder = x.holder and d.expires_at = x."expiresAt"`);
}

/** Frees a slot taken by `takeWorkflowSlot` — only if it is still ours (same expiry), never a successor's. */
export async function releaseWorkflowSlot(db: DbOrTx, slot: { key: string; holder: string; expiresAt: string }) {
  await releaseWorkflowSlots(db, [slot]);
}

/** Live slots of a key (tests, health). */
export async function countWorkflowSlots(db: DbOrTx, { key }: { key: string }) {
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from delivery_slots where key = ${key} and expires_at > now()`);
  return Number(rows[0]?.n ?? 0);
}
