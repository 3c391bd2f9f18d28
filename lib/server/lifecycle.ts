// A process's serving state, shared by the custom server and the route handlers (Next loads its
// own copy of lib/, hence globalThis): whether it is draining for shutdown, and its requests in flight.
import { positiveNumberEnv } from "@/lib/env";

export interface Lifecycle {
  draining: boolean;
  inFlight: number;
}

const key = Symbol.for("herald.lifecycle");
type G = typeof globalThis & { [key]?: Lifecycle };

export function lifecycle(): Lifecycle {
  const g = globalThis as G;
  return (g[key] ??= { draining: false, inFlight: 0 });
}

/**
 * How long a stopping process waits for in-flight requests (web) or running jobs (workers)
 * before it cuts them off: HERALD_SHUTDOWN_TIMEOUT_SECONDS, default 25 — inside the 30 s most
 * process managers grant (systemd's TimeoutStopSec in scripts/systemd is 45 s, which also
 * covers the readiness delay below).
 */
export function shutdownTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return positiveNumberEnv("HERALD_SHUTDOWN_TIMEOUT_SECONDS", 25, env) * 1000;
}

/**
 * How long a web process keeps serving after SIGTERM while /api/ready already answers 503, so
 * the load balancer stops sending before the listener closes: HERALD_SHUTDOWN_DELAY_SECONDS,
 * default 0 (set it to the balancer's health-check interval × its unhealthy threshold).
 */
export function shutdownDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.HERALD_SHUTDOWN_DELAY_SECONDS ?? 0);
  return Number.isFinite(v) && v > 0 ? v * 1000 : 0;
}
