// Streamed contact import (CSV or NDJSON): rows are parsed as the body arrives and written in
// batches, so memory stays at one batch whatever the file size.
import { getDb, type DbOrTx } from "@/db";
import { insertContacts, upsertContactsByExternalId, upsertSubscriptions, type ContactValues, type SubscriptionRow, type UpsertableColumn } from "@/db/queries/contacts";
import { ApiError, type ErrorDetail } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { CsvStreamParser, CsvSyntaxError, type CsvRecord } from "@/lib/schools/csv";
import type { TenantContext } from "@/lib/tenancy/context";
import { ATTRIBUTE_KEY_PATTERN, createContactBody, subscriptionChannelSchema, type ContactImportResult } from "@/lib/validations/contacts";
import { contactValuesOrErrors, tenantDefaultCountry } from "./contacts";

/** Documented limits of POST /api/v1/contacts/import. */
export const CONTACT_IMPORT_MAX_BYTES = 512 * 1024 * 1024;
export const CONTACT_IMPORT_MAX_ROWS = 1_000_000;
export const CONTACT_IMPORT_BATCH_SIZE = 1000;
export const CONTACT_IMPORT_MAX_REPORTED_ERRORS = 1000;

export type ImportFormat = "csv" | "ndjson";

export interface ContactImportProgress {
  processed: number;
  created: number;
  updated: number;
  failed: number;
  bytes_read: number;
  /** From Content-Length; null when the client streams without one. */
  bytes_total: number | null;
}

interface ImportRowError {
  line: number;
  field?: string;
  message: string;
}

const csvColumns = ["external_id", "name", "email", "phone", "whatsapp", "locale", "timezone", "unsubscribed"] as const;
const headerAliases: Record<string, string> = {
  id: "external_id",
  externalid: "external_id",
  full_name: "name",
  mobile: "phone",
  telephone: "phone",
  tel: "phone",
  language: "locale",
  lang: "locale",
  tz: "timezone",
  time_zone: "timezone",
};

function fileError(message: string, details?: unknown) {
  return new ApiError({ code: "validation_failed", message, details });
}

/** A CSV header → what each column fills: a contact field or `attributes.<key>`. */
export function csvHeaderPlan(fields: string[]): { columns: { kind: "field" | "attribute"; name: string }[] } {
  const columns: { kind: "field" | "attribute"; name: string }[] = [];
  const errors: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const raw of fields) {
    const h = raw.trim();
    const attr = /^(?:attributes?|attr)[.:](.+)$/i.exec(h);
    let col: { kind: "field" | "attribute"; name: string };
    if (attr) {
      if (!ATTRIBUTE_KEY_PATTERN.test(attr[1]!)) errors.push({ path: h, message: `"${attr[1]}" is not a valid attribute name (letters, digits and _)` });
      col = { kind: "attribute", name: attr[1]! };
    } else {
      const key = h.toLowerCase().replace(/[\s-]+/g, "_");
      const name = headerAliases[key] ?? key;
      if (!(csvColumns as readonly string[]).includes(name)) {
        errors.push({ path: h, message: `Unknown column "${h}"; known columns: ${csvColumns.join(", ")}, and attributes.<name> for attributes` });
      }
      col = { kind: "field", name };
    }
    const id = `${col.kind}:${col.name}`;
    if (seen.has(id)) errors.push({ path: h, message: `Column "${h}" appears more than once` });
    seen.add(id);
    columns.push(col);
  }
  if (errors.length) throw fileError("The CSV header is invalid", errors.map((e) => ({ line: 1, field: e.path, message: e.message })));
  if (columns.every((c) => c.kind === "attribute")) throw fileError("The CSV names no contact fields", [{ line: 1, message: `Expected columns like ${csvColumns.join(", ")}` }]);
  return { columns };
}

/** One CSV record → the raw contact object the schema checks (blank cells are "not given"). */
function csvRow(plan: ReturnType<typeof csvHeaderPlan>, record: CsvRecord): { raw: Record<string, unknown>; unsubscribed: string[] } | ImportRowError {
  if (record.fields.length !== plan.columns.length) return { line: record.line, message: `Expected ${plan.columns.length} fields, found ${record.fields.length}` };
  const raw: Record<string, unknown> = {};
  const attributes: Record<string, string> = {};
  let unsubscribed: string[] = [];
  plan.columns.forEach((c, i) => {
    const v = record.fields[i]!.trim();
    if (v === "") return;
    if (c.kind === "attribute") attributes[c.name] = v;
    else if (c.name === "unsubscribed") unsubscribed = v.split(/[,;| ]+/).filter(Boolean).map((s) => s.toLowerCase());
    else raw[c.name] = v;
  });
  if (Object.keys(attributes).length) raw.attributes = attributes;
  return { raw, unsubscribed };
}

