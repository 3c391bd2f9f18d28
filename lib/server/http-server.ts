import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Serves the Next.js app. A custom server so Herald can boot its database and job engine in
 * the same process; it also stamps the peer address into a header only it can set, which the
 * sign-in throttle uses (a client-sent X-Forwarded-For is trusted only with HERALD_TRUST_PROXY).
 */
export async function startHttpServer(opts: { dev: boolean; port: number; hostname: string }) {
  const app = next({ dev: opts.dev, dir: projectRoot, hostname: opts.hostname, port: opts.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const trustProxy = process.env.HERALD_TRUST_PROXY === "true";
  const server = http.createServer((req, res) => {
    const forwarded = trustProxy ? String(req.headers["x-forwarded-for"] ?? "").split(",")[0]?.trim() : "";
    req.headers["x-herald-client-ip"] = forwarded || req.socket.remoteAddress || "unknown";
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.hostname, () => resolve());
  });
  return {
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await app.close?.();
    },
  };
}
