import { ownLookup } from "@/lib/own-lookup";
import { getDb } from "@/db";
import { upsertSchoolsBySlug, type SchoolValues } from "@/db/queries/schools";
import { ApiError } from "@/lib/api/errors";
import { recordAudit } from "@/lib/audit/record-audit";
import { emitEvent } from "@/lib/jobs/emit";
import type { TenantContext } from "@/lib/tenancy/context";
import { createSchoolBody, importResultOut, type ImportResult, type SchoolType } from "@/lib/validations/schools";
import { CsvSyntaxError, parseCsv } from "./csv";
import { foldText } from "./fold";
import { derivedSchoolSlug, toSchoolValues } from "./schools";

/** Documented limits of POST /api/v1/schools/import. */
export const IMPORT_MAX_BYTES = 5 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 50_000;
export const IMPORT_BATCH_SIZE = 500;
export const IMPORT_MAX_REPORTED_ERRORS = 1_000;

export const schoolImportColumns = ["name", "slug", "type", "city", "district", "address", "latitude", "longitude", "phone", "email", "website", "tags", "is_public"] as const;
const columns = schoolImportColumns;
type Column = (typeof columns)[number];
const requiredColumns: Column[] = ["name", "type", "city"];
const headerAliases: Record<string, Column> = {
  public: "is_public",
  lat: "latitude",
  lng: "longitude",
  lon: "longitude",
  url: "website",
  telephone: "phone",
  tel: "phone",
};

/** Type cells may use the API value or a common label, in English, Turkish or Swedish. */
const typeAliases: Record<string, SchoolType> = {
  kindergarten: "kindergarten",
  preschool: "kindergarten",
  anaokulu: "kindergarten",
  kres: "kindergarten",
  forskola: "kindergarten",
  primary: "primary",
  primary_school: "primary",
  ilkokul: "primary",
  grundskola: "primary",
  secondary: "secondary",
  secondary_school: "secondary",
  middle_school: "secondary",
  ortaokul: "secondary",
  high_school: "high_school",
  lise: "high_school",
  gymnasium: "high_school",
  university: "university",
  universite: "university",
  universitet: "university",
  hogskola: "university",
  course: "course",
  kurs: "course",
  dershane: "course",
};

export interface ImportRowError {
  line: number;
  field?: string;
  message: string;
}

export interface ImportPlan {
  totalRows: number;
  rows: { line: number; values: SchoolValues }[];
  errors: ImportRowError[];
}

export interface ImportProgress {
  processed: number;
  total: number;
  created: number;
  updated: number;
  failed: number;
}

function fileError(message: string, details?: unknown) {
  return new ApiError({ code: "validation_failed", message, details });
}

function normalizeHeader(h: string): string {
  const key = foldText(h.trim()).replace(/[\s-]+/g, "_");
  return ownLookup(headerAliases, key) ?? key;
}

/**
 * Parses and validates the whole file before anything is written. File-level problems (syntax,
 * header, size) reject the import as a whole; row problems are reported with their line numbers
 * and the row is skipped.
 */
