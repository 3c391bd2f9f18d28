import { ZodError } from "zod";

/** Error codes a client can branch on; the HTTP status follows from the code. */
export const errorStatus = {
  invalid_json: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
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

/** Zod issues as `{ path: "to[0].email", message }`, the shape clients and forms read. */
export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join(""),
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

/**
 * Maps anything thrown to a JSON response. Unknown errors become a 500 carrying only the
 * request id: the cause goes to the log, never to the client.
 */
export function errorResponse(err: unknown, requestId: string, log?: { error: (o: object, m: string) => void }) {
  if (err instanceof ZodError) err = validationError(err);
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
