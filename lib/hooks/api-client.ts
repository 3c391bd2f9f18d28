/** An API error as the browser sees it: the status plus Herald's `{error:{code,message,details}}`. */
export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiClientError";
  }
}

/** fetch for Herald's own API from the dashboard (session cookie), JSON in and out. */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    throw new ApiClientError(res.status, err?.code ?? "http_error", err?.message ?? `Request failed (${res.status})`, err?.details);
  }
  return json as T;
}

/** The message to show in a toast for any thrown error. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : "Something went wrong";
}

/** A 422's per-field messages (`details[].path` → message), for showing beside form fields. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiClientError) || !Array.isArray(err.details)) return {};
  const out: Record<string, string> = {};
  for (const d of err.details as { path?: unknown; message?: unknown }[]) {
    if (typeof d.path === "string" && typeof d.message === "string" && !(d.path in out)) out[d.path] = d.message;
  }
  return out;
}

/**
 * Puts an API validation answer on a react-hook-form form: each field's message beside it,
 * and true when at least one landed (so the caller skips the generic toast).
 */
export function applyFieldErrors(setError: (name: never, error: { message: string }) => void, err: unknown, fields: readonly string[]): boolean {
  let applied = false;
  for (const [path, message] of Object.entries(fieldErrors(err))) {
    if (fields.includes(path)) {
      setError(path as never, { message });
      applied = true;
    }
  }
  return applied;
}
