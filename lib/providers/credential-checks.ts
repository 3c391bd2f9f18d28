// What a credential check answers, and the helpers the providers' checks share. Each provider's own
// check (one cheap authenticated read, sending nothing) lives in its folder.
import type { ProviderKind } from "@/db/schema/provider-configs";
import { providerFetch, refusedHost } from "@/lib/net/provider-hosts";
import { providerDefinitions } from "./definitions";

export type CheckOutcome = "ok" | "auth" | "rejected" | "unreachable" | "provider_error";

export interface CheckResult {
  outcome: CheckOutcome;
  message: string;
  httpStatus: number | null;
}

export interface CheckInput {
  provider: ProviderKind;
  configId: string;
  settings: Record<string, unknown>;
  /** Decrypted values keyed by credential field; never logged or echoed. */
  credentials: Record<string, string>;
  apiBaseUrl: string | null;
  timeoutMs?: number;
}

/** Where requests for a config go: the override, else the account's own host, else the provider's. */
export function effectiveBaseUrl(provider: ProviderKind, settings: Record<string, unknown>, apiBaseUrl: string | null): string {
  if (apiBaseUrl) return apiBaseUrl.replace(/\/+$/, "");
  const definition = providerDefinitions[provider] as { apiBaseUrl: string; accountBaseUrl?: (s: Record<string, unknown>) => string | undefined };
  return definition.accountBaseUrl?.(settings) ?? definition.apiBaseUrl;
}

export function classifyStatus(status: number): CheckOutcome {
  if (status >= 200 && status < 300) return "ok";
  if (status === 401 || status === 403) return "auth";
  if (status === 429 || status >= 500) return "provider_error";
  return "rejected";
}

/** How much of a foreign answer Herald repeats (in `message`, `last_error`, attempts). */
export const PROVIDER_SNIPPET_CHARS = 200;

/** One line of printable text, cut short: a base URL may point anywhere, and its answer is not ours to show. */
export function snippet(text: string): string | undefined {
  const line = text.replace(/<[^>]{0,200}>/g, " ").replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();
  if (!line) return undefined;
  return line.length > PROVIDER_SNIPPET_CHARS ? `${line.slice(0, PROVIDER_SNIPPET_CHARS - 1)}…` : line;
}

/** The human part of a provider's error body, in each provider's own shape, as a short snippet. */
export function providerMessage(body: unknown): string | undefined {
  const found = messageIn(body);
  return found === undefined ? undefined : snippet(found);
}

function messageIn(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() || undefined;
  if (typeof body !== "object" || body === null) return undefined;
  // Providers nest their message differently (errors[0].message, errors[0], error.message,
  // requestError.*.text, message, error_description, error); probed defensively in that order.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const b = body as Record<string, any>;
  const candidates: unknown[] = [
    b.errors?.[0]?.message,
    typeof b.errors?.[0] === "string" ? b.errors[0] : undefined,
    b.error?.message,
    b.requestError?.serviceException?.text,
    b.requestError?.policyException?.text,
    b.message,
    b.error_description,
    typeof b.error === "string" ? b.error : undefined,
  ];
  const found = candidates.find((c) => typeof c === "string" && c.trim() !== "");
  return typeof found === "string" ? found.trim() : undefined;
}

/** A GET with the given auth headers, classified; `okMessage` words the success from the provider's body. */
export async function httpCheck(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the provider's own JSON shape
  okMessage: (body: any) => string,
): Promise<CheckResult> {
  let res: Response;
  try {
    res = await providerFetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return unreachable(err);
  }
  const text = await res.text().catch(() => "");
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text bodies (some providers' 400/401 answers) stay text
  }
  const outcome = classifyStatus(res.status);
  if (outcome === "ok") return { outcome, message: okMessage(body ?? {}), httpStatus: res.status };
  return { outcome, message: providerMessage(body) ?? `HTTP ${res.status} ${res.statusText}`.trim(), httpStatus: res.status };
}

export function unreachable(err: unknown): CheckResult {
  const refused = refusedHost(err);
  if (refused) return { outcome: "rejected", message: `Refused: ${refused.message}`, httpStatus: null };
  const e = err as { name?: string; cause?: { code?: string }; code?: string };
  const reason = e?.name === "TimeoutError" ? "timed out" : (e?.cause?.code ?? e?.code ?? "connection failed");
  return { outcome: "unreachable", message: `Could not reach the provider (${reason})`, httpStatus: null };
}

/** Check context every provider check receives: the base URL for the config and a credential reader. */
export interface CheckContext {
  base: string;
  timeoutMs: number;
  /** The decrypted credential; throws when missing (answered as `rejected`). */
  need(field: string): string;
}

export type CredentialCheck = (input: CheckInput, ctx: CheckContext) => Promise<CheckResult>;

export function checkContext(input: CheckInput): CheckContext {
  return {
    base: effectiveBaseUrl(input.provider, input.settings, input.apiBaseUrl),
    timeoutMs: input.timeoutMs ?? 10_000,
    need(field) {
      const value = input.credentials[field];
      if (!value) throw new Error(`missing credential ${field}`);
      return value;
    },
  };
}

/**
 * Runs the provider's credential check. The message is a short snippet of the provider's own
 * words, with any credential value it might echo replaced.
 */
export async function runCredentialCheck(check: CredentialCheck, input: CheckInput): Promise<CheckResult> {
  let result: CheckResult;
  try {
    result = await check(input, checkContext(input));
  } catch (err) {
    result = { outcome: "rejected", message: err instanceof Error ? err.message : "The check failed", httpStatus: null };
  }
  return { ...result, message: snippet(redactValues(result.message, Object.values(input.credentials))) ?? "The check failed" };
}

export function redactValues(text: string, values: string[]): string {
  let out = text;
  for (const v of values) {
    if (v.length >= 4) out = out.split(v).join("[redacted]");
  }
  return out;
}