export function planSchoolImport(text: string): ImportPlan {
  let parsed;
  try {
    parsed = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw fileError(`The CSV is malformed: ${err.message}`, [{ line: err.line, message: err.message }]);
    throw err;
  }
  const [header, ...records] = parsed.records;
  if (!header) throw fileError("The CSV is empty; the first line must name the columns", [{ line: 1, message: `Expected columns: ${columns.join(", ")}` }]);
  const names = header.fields.map(normalizeHeader);
  const unknown = names.filter((n) => !(columns as readonly string[]).includes(n));
  const missing = requiredColumns.filter((c) => !names.includes(c));
  const duplicate = names.filter((n, i) => names.indexOf(n) !== i);
  if (unknown.length || missing.length || duplicate.length) {
    const details = [
      ...unknown.map((n) => ({ line: 1, field: n, message: `Unknown column "${n}"; known columns: ${columns.join(", ")}` })),
      ...missing.map((n) => ({ line: 1, field: n, message: `Required column "${n}" is missing` })),
      ...duplicate.map((n) => ({ line: 1, field: n, message: `Column "${n}" appears more than once` })),
    ];
    throw fileError("The CSV header is invalid", details);
  }
  if (records.length === 0) throw fileError("The CSV has a header but no rows");
  if (records.length > IMPORT_MAX_ROWS) throw fileError(`The CSV has ${records.length} rows; at most ${IMPORT_MAX_ROWS} per import`);

  const rows: ImportPlan["rows"] = [];
  const errors: ImportRowError[] = [];
  const slugLines = new Map<string, number>();
  for (const record of records) {
    if (record.fields.length !== names.length) {
      errors.push({ line: record.line, message: `Expected ${names.length} fields, found ${record.fields.length}` });
      continue;
    }
    const raw: Record<string, unknown> = {};
    names.forEach((n, i) => (raw[n] = record.fields[i]));
    if (typeof raw.type === "string") {
      const key = foldText(raw.type.trim()).replace(/[\s-]+/g, "_");
      raw.type = ownLookup(typeAliases, key) ?? raw.type.trim();
    }
    const result = createSchoolBody.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.map(String).join(".") || undefined;
        errors.push({ line: record.line, field, message: issue.code === "invalid_value" && field === "type" ? `Unknown type "${String(raw.type)}"` : issue.message });
      }
      continue;
    }
    const slug = result.data.slug ?? derivedSchoolSlug(result.data.name, result.data.city);
    const first = slugLines.get(slug);
    if (first !== undefined) {
      errors.push({
        line: record.line,
        field: "slug",
        message: `Duplicate of line ${first} (slug "${slug}"); give each school its own slug`,
      });
      continue;
    }
    slugLines.set(slug, record.line);
    rows.push({ line: record.line, values: toSchoolValues(result.data, slug) });
  }
  return { totalRows: records.length, rows, errors };
}

/**
 * Writes the valid rows in batches, each in its own transaction with its audit entry and its
 * search-sync event, upserting by slug (a re-imported file updates the same schools).
 */
export async function runSchoolImport(
  ctx: TenantContext,
  plan: ImportPlan,
  onProgress?: (p: ImportProgress) => void | Promise<void>,
): Promise<ImportResult> {
  const failedLines = [...new Set(plan.errors.map((e) => e.line))].sort((a, b) => a - b);
  let created = 0;
  let updated = 0;
  const db = getDb();
  for (let i = 0; i < plan.rows.length; i += IMPORT_BATCH_SIZE) {
    const batch = plan.rows.slice(i, i + IMPORT_BATCH_SIZE);
    const written = await db.transaction(async (tx) => {
      const written = await upsertSchoolsBySlug(tx, { tenantId: ctx.tenantId, rows: batch.map((r) => r.values) });
      const batchCreated = written.filter((w) => w.inserted).length;
      await recordAudit(tx, ctx, {
        action: "schools.imported",
        targetType: "school",
        details: { created: batchCreated, updated: written.length - batchCreated, first_line: batch[0]!.line, last_line: batch[batch.length - 1]!.line },
      });
      await emitEvent("herald/schools.changed", { tenantId: ctx.tenantId, schoolIds: written.map((w) => w.id) }, { db: tx, tenantId: ctx.tenantId });
      return written;
    });
    const batchCreated = written.filter((w) => w.inserted).length;
    created += batchCreated;
    updated += written.length - batchCreated;
    const lastLine = batch[batch.length - 1]!.line;
    const failedSoFar = failedLines.filter((l) => l <= lastLine).length;
    await onProgress?.({ processed: Math.min(plan.totalRows, i + batch.length + failedSoFar), total: plan.totalRows, created, updated, failed: failedSoFar });
  }
  return importResultOut.parse({
    total_rows: plan.totalRows,
    created,
    updated,
    failed: failedLines.length,
    errors: plan.errors.slice(0, IMPORT_MAX_REPORTED_ERRORS),
    errors_truncated: plan.errors.length > IMPORT_MAX_REPORTED_ERRORS,
  });
}
