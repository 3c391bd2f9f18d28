// The sync run: claims due entities (SKIP LOCKED, a lease, no transaction across HTTP), builds
// each entity's operations from its latest state, sends them in v2 batches under the rate limit,
// and records the outcome per entity. Ten edits before a run are one send of the last state; a
// change during a send leaves the entity pending (its version moved); a re-run of the same
// claim sends the same state again, which Customer.io applies idempotently.
import { getDb } from "@/db";
import {
  claimCustomerioRows,
  clearCustomerioKick,
  deleteCustomerioRows,
  failCustomerioRows,
  findCustomerioIntegration,
  findCustomerioIntegrationsDue,
  loadCustomerioPeople,
  loadCustomerioSchools,
  nextCustomerioDueAt,
  recordCustomerioSynced,
  releaseCustomerioRows,
  updateCustomerioIntegration,
  type ClaimedRow,
  type SyncedRow,
} from "@/db/queries/customerio";
import type { CustomerioIntegration } from "@/db/schema/customerio";
import { alertIntegrationFailed } from "@/lib/alerts/ops-alerts";
import { logger } from "@/lib/logger";
import { SharedRequestLimiter } from "@/lib/rate-limit/request-limiter";
import { resolveSecretRef } from "@/lib/secrets/store";
import { mappingSchema, type CustomerioMapping } from "@/lib/validations/customerio";
import { backoffMs, CLAIM_BATCH, syncSettings, type SyncSettings } from "./definition";
import {
  buildObjectDelete,
  buildObjectIdentify,
  buildPersonDelete,
  buildPersonIdentify,
  hashOps,
  objectId,
  packBatches,
  personId,
  type TrackOperation,
} from "./operations";
import { TrackClient, type TrackOutcome } from "./track-client";

/** What one entity's claim turns into. */
interface Unit {
  row: ClaimedRow;
  ops: TrackOperation[];
  /** On success: record (identify) or drop the row (delete sent). */
  onSuccess: { kind: "record"; synced: SyncedRow } | { kind: "drop" };
}

export interface SyncRunResult {
  claimed: number;
  sent: number;
  batches: number;
  requests: number;
  failed: number;
  skipped: number;
  /** When rows not yet claimable become due (a retry delay): the caller queues a run for then. */
  nextDueAt: Date | null;
  stopped?: string;
}