interface ParsedRow {
  line: number;
  values: Partial<ContactValues>;
  subscriptions: Omit<SubscriptionRow, "tenantId" | "contactId">[];
}

/**
 * Reads the body and imports it. File-level problems (media type, header, size, row count)
 * answer 413/415/422; with a valid header every row is either written or reported with its line.
 * Batches commit on their own (with an audit entry each): a failure midway leaves the earlier
 * batches imported, and re-running the file is safe (rows with an external_id upsert).
 */
export async function importContacts(
  ctx: TenantContext,
  input: { body: ReadableStream<Uint8Array> | null; format: ImportFormat; bytesTotal: number | null },
  onProgress?: (p: ContactImportProgress) => void | Promise<void>,
): Promise<ContactImportResult> {
  if (input.bytesTotal !== null && input.bytesTotal > CONTACT_IMPORT_MAX_BYTES) throw tooLarge();
  const defaultCountry = await tenantDefaultCountry(ctx.tenantId);
  const errors: ImportRowError[] = [];
  let failed = 0;
  let created = 0;
  let updated = 0;
  let totalRows = 0;
  let bytesRead = 0;
  let batch: ParsedRow[] = [];
  let header: ReturnType<typeof csvHeaderPlan> | null = null;
  const csv = new CsvStreamParser();
  let ndjsonRest = "";
  let ndjsonLine = 0;

  let droppedErrors = 0;
  const reportError = (e: ImportRowError) => {
    if (errors.length < CONTACT_IMPORT_MAX_REPORTED_ERRORS) errors.push(e);
    else droppedErrors++;
  };
  const failRow = (line: number, rowErrors: { field?: string; message: string }[]) => {
    failed++;
    for (const e of rowErrors) reportError({ line, ...e });
  };
  const acceptRaw = (line: number, raw: unknown, unsubscribed: string[]) => {
    totalRows++;
    if (totalRows > CONTACT_IMPORT_MAX_ROWS) throw fileError(`The file has more than ${CONTACT_IMPORT_MAX_ROWS} rows; split it`);
    const parsed = createContactBody.safeParse(raw);
    if (!parsed.success) {
      return failRow(line, parsed.error.issues.map((i) => ({ field: i.path.map(String).join(".") || undefined, message: i.message })));
    }
    const { push_targets, schools, subscriptions, ...fields } = parsed.data;
    if (push_targets || schools) return failRow(line, [{ field: push_targets ? "push_targets" : "schools", message: "Imports carry contact fields, attributes and subscriptions; set push targets and schools through the API" }]);
    const { values, errors: valueErrors } = contactValuesOrErrors(fields, defaultCountry);
    if (valueErrors.length) return failRow(line, valueErrors.map((e) => ({ field: e.path, message: e.message })));
    const subs: ParsedRow["subscriptions"] = (subscriptions ?? []).map((s) => ({ channel: s.channel, topic: s.topic ?? "", status: s.status, source: "import" }));
    for (const u of unsubscribed) {
      const ch = subscriptionChannelSchema.safeParse(u);
      if (!ch.success) return failRow(line, [{ field: "unsubscribed", message: `"${u}" is not a channel (email, sms, push, whatsapp)` }]);
      subs.push({ channel: ch.data, topic: "", status: "unsubscribed", source: "import" });
    }
    batch.push({ line, values, subscriptions: subs });
  };
  // One batch is written while the next is parsed (CPU and database overlap); never more than one.
  let writing: Promise<void> | null = null;
  const flush = async () => {
    if (writing) await writing;
    writing = null;
    if (batch.length === 0) return;
    const rows = batch;
    const processed = totalRows;
    const failedSoFar = failed;
    batch = [];
    writing = writeBatch(ctx, rows).then(async (w) => {
      created += w.created;
      updated += w.updated;
      await onProgress?.({ processed, created, updated, failed: failedSoFar, bytes_read: bytesRead, bytes_total: input.bytesTotal });
    });
    // Surfaced when awaited (next flush or the end); keep it from counting as unhandled meanwhile.
    writing.catch(() => {});
  };
  const onRecords = async (records: CsvRecord[]) => {
    for (const r of records) {
      if (!header) {
        header = csvHeaderPlan(r.fields);
        continue;
      }
      const row = csvRow(header, r);
      if ("message" in row) {
        totalRows++;
        failRow(row.line, [row]);
      } else acceptRaw(r.line, row.raw, row.unsubscribed);
      if (batch.length >= CONTACT_IMPORT_BATCH_SIZE) await flush();
    }
  };
  const onNdjson = async (text: string, final: boolean) => {
    const lines = (ndjsonRest + text).split("\n");
    ndjsonRest = final ? "" : lines.pop()!;
    for (const l of lines) {
      ndjsonLine++;
      const trimmed = l.trim();
      if (trimmed === "") continue;
      let raw: unknown;
      try {
        raw = JSON.parse(trimmed);
      } catch {
        totalRows++;
        failRow(ndjsonLine, [{ message: "Not valid JSON" }]);
        continue;
      }
      acceptRaw(ndjsonLine, raw, []);
      if (batch.length >= CONTACT_IMPORT_BATCH_SIZE) await flush();
    }
  };

  const decoder = new TextDecoder("utf-8");
  try {
    if (input.body) {
      const reader = input.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytesRead += value.byteLength;
        if (bytesRead > CONTACT_IMPORT_MAX_BYTES) {
          await reader.cancel().catch(() => {});
          throw tooLarge();
        }
        const text = decoder.decode(value, { stream: true });
        if (input.format === "csv") await onRecords(csv.push(text));
        else await onNdjson(text, false);
      }
    }
    const tail = decoder.decode();
    if (input.format === "csv") await onRecords([...csv.push(tail), ...csv.end()]);
    else await onNdjson(tail, true);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw fileError(`The CSV is malformed: ${err.message}`, [{ line: err.line, message: err.message }]);
    throw err;
  }
  if (input.format === "csv" && !header) throw fileError("The CSV is empty; the first line must name the columns", [{ line: 1, message: `Expected columns like ${csvColumns.join(", ")}` }]);
  if (totalRows === 0) {
    if (writing) await writing;
    throw fileError("The file has no rows");
  }
  await flush();
  if (writing) await writing;
  return { total_rows: totalRows, created, updated, failed, errors, errors_truncated: droppedErrors > 0 };
}

