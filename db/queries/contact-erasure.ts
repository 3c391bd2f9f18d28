// GDPR erasure of one contact: every table that can hold a contact's address or name, redacted
// in the caller's transaction. Table and column names here are fixed; the needles are parameters.
import { sql } from "drizzle-orm";
import type { DbOrTx } from "../index";

export const ERASED = "[erased]";

export interface ErasureNeedles {
  tenantId: string;
  contactId: string;
  /** Case-insensitive regex matching the contact's addresses (email, numbers); null when it has none. */
  addressPattern: string | null;
  /** Addresses and name: what is replaced inside rows already known to be the contact's. */
  redactPattern: string;
  /** Normalised addresses, compared exactly (suppressions, call numbers). */
  addresses: string[];
}

const erasedJson = sql`'{"erased":true}'::jsonb`;

/**
 * Redacts the contact's messages and everything derived from them, and every row elsewhere that
 * names one of its addresses. Message rows keep ids, statuses, timestamps and counters.
 * Returns how many messages were redacted.
 */
export async function redactContactData(db: DbOrTx, n: ErasureNeedles): Promise<{ messages: number }> {
  const { tenantId, contactId, addressPattern: addr, redactPattern: red } = n;
  const matchesAddr = (col: ReturnType<typeof sql>) => (addr ? sql`${col} ~* ${addr}` : sql`false`);
  const redact = (col: ReturnType<typeof sql>) => sql`regexp_replace(${col}, ${red}, ${ERASED}, 'gi')`;
  const redactJson = (col: ReturnType<typeof sql>) => sql`regexp_replace(${col}::text, ${red}, ${ERASED}, 'gi')::jsonb`;

  const messageRows = await db.execute<{ id: string }>(sql`
    update messages set recipient = ${ERASED}, payload = ${erasedJson}, context = null,
      error_message = ${redact(sql`error_message`)}, updated_at = now()
    where tenant_id = ${tenantId} and (contact_id = ${contactId} or ${matchesAddr(sql`recipient`)})
    returning id`);
  const ids = messageRows.map((r) => r.id);
  const idArray = sql`${`{${ids.join(",")}}`}::uuid[]`;

  // Files that came with the contact's inbound messages: gone from reads now; the retention purge
  // deletes the objects (storage I/O stays out of this transaction), then the rows.
  await db.execute(sql`
    update media set deleted_at = coalesce(deleted_at, now()), filename = null
    where tenant_id = ${tenantId} and message_id = any(${idArray})`);
  await db.execute(sql`
    update message_attempts set request_summary = ${erasedJson}, error_message = ${redact(sql`error_message`)}
    where tenant_id = ${tenantId} and message_id = any(${idArray})`);
  await db.execute(sql`
    update message_status_history set reason = ${redact(sql`reason`)}
    where tenant_id = ${tenantId} and message_id = any(${idArray}) and reason is not null`);
  await db.execute(sql`
    update webhook_events set recipient = null, payload = ${erasedJson}, details = ${erasedJson},
      provider_message_id = case when ${matchesAddr(sql`provider_message_id`)} then ${ERASED} else provider_message_id end,
      outcome = ${redact(sql`outcome`)}
    where tenant_id = ${tenantId} and (message_id = any(${idArray}) or ${matchesAddr(sql`recipient`)} or ${matchesAddr(sql`payload::text`)})`);
  await db.execute(sql`
    update communication_events set payload = ${redactJson(sql`payload`)}, last_error = ${redact(sql`last_error`)}
    where tenant_id = ${tenantId} and (message_id = any(${idArray}) or ${matchesAddr(sql`payload::text`)})`);
  await db.execute(sql`
    update webhook_deliveries set payload = ${redactJson(sql`payload`)}, last_response_body = ${redact(sql`last_response_body`)}, last_error = ${redact(sql`last_error`)}
    where tenant_id = ${tenantId} and ((payload -> 'data' ->> 'message_id') = any(${idArray}::text[]) or ${matchesAddr(sql`payload::text`)})`);
  if (addr) {
    await db.execute(sql`
      update webhook_delivery_attempts set response_body = ${redact(sql`response_body`)}, error = ${redact(sql`error`)}
      where tenant_id = ${tenantId} and (response_body ~* ${addr} or error ~* ${addr})`);
    await db.execute(sql`update outbox_events set payload = ${redactJson(sql`payload`)} where tenant_id = ${tenantId} and payload::text ~* ${addr}`);
    await db.execute(sql`update job_steps set output = ${redactJson(sql`output`)} where output::text ~* ${addr}`);
    await db.execute(sql`
      update job_dead_letters set payload = ${redactJson(sql`payload`)}, error = ${redact(sql`error`)}
      where (tenant_id = ${tenantId} or tenant_id is null) and (payload::text ~* ${addr} or error ~* ${addr})`);
    await db.execute(sql`update audit_log set details = ${redactJson(sql`details`)} where tenant_id = ${tenantId} and details::text ~* ${addr}`);
    // Refused bus actions keep their raw body (text, maybe not even JSON): redacted in place.
    await db.execute(sql`
      update bus_dead_letters set body = ${redact(sql`body`)}, reason = ${redact(sql`reason`)}
      where tenant_id = ${tenantId} and (body ~* ${addr} or reason ~* ${addr})`);
    await db.execute(sql`
      update call_event_logs set payload = ${redactJson(sql`payload`)},
        from_number = case when from_number ~* ${addr} then ${ERASED} else from_number end,
        to_number = case when to_number ~* ${addr} then ${ERASED} else to_number end
      where tenant_id = ${tenantId} and (from_number ~* ${addr} or to_number ~* ${addr} or payload::text ~* ${addr})`);
    await db.execute(sql`
      update calls set from_number = case when from_number ~* ${addr} then ${ERASED} else from_number end,
        to_number = case when to_number ~* ${addr} then ${ERASED} else to_number end,
        forwarded_to = case when forwarded_to ~* ${addr} then ${ERASED} else forwarded_to end
      where tenant_id = ${tenantId} and (from_number ~* ${addr} or to_number ~* ${addr} or forwarded_to ~* ${addr})`);
    await db.execute(sql`update call_commands set to_number = ${ERASED} where tenant_id = ${tenantId} and to_number ~* ${addr}`);
  }
  // Suppressions keep guarding the erased addresses, by hash only (lib/suppressions checks both forms).
  if (n.addresses.length) {
    await db.execute(sql`
      update suppressions set address = 'sha256:' || encode(sha256(convert_to(address, 'UTF8')), 'hex')
      where tenant_id = ${tenantId} and address = any(${`{${n.addresses.map((a) => `"${a.replace(/["\\]/g, "\\$&")}"`).join(",")}}`}::text[])`);
  }
  // Live push targets go with the contact; dead ones stay (unlinked) so hygiene still refuses them.
  await db.execute(sql`delete from device_tokens where tenant_id = ${tenantId} and contact_id = ${contactId} and active`);
  return { messages: ids.length };
}
