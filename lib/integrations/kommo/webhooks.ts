// Kommo's webhooks: recorded (deduplicated by body hash) and answered at once; the job engine
// applies an integration's pending deliveries in arrival order, so changes of one contact land
// in Unisender in the order Kommo sent them. Kommo's signed access-revoked hook arrives here too.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { getDb } from "@/db";
import { finishKommoWebhook, findKommoIntegration, findKommoIntegrationByWebhookHash, insertKommoWebhookDelivery, listPendingKommoWebhooks } from "@/db/queries/kommo";
import type { KommoIntegration } from "@/db/schema";
import { alertIntegrationFailed } from "@/lib/alerts/ops-alerts";
import { ApiError } from "@/lib/api/errors";
import { emitEvent } from "@/lib/jobs/emit";
import { isUuid } from "@/lib/validations/common";
import { deterministicUuid } from "@/lib/jobs/run-id";
import { resolveSecretRef } from "@/lib/secrets/store";
import { IntegrationPermanentError, KommoGrantRevokedError } from "./errors";
import { mirrorContacts, stateFromWebhook, unisenderTarget, type ContactState } from "./mirror";
import { logIntegrationRequest } from "./request-log";
import { markKommoRevoked } from "./tokens";
import { contactChangesOf, KommoFormError, parseKommoForm, type KommoContactChange } from "./webhook-form";

export const hashWebhookToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The integration whose webhook URL this is: its id and the token must both match (404 otherwise, either way). */
async function integrationOfToken(id: string, token: string): Promise<KommoIntegration> {
  if (!isUuid(id) || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw ApiError.notFound("Webhook");
  const row = await findKommoIntegrationByWebhookHash(getDb(), { hash: hashWebhookToken(token) });
  if (!row || row.id !== id) throw ApiError.notFound("Webhook");
  return row;
}

/** Records a contacts webhook; `duplicate` when the same body was recorded before (a replay). */
export async function receiveKommoWebhook(input: { id: string; token: string; body: string }): Promise<{ recorded: number; duplicate: boolean }> {
  const started = performance.now();
  const row = await integrationOfToken(input.id, input.token);
  const log = (ok: boolean, status: number, summary: string, extra: Record<string, unknown> = {}) =>
    logIntegrationRequest({ tenantId: row.tenantId, integrationId: row.id, service: "webhook", operation: "contacts", method: "POST", input: { bytes: input.body.length, ...extra }, status, ok, summary, durationMs: Math.round(performance.now() - started) });
  let changes: KommoContactChange[];
  try {
    changes = contactChangesOf(parseKommoForm(input.body));
  } catch (err) {
    if (!(err instanceof KommoFormError)) throw err;
    await log(false, 400, err.message);
    throw new ApiError({ code: "bad_request", message: err.message });
  }
  const summary = changes.map((c) => `${c.action} ${c.id}`).join(", ") || "no contact changes";
  if (changes.length === 0) {
    await log(true, 200, summary);
    return { recorded: 0, duplicate: false };
  }
  const dedupeKey = createHash("sha256").update(input.body).digest("hex");
  const inserted = await getDb().transaction(async (tx) => {
    const delivery = await insertKommoWebhookDelivery(tx, { tenantId: row.tenantId, integrationId: row.id, dedupeKey, changes });
    if (!delivery) return false;
    await emitEvent("herald/kommo-webhooks.received", { tenantId: row.tenantId, integrationId: row.id }, { db: tx, tenantId: row.tenantId, id: deterministicUuid("kommo-webhook", row.id, String(delivery.seq)) });
    return true;
  });
  await log(true, 200, inserted ? summary : `duplicate (already recorded): ${summary}`, { changes: changes.map((c) => ({ action: c.action, id: c.id })) });
  return { recorded: inserted ? changes.length : 0, duplicate: !inserted };
}

/**
 * Kommo's access-revoked hook: `account_id`, `client_uuid` and `signature` = HMAC-SHA256 of
 * `client_uuid|account_id` under the client secret. A valid one moves the integration to `error`.
 */
export async function receiveKommoRevokedHook(input: { id: string; token: string; accountId: string; clientUuid: string; signature: string }): Promise<void> {
  const row = await integrationOfToken(input.id, input.token);
  const secret = await resolveSecretRef(getDb(), row.tenantId, row.clientSecretRef);
  const expected = Buffer.from(createHmac("sha256", secret).update(`${input.clientUuid}|${input.accountId}`).digest("hex"));
  const given = Buffer.from(input.signature.toLowerCase());
  const valid = input.clientUuid === row.clientId && given.length === expected.length && timingSafeEqual(given, expected);
  await logIntegrationRequest({ tenantId: row.tenantId, integrationId: row.id, service: "webhook", operation: "access_revoked", method: "GET", input: { account_id: input.accountId, client_uuid: input.clientUuid }, status: valid ? 200 : 401, ok: valid, summary: valid ? "access revoked in Kommo" : "signature invalid", durationMs: 0 });
  if (!valid) throw new ApiError({ code: "unauthorized", message: "The signature does not match" });
  await markKommoRevoked(row, "Access was revoked in Kommo (the integration was disabled there); authorize again");
}

const BATCH = 50;

/**
 * Applies an integration's pending deliveries in order. A delivery Unisender refuses for good is
 * marked `failed` with the reason; a transient failure throws (the workflow retries from the same
 * delivery, so order holds). Nothing is sent while the integration is in `error`.
 */
export async function applyPendingKommoWebhooks(input: { tenantId: string; integrationId: string }): Promise<{ applied: number }> {
  let applied = 0;
  for (;;) {
    const row = await findKommoIntegration(getDb(), { tenantId: input.tenantId, id: input.integrationId });
    if (!row || row.status === "error") return { applied };
    const pending = await listPendingKommoWebhooks(getDb(), { tenantId: input.tenantId, integrationId: input.integrationId, limit: BATCH });
    if (pending.length === 0) return { applied };
    let target;
    try {
      target = await unisenderTarget(row);
    } catch (err) {
      if (err instanceof IntegrationPermanentError) return { applied }; // waits for a key; the UI shows the pending count
      throw err;
    }
    for (const delivery of pending) {
      try {
        for (const batch of distinctBatches((delivery.changes as KommoContactChange[]).map(stateFromWebhook))) await mirrorContacts(row, target, batch);
        await finishKommoWebhook(getDb(), { tenantId: row.tenantId, seq: delivery.seq, status: "processed" });
        applied++;
      } catch (err) {
        if (err instanceof KommoGrantRevokedError) {
          await markKommoRevoked(row, err.message);
          return { applied };
        }
        if (!(err instanceof IntegrationPermanentError)) throw err;
        await finishKommoWebhook(getDb(), { tenantId: row.tenantId, seq: delivery.seq, status: "failed", error: err.message });
        alertIntegrationFailed({ tenantId: row.tenantId, integration: `Kommo (${row.subdomain})`, integrationId: row.id, message: `A webhook could not be applied: ${err.message}`, severity: "warning" });
      }
    }
  }
}

/** Consecutive runs in which no contact repeats: one contact's changes stay in order. */
function distinctBatches(states: ContactState[]): ContactState[][] {
  const out: ContactState[][] = [];
  let current: ContactState[] = [];
  let seen = new Set<number>();
  for (const s of states) {
    if (seen.has(s.kommoId)) {
      out.push(current);
      current = [];
      seen = new Set();
    }
    current.push(s);
    seen.add(s.kommoId);
  }
  if (current.length) out.push(current);
  return out;
}
