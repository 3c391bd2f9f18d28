import { ZodError } from "zod";
// Registers the human messages zod issues carry in every validation answer.
import "@/lib/validations/error-map";

/** Error codes a client can branch on; the HTTP status follows from the code. */
export const errorStatus = {
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_cursor: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

/**
 * The one error type route handlers and services throw for expected failures. `code` may be a
 * domain code (e.g. `COMM_NO_ROUTE`) as long as `status` is given.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(opts: {
    code: ErrorCode | (string & {});
    message: string;
    status?: number;
    details?: unknown;
    headers?: Record<string, string>;
    cause?: unknown;
  }) {
    super(opts.message, { cause: opts.cause });
    this.name = "ApiError";
    this.code = opts.code;
    this.status = opts.status ?? errorStatus[opts.code as ErrorCode] ?? 500;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  static notFound(what = "Resource") {
    return new ApiError({ code: "not_found", message: `${what} not found` });
  }

  static forbidden(message = "You do not have permission to do this") {
    return new ApiError({ code: "forbidden", message });
  }

  static conflict(message: string, details?: unknown) {
    return new ApiError({ code: "conflict", message, details });
  }

  static rateLimited(retryAfterSeconds: number, message = "Too many requests") {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return new ApiError({
      code: "rate_limited",
      message,
      details: { retry_after_seconds: seconds },
      headers: { "Retry-After": String(seconds) },
    });
  }
}

/** `["to", 0, "email"]` → `to[0].email`, the path shape clients and forms read. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** Zod issues as `{ path: "to[0].email", message }`, the shape clients and forms read. */
export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
    code: issue.code,
  }));
}

export function validationError(error: ZodError, message = "The request is invalid") {
  return new ApiError({ code: "validation_failed", message, details: zodDetails(error) });
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** The SQLSTATE of a Postgres error anywhere in the cause chain (drizzle wraps the driver's). */
export function sqlStateOf(err: unknown): { code: string; constraint?: string } | null {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      const constraint = (e as { constraint_name?: unknown }).constraint_name;
      return { code, constraint: typeof constraint === "string" ? constraint : undefined };
    }
  }
  return null;
}

/**
 * Postgres refusals that client input can still reach past the schemas (a character or date the
 * schema let through, a unique row two requests raced for): a 4xx, never a 500. Anything else
 * from the database stays a 500.
 */
export function databaseInputError(err: unknown): ApiError | null {
  const state = sqlStateOf(err);
  if (!state) return null;
  const invalid = (message: string) => new ApiError({ code: "validation_failed", message, cause: err });
  switch (state.code) {
    case "22P05": // untranslatable_character (e.g. \u0000 in jsonb)
    case "22021": // character_not_in_repertoire
      return invalid("The request holds characters that cannot be stored (NUL or unpaired surrogates)");
    case "22007": // invalid_datetime_format
    case "22008": // datetime_field_overflow
      return invalid("A date in the request is outside the accepted range (years 1970–9999)");
    case "22003": // numeric_value_out_of_range
      return invalid("A number in the request is out of range");
    case "22001": // string_data_right_truncation
      return invalid("A value in the request is too long");
    case "22P02": // invalid_text_representation (e.g. a malformed id)
      return new ApiError({ code: "bad_request", message: "A value in the request has the wrong format", cause: err });
    case "54001": // statement_too_complex (stack depth)
      return invalid("The request is nested too deeply");
    case "23505": // unique_violation: another request created the same row first
      return new ApiError({
        code: "conflict",
        message: "Another request created or changed the same resource at the same time; retry or fetch it",
        details: state.constraint ? { constraint: state.constraint } : undefined,
        cause: err,
      });
    case "40001": // serialization_failure
    case "40P01": // deadlock_detected
    case "55P03": // lock_not_available
      return new ApiError({
        code: "conflict",
        message: "A concurrent request changed the same resource; retry",
        headers: { "Retry-After": "1" },
        cause: err,
      });
    default:
      return null;
  }
}

/**
 * Maps anything thrown to a JSON response. Unknown errors become a 500 carrying only the
 * request id: the cause goes to the log, never to the client.
 */
export function errorResponse(
  err: unknown,
  requestId: string,
  log?: { error: (o: object, m: string) => void; warn?: (o: object, m: string) => void },
) {
  if (err instanceof ZodError) err = validationError(err);
  const fromDatabase = err instanceof ApiError ? null : databaseInputError(err);
  if (fromDatabase) {
    // The client gets a 4xx; the log keeps what Postgres said.
    log?.warn?.({ err, sqlState: sqlStateOf(err)?.code }, "database refused client input");
    err = fromDatabase;
  }
  if (err instanceof ApiError) {
    const headers = new Headers(err.headers);
    headers.set("x-request-id", requestId);
    return Response.json(errorBody(err.code, err.message, err.details), { status: err.status, headers });
  }
  log?.error({ err }, "unhandled error in route handler");
  return Response.json(
    errorBody("internal_error", "Something went wrong on our side", { request_id: requestId }),
    { status: 500, headers: { "x-request-id": requestId } },
  );
}