function tooLarge() {
  return new ApiError({
    code: "payload_too_large",
    message: `The import is larger than ${CONTACT_IMPORT_MAX_BYTES} bytes; split it`,
    details: { limit_bytes: CONTACT_IMPORT_MAX_BYTES },
  });
}

/** One batch in one transaction: upserts by external id (grouped by the fields rows give), inserts the rest. */
async function writeBatch(ctx: TenantContext, rows: ParsedRow[]): Promise<{ created: number; updated: number }> {
  // Within a batch the last row of an external id wins (one statement can't update a row twice).
  const byExternal = new Map<string, ParsedRow>();
  const plain: ParsedRow[] = [];
  let superseded = 0;
  for (const r of rows) {
    const ext = r.values.externalId;
    if (ext) {
      if (byExternal.has(ext)) superseded++;
      byExternal.set(ext, r);
    } else plain.push(r);
  }
  const groups = new Map<string, ParsedRow[]>();
  for (const r of byExternal.values()) {
    const sig = Object.keys(r.values).sort().join(",");
    groups.set(sig, [...(groups.get(sig) ?? []), r]);
  }
  return getDb().transaction(async (tx) => {
    let created = 0;
    let updated = superseded;
    const subscriptions: SubscriptionRow[] = [];
    for (const [sig, group] of groups) {
      const written = await upsertContactsByExternalId(tx, {
        tenantId: ctx.tenantId,
        rows: group.map((g) => g.values as ContactValues & { externalId: string }),
        set: sig.split(",") as UpsertableColumn[],
        mergeAttributes: true,
      });
      const ids = new Map(written.map((w) => [w.externalId!, w.id]));
      for (const w of written) {
        if (w.inserted) created++;
        else updated++;
      }
      for (const g of group) for (const s of g.subscriptions) subscriptions.push({ ...s, tenantId: ctx.tenantId, contactId: ids.get(g.values.externalId!)! });
    }
    if (plain.length) {
      const inserted = await insertContacts(tx, { tenantId: ctx.tenantId, rows: plain.map((p) => p.values as ContactValues) });
      created += inserted.length;
      // RETURNING follows the VALUES order.
      plain.forEach((p, i) => p.subscriptions.forEach((s) => subscriptions.push({ ...s, tenantId: ctx.tenantId, contactId: inserted[i]!.id })));
    }
    await upsertSubscriptions(tx as DbOrTx, subscriptions);
    await recordAudit(tx, ctx, {
      action: "contacts.imported",
      targetType: "contact",
      details: { created, updated, first_line: rows[0]!.line, last_line: rows[rows.length - 1]!.line },
    });
    return { created, updated };
  });
}
