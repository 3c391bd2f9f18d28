import type { z } from "zod";
import { findUnsafeText, inspectJson, JSON_LIMITS } from "@/lib/validations/json-safety";
import { ApiError, formatPath, validationError } from "./errors";

/** Default request body limit (documented in the README); routes may raise it, e.g. batch sends. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Reads the body as text without ever holding more than `limit` bytes. */
export async function readBodyText(req: Request, limit = DEFAULT_BODY_LIMIT): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function tooLarge(limit: number) {
  return new ApiError({
    code: "payload_too_large",
    message: `The request body is larger than ${limit} bytes`,
    details: { limit_bytes: limit },
  });
}

export function parseJsonText(text: string): unknown {
  if (text.trim() === "") throw new ApiError({ code: "invalid_json", message: "The request body is empty; JSON expected" });
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError({ code: "invalid_json", message: "The request body is not valid JSON" });
  }
}

/**
 * Throws 422 with the field path when a parsed body holds something Postgres can't store (NUL,
 * lone surrogates) or is nested or sized past what any endpoint accepts — for every endpoint at
 * once, before its schema runs.
 */
export function assertSafeJson(value: unknown): void {
  const problem = inspectJson(value, JSON_LIMITS);
  if (!problem) return;
  throw new ApiError({
    code: "validation_failed",
    message: "The request is invalid",
    details: [{ path: formatPath(problem.path), message: problem.message }],
  });
}

/** Body → JSON → schema, failing as 413, 400 or 422 with field paths. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, limit?: number): Promise<z.output<S>> {
  const raw = parseJsonText(await readBodyText(req, limit));
  assertSafeJson(raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/** The query string as an own-keys object; 400 for a value or name Postgres couldn't store. */
export function queryParams(req: Request): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  for (const [name, value] of new URL(req.url).searchParams) {
    const problem = findUnsafeText(name) ?? findUnsafeText(value);
    if (problem) {
      throw new ApiError({
        code: "bad_request",
        message: "The query string is invalid",
        details: [{ path: name.replace(/\u0000/g, "\\0"), message: problem }],
      });
    }
    params[name] = value;
  }
  return params;
}

/** Query string → schema (400 for unstorable characters, 422 on schema failure). */
export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = queryParams(req);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw validationError(parsed.error, "The query string is invalid");
  return parsed.data;
}
