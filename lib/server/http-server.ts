import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { errorBody } from "@/lib/api/errors";
import { logger } from "@/lib/logger";
import { httpMetricsRecorder } from "@/lib/metrics/http-metrics";
import { allowHeader, listApiRoutes, matchApiRoute, type ApiRoute } from "./api-routes";
import { lifecycle, shutdownDelayMs, shutdownTimeoutMs } from "./lifecycle";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The error code of a framework-level answer (Next's own 404/405/…), by status. */
const FRAMEWORK_CODES: Record<number, [code: string, message: string]> = {
  400: ["bad_request", "The request is malformed"],
  404: ["not_found", "No such API endpoint"],
  405: ["method_not_allowed", "This endpoint does not support the method"],
  413: ["payload_too_large", "The request body is too large"],
  431: ["request_header_fields_too_large", "The request headers are too large"],
};

function frameworkError(status: number): [string, string] {
  return Object.hasOwn(FRAMEWORK_CODES, status)
    ? FRAMEWORK_CODES[status]!
    : status >= 500
      ? ["internal_error", "Something went wrong on our side"]
      : ["bad_request", "The request was refused"];
}

function hasUndecodableSegment(pathname: string): boolean {
  try {
    for (const s of pathname.split("/")) decodeURIComponent(s);
    return false;
  } catch {
    return true;
  }
}

function headerValue(headers: OutgoingHttpHeaders | undefined, name: string): string {
  if (!headers || Array.isArray(headers)) return "";
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v ?? "");
  return "";
}

/**
 * Two rules for every response, applied where the bytes leave:
 * - a response sent before the request body was read to the end (a 413, a 401 on a big upload)
 *   closes the connection, so the unread rest can't be parsed as the next request and stall it;
 * - under /api, an error that isn't JSON (Next's HTML 404 page, its empty 405) is replaced by the
 *   API's `{"error":{"code","message"}}` body, with `Allow` on 405.
 */
function enforceResponseContract(req: IncomingMessage, res: ServerResponse, routes: ApiRoute[]) {
  const pathname = (req.url ?? "/").split("?")[0]!;
  const underApi = pathname === "/api" || pathname.startsWith("/api/");
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let replaced: boolean | undefined;

  const decide = (status: number, headers?: OutgoingHttpHeaders): boolean => {
    if (replaced !== undefined) return replaced;
    if (!req.complete) res.setHeader("Connection", "close");
    const type = headerValue(headers, "content-type") || String(res.getHeader("content-type") ?? "");
    replaced = underApi && status >= 400 && !/\bjson\b/i.test(type);
    if (!replaced) return false;
    const [code, message] = frameworkError(status);
    const body = JSON.stringify(errorBody(code, message));
    for (const name of res.getHeaderNames()) {
      if (!["x-request-id", "connection", "retry-after", "www-authenticate"].includes(name)) res.removeHeader(name);
    }
    const route = status === 405 ? matchApiRoute(routes, pathname) : undefined;
    const out: OutgoingHttpHeaders = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
      ...(route ? { allow: allowHeader(route) } : {}),
    };
    writeHead(status, out);
    end(req.method === "HEAD" ? undefined : body);
    return true;
  };

  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const headers = rest.find((r): r is OutgoingHttpHeaders => typeof r === "object" && r !== null);
    if (decide(status, headers)) return res;
    return writeHead(status, ...rest);
  }) as typeof res.writeHead;
  res.write = ((...args: unknown[]) => (decide(res.statusCode) ? true : write(...args))) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    if (decide(res.statusCode)) {
      const cb = args.find((a): a is () => void => typeof a === "function");
      if (cb) res.once("finish", cb);
      return res;
    }
    return end(...args);
  }) as typeof res.end;
}

function sendJson(res: ServerResponse, status: number, code: string, message: string) {
  const body = JSON.stringify(errorBody(code, message));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
}

/** Errors Node's parser raises before any handler runs (431 headers too large, 400 malformed): JSON too. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex) {
  if (!socket.writable || (err as { code?: string }).code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const [code, message] = status === 408 ? ["request_timeout", "The request took too long to arrive"] : frameworkError(status);
  const body = JSON.stringify(errorBody(code, message));
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function loadRoutes(): ApiRoute[] {
  try {
    return listApiRoutes(projectRoot);
  } catch (err) {
    // A deployment without the app sources still serves; its 405s just lack `Allow`.
    logger.warn({ err }, "could not read the API routes; 405 answers will not carry Allow");
    return [];
  }
}

/**
 * Serves the Next.js app. A custom server so Herald can boot its database and job engine in
 * the same process; it also stamps the peer address into a header only it can set, which the
 * sign-in throttle uses (a client-sent X-Forwarded-For is trusted only with HERALD_TRUST_PROXY).
 */
export async function startHttpServer(opts: { dev: boolean; port: number; hostname: string }) {
  const app = next({ dev: opts.dev, dir: projectRoot, hostname: opts.hostname, port: opts.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const routes = loadRoutes();
  const trustProxy = process.env.HERALD_TRUST_PROXY === "true";
  const recordRequest = httpMetricsRecorder(routes);
  const state = lifecycle();
  // Responses still to start, so a drain can tell their keep-alive connections to close.
  const open = new Set<ServerResponse>();
  const server = http.createServer((req, res) => {
    recordRequest?.(req, res);
    state.inFlight++;
    open.add(res);
    res.once("close", () => {
      state.inFlight--;
      open.delete(res);
    });
    if (state.draining) res.setHeader("Connection", "close");
    const forwarded = trustProxy ? String(req.headers["x-forwarded-for"] ?? "").split(",")[0]?.trim() : "";
    req.headers["x-herald-client-ip"] = forwarded || req.socket.remoteAddress || "unknown";
    enforceResponseContract(req, res, routes);
    const pathname = (req.url ?? "/").split("?")[0]!;
    // Next answers a path it can't percent-decode with a plain-text 500; no resource has such a name.
    if (pathname.startsWith("/api/") && hasUndecodableSegment(pathname)) {
      sendJson(res, 404, "not_found", "No resource has this name (the path is not valid percent-encoded UTF-8)");
      return;
    }
    void handle(req, res);
  });
  server.on("clientError", answerClientError);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });
  return {
    server,
    /**
     * Graceful stop (SIGTERM): /api/ready answers 503 at once; requests are still served for
     * HERALD_SHUTDOWN_DELAY_SECONDS (the balancer notices), then the listener closes, every
     * response carries `Connection: close`, and in-flight requests get up to
     * HERALD_SHUTDOWN_TIMEOUT_SECONDS to finish before their connections are cut.
     */
    async close(): Promise<{ cut: number }> {
      state.draining = true;
      const delay = shutdownDelayMs();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      for (const res of open) if (!res.headersSent) res.setHeader("Connection", "close");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), shutdownTimeoutMs()))),
      ]);
      clearTimeout(timer);
      const cut = timedOut ? state.inFlight : 0;
      if (timedOut) logger.warn({ requests: cut }, "shutdown timeout: cutting the requests still in flight");
      server.closeAllConnections();
      await app.close?.();
      return { cut };
    },
  };
}
