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

export const logger = pino({
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