let limiter: SharedRequestLimiter | undefined;
let limiterRate = 0;
function requestLimiter(rate: number): SharedRequestLimiter {
  if (!limiter || limiterRate !== rate) {
    limiter = new SharedRequestLimiter("customerio", { ratePerSecond: rate, burst: Math.max(1, Math.floor(rate / 2)) });
    limiterRate = rate;
  }
  return limiter;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function clientFor(integration: CustomerioIntegration, settings: SyncSettings): Promise<TrackClient> {
  const db = getDb();
  const [siteId, apiKey] = await Promise.all([resolveSecretRef(db, integration.tenantId, integration.siteIdRef), resolveSecretRef(db, integration.tenantId, integration.apiKeyRef)]);
  return new TrackClient({ region: integration.region, apiBaseUrl: integration.apiBaseUrl, credentials: { siteId, apiKey }, timeoutMs: settings.requestTimeoutMs });
}

/**
 * Runs the tenant's sync until nothing is due or the run's time budget is spent. Returns what it
 * did; `nextDueAt` tells the workflow when to queue the next run.
 */
export async function runCustomerioSync(
  { tenantId }: { tenantId: string },
  overrides: Partial<SyncSettings> = {},
): Promise<SyncRunResult> {
  const settings = { ...syncSettings(), ...overrides };
  const db = getDb();
  const result: SyncRunResult = { claimed: 0, sent: 0, batches: 0, requests: 0, failed: 0, skipped: 0, nextDueAt: null };
  const integration = await findCustomerioIntegration(db, { tenantId });
  if (!integration || integration.status !== "active") return { ...result, stopped: "integration not active" };
  await clearCustomerioKick(db, { tenantId, id: integration.id });
  let client: TrackClient;
  try {
    client = await clientFor(integration, settings);
  } catch (err) {
    await updateCustomerioIntegration(db, { tenantId, id: integration.id, values: { status: "error", lastError: `Credentials: ${(err as Error).message}`, statusChangedAt: new Date() } });
    alertIntegrationFailed({ tenantId, integration: "Customer.io", integrationId: integration.id, message: `Sync stopped: the credentials could not be read (${(err as Error).message})` });
    return { ...result, stopped: "credentials" };
  }
  const mapping = mappingSchema.parse(integration.mapping);
  const deadline = Date.now() + settings.runBudgetMs;
  const leaseMs = Math.max(60_000, settings.runBudgetMs + 30_000);
  let lastError: string | null = null;

  while (Date.now() < deadline) {
    const rows = await claimCustomerioRows(db, { integrationId: integration.id, limit: CLAIM_BATCH, leaseMs });
    if (rows.length === 0) break;
    result.claimed += rows.length;
    const { units, skipped, refused, drops } = await planUnits(integration, mapping, rows);
    await recordCustomerioSynced(db, { integrationId: integration.id, rows: skipped });
    await deleteCustomerioRows(db, { integrationId: integration.id, rows: drops.map((r) => keyOf(r)) });
    await failCustomerioRows(db, { integrationId: integration.id, rows: refused });
    result.skipped += skipped.length;
    result.failed += refused.length;
    const stop = await sendUnits(integration, client, units, settings, result, deadline);
    if (stop.lastError) lastError = stop.lastError;
    if (stop.auth) {
      await updateCustomerioIntegration(db, { tenantId, id: integration.id, values: { status: "error", lastError: stop.auth, statusChangedAt: new Date() } });
      alertIntegrationFailed({ tenantId, integration: "Customer.io", integrationId: integration.id, message: `Sync stopped: Customer.io refused the credentials (${stop.auth})` });
      return { ...result, stopped: "auth" };
    }
  }
  if (result.failed > 0) {
    // Refused for good (dead-lettered on the Integrations page, where they can be replayed).
    alertIntegrationFailed({ tenantId, integration: "Customer.io", integrationId: integration.id, severity: "warning", message: `${result.failed} change(s) refused by Customer.io; see Integrations → Customer.io → Failures` });
  }
  result.nextDueAt = await nextCustomerioDueAt(db, { integrationId: integration.id });
  await updateCustomerioIntegration(db, { tenantId, id: integration.id, values: { lastSyncedAt: new Date(), ...(lastError !== null ? { lastError } : result.sent > 0 ? { lastError: null } : {}) } });
  return result;
}

const keyOf = (r: ClaimedRow) => ({ entity: r.entity, entityId: r.entityId, claimedVersion: r.claimedVersion });

async function planUnits(integration: CustomerioIntegration, mapping: CustomerioMapping, rows: ClaimedRow[]) {
  const db = getDb();
  const units: Unit[] = [];
  const skipped: SyncedRow[] = [];
  const refused: (ReturnType<typeof keyOf> & { reason: string })[] = [];
  const drops: ClaimedRow[] = [];
  const skip = (r: ClaimedRow) => skipped.push({ ...keyOf(r), status: "skipped", hash: r.syncedHash, cioId: r.cioId, relations: r.syncedRelations, warning: null });

  const personRows = rows.filter((r) => r.entity === "person");
  const objectRows = rows.filter((r) => r.entity === "object");
  const people = await loadCustomerioPeople(db, { tenantId: integration.tenantId, ids: personRows.map((r) => r.entityId) });
  const byId = new Map(people.contacts.map((c) => [c.id, c]));
  const unsub = new Map<string, string[]>();
  for (const u of people.unsubscribed) unsub.set(u.contactId, [...(unsub.get(u.contactId) ?? []), u.channel]);
  const b2bPeople = new Set(people.roles.filter((r) => mapping.b2b_roles.includes(r.role)).map((r) => r.contactId));

  for (const row of personRows) {
    const c = byId.get(row.entityId);
    if (!c) {
      // Deleted or erased in Herald: delete the person there if it was ever sent.
      if (row.cioId && (integration.b2cEnabled || integration.b2bEnabled)) units.push({ row, ops: [buildPersonDelete(row.cioId)], onSuccess: { kind: "drop" } });
      else drops.push(row);
      continue;
    }
    const eligible = integration.b2cEnabled || (integration.b2bEnabled && b2bPeople.has(c.id));
    if (!eligible) {
      skip(row);
      continue;
    }
    const built = buildPersonIdentify({ ...c, unsubscribed: (unsub.get(c.id) ?? []).sort() }, mapping);
    if (!built.ok) {
      refused.push({ ...keyOf(row), reason: built.reason });
      continue;
    }
    const id = personId(c);
    // A changed external id: the old person goes, so Customer.io does not keep two.
    const ops = row.cioId && row.cioId !== id ? [buildPersonDelete(row.cioId), ...built.ops] : built.ops;
    const hash = hashOps(ops);
    const synced: SyncedRow = { ...keyOf(row), status: "synced", hash, cioId: id, relations: null, warning: built.warnings.join("; ") || null };
    if (hash === row.syncedHash) skipped.push(synced);
    else units.push({ row, ops, onSuccess: { kind: "record", synced } });
  }

  const schoolData = await loadCustomerioSchools(db, { tenantId: integration.tenantId, ids: objectRows.map((r) => r.entityId) });
  const schoolById = new Map(schoolData.schools.map((s) => [s.id, s]));
  const related = new Map<string, Map<string, string[]>>();
  for (const r of schoolData.related) {
    if (!mapping.b2b_roles.includes(r.role)) continue;
    const m = related.get(r.schoolId) ?? new Map<string, string[]>();
    const pid = personId({ id: r.contactId, externalId: r.externalId });
    m.set(pid, [...(m.get(pid) ?? []), r.role].sort());
    related.set(r.schoolId, m);
  }
  for (const row of objectRows) {
    const s = schoolById.get(row.entityId);
    if (!s) {
      if (row.cioId && integration.b2bEnabled) units.push({ row, ops: [buildObjectDelete(integration.objectTypeId, row.cioId)], onSuccess: { kind: "drop" } });
      else drops.push(row);
      continue;
    }
    if (!integration.b2bEnabled) {
      skip(row);
      continue;
    }
    const rel = [...(related.get(s.id) ?? new Map<string, string[]>())].map(([pid, roles]) => ({ personId: pid, roles }));
    const built = buildObjectIdentify({ ...s, related: rel }, integration.objectTypeId, mapping, row.syncedRelations ?? []);
    if (!built.ok) {
      refused.push({ ...keyOf(row), reason: built.reason });
      continue;
    }
    const oid = objectId(s, mapping);
    const ops = row.cioId && row.cioId !== oid ? [buildObjectDelete(integration.objectTypeId, row.cioId), ...built.ops] : built.ops;
    const hash = hashOps(ops);
    const synced: SyncedRow = { ...keyOf(row), status: "synced", hash, cioId: oid, relations: rel.map((r) => r.personId), warning: built.warnings.join("; ") || null };
    if (hash === row.syncedHash) skipped.push(synced);
    else units.push({ row, ops, onSuccess: { kind: "record", synced } });
  }
  return { units, skipped, refused, drops };
}

async function throttle(integrationId: string, settings: SyncSettings, result: SyncRunResult) {
  const l = requestLimiter(settings.ratePerSecond);
  for (;;) {
    const wait = await l.take(integrationId);
    if (wait <= 0) break;
    await sleep(Math.ceil(wait * 1000));
  }
  result.requests += 1;
}

/**
 * Sends the units batch by batch. A batch Customer.io could not take now (429, 5xx, network) is
 * retried with backoff (Retry-After respected) a few times, then handed back with a delay; an
 * operation it refused is retried alone, and dead-lettered with Customer.io's reason if refused again.
 */
async function sendUnits(
  integration: CustomerioIntegration,
  client: TrackClient,
  units: Unit[],
  settings: SyncSettings,
  result: SyncRunResult,
  deadline: number,
): Promise<{ auth?: string; lastError?: string }> {
  const db = getDb();
  const integrationId = integration.id;
  let lastError: string | undefined;
  const batches = packBatches(units);
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!;
    const ops = batch.flatMap((u) => u.ops);
    let outcome: TrackOutcome = { kind: "retryable", status: null, reason: "not sent" };
    for (let attempt = 0; ; attempt++) {
      await throttle(integrationId, settings, result);
      outcome = await client.batch(ops);
      result.batches += 1;
      if (outcome.kind !== "retryable" || attempt >= settings.inRunRetries || Date.now() > deadline) break;
      await sleep(backoffMs(settings, attempt, outcome.retryAfterMs));
    }
    if (outcome.kind === "auth") {
      // Nothing of this run's claims is sent: hand them back undelayed for when the key is fixed.
      const rest = batches.slice(b).flat().map((u) => keyOf(u.row));
      await releaseCustomerioRows(db, { integrationId, rows: rest, error: outcome.reason, nextAttemptAt: new Date(), countAttempt: false, maxAttempts: settings.maxAttempts });
      return { auth: outcome.reason };
    }
    if (outcome.kind === "retryable") {
      lastError = outcome.reason;
      await handBack(integrationId, batch, outcome.reason, settings, outcome.retryAfterMs);
      continue;
    }
    if (outcome.kind === "ok") {
      await succeed(integrationId, batch);
      result.sent += batch.length;
      continue;
    }
    // Partial or rejected: find each refused operation's unit; those without an index are all suspect.
    const opOwner: Unit[] = batch.flatMap((u) => u.ops.map(() => u));
    const suspects = new Set<Unit>();
    if (outcome.kind === "partial" && outcome.errors.every((e) => e.index !== undefined && opOwner[e.index])) {
      for (const e of outcome.errors) suspects.add(opOwner[e.index!]!);
    } else {
      for (const u of batch) suspects.add(u);
    }
    const clean = batch.filter((u) => !suspects.has(u));
    await succeed(integrationId, clean);
    result.sent += clean.length;
    for (const unit of suspects) {
      const solo = await sendAlone(integrationId, client, unit, settings, result);
      if (solo.kind === "ok") {
        await succeed(integrationId, [unit]);
        result.sent += 1;
      } else if (solo.kind === "retryable") {
        lastError = solo.reason;
        await handBack(integrationId, [unit], solo.reason, settings, solo.retryAfterMs);
      } else if (solo.kind === "auth") {
        await releaseCustomerioRows(db, { integrationId, rows: [keyOf(unit.row)], error: solo.reason, nextAttemptAt: new Date(), countAttempt: false, maxAttempts: settings.maxAttempts });
        return { auth: solo.reason };
      } else {
        const reason = solo.kind === "partial" ? solo.errors.map((e) => e.reason).join("; ") : solo.reason;
        lastError = `Customer.io refused ${unit.row.entity} ${unit.row.cioId ?? unit.row.entityId}: ${reason}`;
        await failCustomerioRows(db, { integrationId, rows: [{ ...keyOf(unit.row), reason: reason.slice(0, 1000) }] });
        result.failed += 1;
      }
    }
  }
  return { lastError };
}

