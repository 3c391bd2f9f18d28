// Unisender's JSON API: POST {base}/{method}?format=json, form-encoded, the key in the body (never
// in a URL a proxy might log). Errors come back as HTTP 200 with `{error, code}`.
import { IntegrationPermanentError, IntegrationTransientError } from "@/lib/integrations/kommo/errors";
import { logIntegrationRequest } from "@/lib/integrations/kommo/request-log";
import { errorText } from "@/lib/logger";

export function unisenderApiBase(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HERALD_UNISENDER_BASE_URL || "https://api.unisender.com/en/api").replace(/\/+$/, "");
}

/** Unisender takes at most 500 contacts per importContacts call. */
export const UNISENDER_IMPORT_MAX = 500;
const ATTEMPTS = 3;
const TIMEOUT_MS = 30_000;

export interface UnisenderTarget {
  tenantId: string;
  integrationId: string;
  apiKey: string;
}

/** Codes a retry cannot fix: the key, the arguments. */
const PERMANENT = new Set(["invalid_api_key", "access_denied", "invalid_arg", "unknown_method", "too_many_contacts"]);

export async function callUnisender(target: UnisenderTarget, method: string, params: [string, string][], logInput: Record<string, unknown>): Promise<Record<string, unknown>> {
  let lastError = "";
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const started = performance.now();
    let status: number | null = null;
    let body: Record<string, unknown> | null = null;
    try {
      const form = new URLSearchParams([["api_key", target.apiKey], ...params]);
      const res = await fetch(`${unisenderApiBase()}/${method}?format=json`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = res.status;
      const text = await res.text();
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = null;
        lastError = `HTTP ${status}: ${text.slice(0, 100)}`;
      }
    } catch (err) {
      lastError = errorText(err);
    }
    const apiError = body && typeof body.error === "string" ? { message: body.error, code: String(body.code ?? "error") } : null;
    const ok = status === 200 && body !== null && !apiError;
    await logIntegrationRequest({
      tenantId: target.tenantId,
      integrationId: target.integrationId,
      service: "unisender",
      operation: method,
      method: "POST",
      input: { ...logInput, attempt: attempt + 1 },
      status,
      ok,
      summary: ok ? summarize(method, body!) : apiError ? `${apiError.code}: ${apiError.message}` : status === null ? `network error: ${lastError}` : lastError || `HTTP ${status}`,
      durationMs: Math.round(performance.now() - started),
    });
    if (ok) return body!;
    if (apiError) {
      if (PERMANENT.has(apiError.code) || apiError.code === "object_not_found") throw new IntegrationPermanentError(`Unisender ${method}: ${apiError.message}`, apiError.code);
      lastError = `${apiError.code}: ${apiError.message}`;
    }
    if (attempt < ATTEMPTS - 1) await new Promise((r) => setTimeout(r, Math.min(4_000, 300 * 2 ** attempt)));
  }
  throw new IntegrationTransientError(`Unisender ${method} failed after ${ATTEMPTS} tries: ${lastError}`);
}

function summarize(method: string, body: Record<string, unknown>): string {
  const r = body.result as Record<string, unknown> | undefined;
  if (method === "importContacts" && r) return `total ${String(r.total)}, inserted ${String(r.inserted)}, updated ${String(r.updated)}, deleted ${String(r.deleted)}, invalid ${String(r.invalid)}`;
  return "ok";
}

export interface ImportRow {
  email: string;
  phone?: string | null;
  name?: string | null;
  /** Lists to add the contact to (comma-joined in the column). */
  listIds?: string[];
  /** Remove the contact from Unisender altogether (the special `delete` column). */
  delete?: boolean;
}

const FIELD_NAMES = ["email", "phone", "Name", "email_list_ids", "delete"] as const;

/** importContacts in calls of ≤500 rows; returns the summed counts. */
export async function importUnisenderContacts(target: UnisenderTarget, rows: ImportRow[]): Promise<{ total: number; invalid: number }> {
  let total = 0;
  let invalid = 0;
  for (let i = 0; i < rows.length; i += UNISENDER_IMPORT_MAX) {
    const chunk = rows.slice(i, i + UNISENDER_IMPORT_MAX);
    const params: [string, string][] = FIELD_NAMES.map((f, j) => [`field_names[${j}]`, f]);
    chunk.forEach((r, n) => {
      const values = [r.email, r.phone ?? "", r.name ?? "", (r.listIds ?? []).join(","), r.delete ? "1" : "0"];
      values.forEach((v, j) => params.push([`data[${n}][${j}]`, v]));
    });
    params.push(["overwrite_tags", "0"], ["overwrite_lists", "0"]);
    const res = await callUnisender(target, "importContacts", params, {
      field_names: [...FIELD_NAMES],
      rows: chunk.length,
      emails: chunk.map((r) => r.email),
      deletes: chunk.filter((r) => r.delete).length,
    });
    const r = (res.result ?? {}) as Record<string, unknown>;
    total += Number(r.total ?? chunk.length);
    invalid += Number(r.invalid ?? 0);
  }
  return { total, invalid };
}

/** Removes a contact from lists without unsubscribing it (`exclude`). */
export async function excludeUnisenderContact(target: UnisenderTarget, input: { email: string; listIds: string[] }): Promise<void> {
  const params: [string, string][] = [
    ["contact_type", "email"],
    ["contact", input.email],
  ];
  if (input.listIds.length) params.push(["list_ids", input.listIds.join(",")]);
  await callUnisender(target, "exclude", params, { contact_type: "email", contact: input.email, list_ids: input.listIds });
}

/** getContact; null when Unisender knows no such contact. */
export async function getUnisenderContact(target: UnisenderTarget, email: string): Promise<Record<string, unknown> | null> {
  try {
    const res = await callUnisender(
      target,
      "getContact",
      [
        ["email", email],
        ["include_lists", "1"],
        ["include_fields", "1"],
      ],
      { email },
    );
    return (res.result ?? {}) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof IntegrationPermanentError && err.code === "object_not_found") return null;
    throw err;
  }
}
