import { AsyncLocalStorage } from "node:async_hooks";
import pino from "pino";

interface LogContext {
  requestId?: string;
  tenantId?: string;
  runId?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with fields that every log line written inside it carries (request id, tenant). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, fn);
}

export function logContext(): LogContext {
  return context.getStore() ?? {};
}

// Field names that may hold credentials anywhere in a logged object; pino replaces their values.
const redactKeys = [
  "password",
  "passwordHash",
  "apiKey",
  "api_key",

  "secret",
  "token",
  "authorization",
  "Authorization",
  "accessToken",
  "access_token",
  "authToken",
  "privateKey",
  "private_key",

  "cookie",
];

interface CauseLike {
  name?: string;
  message?: string;
  code?: string;
  detail?: string;
  constraint_name?: string;
  cause?: unknown;
  query?: string;
  params?: unknown;
}

/**
 * One line for an error and its whole `cause` chain. A failed drizzle query says only "Failed
 * query: …"; the database's own error (deadlock, lock timeout, constraint) is its cause, so it
 * is spelled out here. Query parameters are left out: they can hold message bodies and secrets.
 */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (typeof cur !== "object") {
      parts.push(String(cur));
      break;
    }
    const e = cur as CauseLike;
    // drizzle's wrapper (query + params): name the query only. The driver's own error has a message.
    const message = typeof e.query === "string" && "params" in e ? `Failed query: ${e.query}` : (e.message ?? String(cur));
    const extra = [e.code ? `code ${e.code}` : null, e.constraint_name ? `constraint ${e.constraint_name}` : null, e.detail ? e.detail : null].filter(Boolean);
    const line = extra.length > 0 ? `${message} (${extra.join(", ")})` : message;
    // A wrapper that already quotes its cause's message (`field: <cause>`) needs no second copy of it.
    const previous = parts.at(-1);
    if (previous !== undefined && previous.includes(message)) parts[parts.length - 1] = extra.length > 0 ? `${previous} (${extra.join(", ")})` : previous;
    else parts.push(line);
    cur = e.cause;
  }
  return parts.join(" — caused by: ");
}

/** pino's `err` serializer: message with every cause, the database error code, the stack; never the query's parameters. */
function serializeError(err: unknown): unknown {
  if (!err || typeof err !== "object") return err;
  const e = err as CauseLike & { stack?: string };
  let code: string | undefined;
  for (let c: unknown = err, d = 0; c && typeof c === "object" && d < 5; c = (c as CauseLike).cause, d++) code ??= (c as CauseLike).code;
  return { type: e.name, message: errorText(err), ...(code ? { code } : {}), stack: e.stack };
}

/**
 * Where error-level lines also go (Sentry, the deployment's Slack channel): installed at process
 * start by lib/observability/error-log-sink.ts, read through globalThis so this module imports
 * nothing of them (and the route bundles' copy of it reaches the same sink).
 */
export type ErrorLogSink = (args: unknown[], level: number) => void;
const sinkKey = Symbol.for("herald.errorLogSink");
type SinkHolder = typeof globalThis & { [sinkKey]?: ErrorLogSink };

export function setErrorLogSink(sink: ErrorLogSink | undefined): void {
  (globalThis as SinkHolder)[sinkKey] = sink;
}

export const logger = pino({
  hooks: {
    logMethod(args, method, level) {
      if (level >= 50) {
        const sink = (globalThis as SinkHolder)[sinkKey];
        if (sink) {
          try {
            sink(args, level);
          } catch {
            // reporting an error must never break the code that logs it
          }
        }
      }
      return method.apply(this, args);
    },
  },
  serializers: { err: serializeError },
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
  base: { service: "herald" },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: [...redactKeys, ...redactKeys.map((k) => `*.${k}`), ...redactKeys.map((k) => `*.*.${k}`)],
    censor: "[redacted]",
  },
  mixin: () => ({ ...logContext() }),
  formatters: { level: (label) => ({ level: label }) },
});

export type Logger = typeof logger;