/** One unit's operations one at a time through /api/v2/entity; the first refusal decides. */
async function sendAlone(integrationId: string, client: TrackClient, unit: Unit, settings: SyncSettings, result: SyncRunResult): Promise<TrackOutcome> {
  for (const op of unit.ops) {
    let outcome: TrackOutcome = { kind: "retryable", status: null, reason: "not sent" };
    for (let attempt = 0; ; attempt++) {
      await throttle(integrationId, settings, result);
      outcome = await client.entity(op);
      if (outcome.kind !== "retryable" || attempt >= settings.inRunRetries) break;
      await sleep(backoffMs(settings, attempt, outcome.retryAfterMs));
    }
    if (outcome.kind !== "ok") return outcome;
  }
  return { kind: "ok" };
}

async function succeed(integrationId: string, units: Unit[]) {
  const db = getDb();
  const records = units.flatMap((u) => (u.onSuccess.kind === "record" ? [u.onSuccess.synced] : []));
  const drops = units.filter((u) => u.onSuccess.kind === "drop").map((u) => keyOf(u.row));
  await recordCustomerioSynced(db, { integrationId, rows: records });
  await deleteCustomerioRows(db, { integrationId, rows: drops });
}

async function handBack(integrationId: string, units: Unit[], reason: string, settings: SyncSettings, retryAfterMs?: number) {
  const attempt = Math.max(0, ...units.map((u) => u.row.attempts));
  const at = new Date(Date.now() + backoffMs(settings, attempt, retryAfterMs));
  logger.warn({ integrationId, entities: units.length, retryAt: at.toISOString(), reason }, "customer.io batch handed back for a later try");
  await releaseCustomerioRows(getDb(), { integrationId, rows: units.map((u) => keyOf(u.row)), error: reason, nextAttemptAt: at, countAttempt: true, maxAttempts: settings.maxAttempts });
}

/**
 * The minute sweep: queues a run for every active integration with rows due and nobody working
 * on them — what a lost kick (a rolled-back kicker, a crashed run) or an ended retry delay leaves.
 */
export async function sweepCustomerio(queue: (tenantId: string, integrationId: string) => Promise<void>): Promise<{ queued: number }> {
  const due = await findCustomerioIntegrationsDue(getDb(), { limit: 1000 });
  for (const d of due) await queue(d.tenant_id, d.id);
  return { queued: due.length };
}
