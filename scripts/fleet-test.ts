// `npm run test:fleet` (and `--short`, a step of `npm test`): Herald as a fleet on this machine —
// two web processes and two workers on one Postgres, RabbitMQ for events, the provider simulator
// for providers — started exactly as the units in scripts/systemd/ start them (their ExecStart and
// Environment= lines are read from the files). Checks that the fleet behaves as one process:
//
//   - a key revoked through one web process is refused by the other on its next request;
//   - a routing rule created or changed through one is what the other sends by, at once;
//   - a cached row changed through one (the OTP policy) is seen by the other within a second;
//   - a config paused through one is refused by the other at once; an OTP throttle counts across both;
//   - the per-key request limit holds across both within 10 % of the configured rate;
//   - the chaos send (30 % provider failures) through both: every message terminal, exactly one
//     communication.* event each on RabbitMQ, while a web process is SIGKILLed mid-request (its
//     batch, retried through the other with the same idempotency keys, is accepted exactly once)
//     and — long variant — a worker is SIGKILLed mid-delivery and another stopped with SIGTERM;
//   - scheduled work ran once across the fleet: the retention purge once per slot (also after the
//     kills), the stuck-work sweep at most once a minute, every usage increment folded once;
//   - SIGTERM drains: /api/ready answers 503 at once, a request in flight completes, exit 0.
//
//   --short       (npm test) one worker, fewer messages, no worker kill (the lease wait is the crash test's)
//   --redis       rate limits in Redis (REDIS_URL or redis://127.0.0.1:6379, under a prefix of this run)
//   FLEET_MESSAGES (600; short 60)  FLEET_LIMIT_SECONDS (30; short 15)  FLEET_BASE_PORT (4340)
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import amqp, { type ChannelModel } from "amqplib";
import { and, eq, like, sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { closeDb, getDb } from "@/db";
import { messages, sendRateBuckets } from "@/db/schema";
import { SimulatorClient } from "@/e2e/simulator/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { DEFAULT_RABBITMQ_URL } from "@/lib/broker/rabbitmq";
import { limiterStore } from "@/lib/rate-limit/store";
import { createTestDatabase } from "@/lib/server/test-database";
import { systemContext } from "@/lib/tenancy/context";
import { createTenant } from "@/lib/tenants/create-tenant";
import { makeConfigForAccount } from "@/lib/test/delivery";
import { makeUser } from "@/lib/test/factories";
import { sessionCookie } from "@/lib/test/http";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const short = process.argv.includes("--short");
const useRedis = process.argv.includes("--redis");
const N = Number(process.env.FLEET_MESSAGES ?? (short ? 60 : 600));
const LIMIT_SECONDS = Number(process.env.FLEET_LIMIT_SECONDS ?? (short ? 15 : 30));
const basePort = Number(process.env.FLEET_BASE_PORT ?? 4340);
// Per key, for the whole fleet: low enough that two web processes on a heavily loaded 2-core
// machine (seen: 6 requests/s in all) still offer more than it, so the limit decides; the burst
// is ten seconds deep, so a stall of the machine does not spill tokens.
const RATE = 2;
const BURST = 20;
const run = randomBytes(4).toString("hex");
const logDir = path.join(root, ".data", "fleet-test", run);

const failures: string[] = [];
const figures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The process kinds, as the systemd units define them

interface Unit {
  script: string;
  env: Record<string, string>;
}

/** ExecStart's script and the Environment= lines of a unit in scripts/systemd/, `%i` → instance. */
function readUnit(file: string, instance: string): Unit {
  const text = readFileSync(path.join(root, "scripts", "systemd", file), "utf8");
  const env: Record<string, string> = {};
  let script = "";
  for (const line of text.split("\n")) {
    const m = /^Environment=([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!.replace(/%i/g, instance);
    const exec = /^ExecStart=.*\s(scripts\/\S+\.ts)$/.exec(line.trim());
    if (exec) script = exec[1]!;
  }
  if (!script) throw new Error(`${file}: no ExecStart running a script`);
  return { script, env };
}

interface Proc {
  name: string;
  child: ChildProcess;
  port?: number;
  exited: Promise<number | null>;
}

function startProcess(name: string, unit: Unit, env: Record<string, string>, port?: number): Proc {
  const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: "a" });
  const child = spawn(process.execPath, ["--import", "tsx", unit.script], {
    cwd: root,
    env: { ...process.env, ...env, ...unit.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, port, exited };
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Res {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read by path in checks
  body: any;
}

async function call(port: number, method: string, p: string, opts: { body?: unknown; key?: string; cookie?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`http://127.0.0.1:${port}${p}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

async function waitReady(proc: Proc, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with code ${proc.child.exitCode} (log: ${logDir}/${proc.name}.log)`);
    try {
      if ((await call(proc.port!, "GET", "/api/ready")).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} was not ready within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

/**
 * Polls `fn` until it holds; returns when the successful try was *sent* (ms after the start) —
 * the request's own latency on a loaded machine is not propagation — or null if no try sent
 * within `timeoutMs` succeeded.
 */
async function timeUntil(fn: () => Promise<boolean>, timeoutMs: number, stepMs = 10): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    const sent = performance.now() - started;
    if (sent > timeoutMs) return null;
    if (await fn()) return sent;
    await sleep(stepMs);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.error("No production build: run `npx next build` first (the fleet runs the built app).");
    process.exit(2);
  }
  mkdirSync(logDir, { recursive: true });
  const started = Date.now();
  process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS ??= "127.0.0.1,localhost";
  process.env.HERALD_MASTER_KEY ??= randomBytes(32).toString("base64");
  process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64");
  process.env.LOG_LEVEL ??= "warn";
  const exchange = `fleet-${run}.communication`;
  const names = {
    HERALD_COMMUNICATION_EXCHANGE: exchange,
    HERALD_COMMUNICATION_DLQ: `fleet-${run}.dlq.communication`,
    HERALD_CALL_EVENTS_QUEUE: `fleet-${run}.call-events`,
    HERALD_CALL_COMMANDS_QUEUE: `fleet-${run}.call-commands`,
  };
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const redisPrefix = `herald-fleet-${run}:`;
  // This process reads the limit's bucket through the same store the fleet uses.
  if (useRedis) Object.assign(process.env, { REDIS_URL: redisUrl, HERALD_REDIS_PREFIX: redisPrefix });
  else delete process.env.REDIS_URL;

  // The deploy step: one migration run (createTestDatabase migrates), before any process starts.
  const db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
  const simPort = basePort + 9;
  const sim = spawn(process.execPath, ["--import", "tsx", "e2e/simulator/cli.ts", "--port", String(simPort), "--no-auto-delivery", "--max-records", "1000000"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const simUrl = `http://127.0.0.1:${simPort}`;
  const simulator = new SimulatorClient(simUrl);
  const procs: Proc[] = [];
  let broker: ChannelModel | undefined;
  const consumed: { eventId: string; messageId: string }[] = [];

  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    NODE_ENV: "production",
    LOG_LEVEL: process.env.LOG_LEVEL!,
    HERALD_SEED_DEMO: "false",
    HERALD_MASTER_KEY: process.env.HERALD_MASTER_KEY!,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET!,
    HERALD_PROVIDER_URL_ALLOW_HOSTS: process.env.HERALD_PROVIDER_URL_ALLOW_HOSTS!,
    ...names,
    HERALD_API_RATE_LIMIT_PER_SECOND: String(RATE),
    HERALD_API_RATE_LIMIT_BURST: String(BURST),
    // Retention slots of 6 s, so several slots pass during the test.
    HERALD_RETENTION_INTERVAL_MINUTES: "0.1",
    HERALD_DELIVERY_BACKOFF_MS: "100",
    HERALD_PROVIDER_TIMEOUT_MS: "1000",
    // Four processes on a Postgres other work shares: small pools.
    DATABASE_POOL_SIZE: "4",
    HERALD_JOBS_POOL_SIZE: "4",
    ...(useRedis ? { REDIS_URL: redisUrl, HERALD_REDIS_PREFIX: redisPrefix } : {}),
  };
  // What the test changes in the units' own environment: a shorter readiness delay and drain.
  const testOverrides = { HERALD_SHUTDOWN_DELAY_SECONDS: "1", HERALD_SHUTDOWN_TIMEOUT_SECONDS: "10" };
  const web = (i: number) => {
    const port = basePort + i;
    const unit = readUnit("herald-web@.service", String(port));
    return startProcess(`web-${port}`, { ...unit, env: { ...unit.env, ...testOverrides } }, { ...env, NEXTAUTH_URL: `http://127.0.0.1:${port}` }, port);
  };
  const worker = (i: number) => {
    const unit = readUnit("herald-worker@.service", String(i));
    return startProcess(`worker-${i}-${Date.now().toString(36)}`, { ...unit, env: { ...unit.env, ...testOverrides } }, env);
  };

  try {
    for (let i = 0; ; i++) {
      try {
        await simulator.health();
        break;
      } catch {
        if (i > 200) throw new Error("the simulator did not start");
        await sleep(100);
      }
    }
    broker = await amqp.connect(process.env.RABBITMQ_URL ?? DEFAULT_RABBITMQ_URL);
    const ch = await broker.createChannel();
    await ch.assertExchange(exchange, "topic", { durable: true });
    const q = await ch.assertQueue("", { exclusive: true });
    await ch.bindQueue(q.queue, exchange, "communication.#");
    await ch.consume(q.queue, (m) => m && consumed.push({ eventId: String(m.properties.messageId), messageId: String(m.properties.correlationId) }), { noAck: true });

    console.log(`fleet test (${short ? "short" : "long"}, rate limits in ${useRedis ? "Redis" : "Postgres"}): starting 2 web processes and ${short ? 1 : 2} worker(s) (logs: ${path.relative(root, logDir)})`);
    const [webA, webB] = [web(0), web(1)];
    let workers = short ? [worker(1)] : [worker(1), worker(2)];
    procs.push(webA, webB, ...workers);

    // Tenant, people, keys and provider configs (simulator accounts).
    const tenant = await createTenant({ slug: `fleet-${run}`, name: "Fleet" });
    const ctx = systemContext(tenant, "fleet-test");
    const admin = await makeUser({ tenantId: tenant.id, role: "admin" });
    const cookie = await sessionCookie(admin.id, tenant.slug);
    const newKey = async (name: string, scopes: Parameters<typeof createApiKey>[1]["scopes"]) => createApiKey(ctx, { name, scopes });
    // A key per phase: each has a bucket of its own (the limit is low, see RATE).
    const sendKey = (await newKey("send", ["messages:send", "messages:read"])).key;
    const chaosKey = (await newKey("chaos", ["messages:send"])).key;
    const killKey = (await newKey("kill", ["messages:send"])).key;
    const drainKey = (await newKey("drain", ["messages:send"])).key;
    const configKey = (await newKey("config", ["configs:read", "configs:write"])).key;
    const otpKey = (await newKey("otp", ["otp:send"])).key;
    const limitKey = await newKey("limit", ["messages:read"]);
    const doomed = await newKey("doomed", ["messages:read"]);
    const sg = await makeConfigForAccount(ctx, await simulator.createAccount({ provider: "sendgrid" }), simUrl);
    const mg = await makeConfigForAccount(ctx, await simulator.createAccount({ provider: "mailgun" }), simUrl);
    await makeConfigForAccount(ctx, await simulator.createAccount({ provider: "elks" }), simUrl);
    const tw = await makeConfigForAccount(ctx, await simulator.createAccount({ provider: "twilio" }), simUrl);
    await Promise.all([waitReady(webA), waitReady(webB)]);

    const A = webA.port!;
    const B = webB.port!;
    figures.push(`processes up in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // --- Revocation: through A, refused by B on its very next request ----------------------------
    check((await call(B, "GET", "/api/v1/me", { key: doomed.key })).status === 200, "a key works through web B before it is revoked");
    const revoked = await call(A, "DELETE", `/api/v1/api-keys/${doomed.id}`, { cookie });
    const next = await call(B, "GET", "/api/v1/me", { key: doomed.key });
    check(revoked.status === 204 && next.status === 401, `a key revoked through web A is refused by web B on its very next request (${next.status})`);
    figures.push("revocation: a key revoked through web A was refused by web B on the next request (0 ms: keys are read on every request)");

    // --- Routing: a rule created / changed through A is what B routes by ----------------------------
    const emailTo = (local: string) => ({ channel: "email", to: [{ email: `${local}@rule.example` }], subject: "Routing", body_text: "fleet" });
    const rule = await call(A, "POST", "/api/v1/routes", { key: configKey, body: { channel: "email", name: "fleet rule", match: { email_domains: ["rule.example"] }, chain: [mg.id] } });
    const first = await call(B, "POST", "/api/v1/messages", { key: sendKey, body: emailTo(`r1-${randomUUID()}`) });
    check(rule.status === 201 && first.body?.route?.[0]?.config_id === mg.id, `a routing rule created through web A routes web B's very next send (${first.body?.route?.[0]?.provider ?? first.status})`);
    const moved = await call(A, "PATCH", `/api/v1/routes/${rule.body?.id}`, { key: configKey, body: { chain: [sg.id] } });
    const second = await call(B, "POST", "/api/v1/messages", { key: sendKey, body: emailTo(`r2-${randomUUID()}`) });
    check(moved.status === 200 && second.body?.route?.[0]?.config_id === sg.id, `the rule changed through web A routes web B's very next send (${second.body?.route?.[0]?.provider ?? second.status})`);
    figures.push("routing rule: created and changed through web A, in effect for web B's very next send (rules are read on every send)");

    // --- A cached row: the OTP policy, changed through A, read through B ----------------------------
    // Two figures per change: when web B heard the NOTIFY (its /api/health says), counted from
    // when the change was sent to web A; and the first read through B that saw the new value.
    const delays: number[] = [];
    const heard: number[] = [];
    const spread: number[] = [];
    for (let i = 0; i < (short ? 3 : 6); i++) {
      const cap = 1000 + i;
      await call(B, "GET", "/api/v1/otp/policy", { cookie }); // B has it cached now
      const put = await call(A, "PUT", "/api/v1/otp/policy", { key: configKey, body: { daily_spend_cap: cap } });
      const answeredAt = Date.now();
      const d = await timeUntil(async () => (await call(B, "GET", "/api/v1/otp/policy", { cookie })).body?.daily_spend_cap === cap, 1_000, 5);
      if (put.status !== 200 || d === null) failures.push(`OTP policy change ${i} not seen by web B within a second`);
      delays.push(d ?? Infinity);
      const last = (await call(B, "GET", "/api/health")).body?.cache_invalidation?.last_notification_at;
      const own = (await call(A, "GET", "/api/health")).body?.cache_invalidation?.last_notification_at;
      // Negative: B heard the change before A's answer reached the client.
      heard.push(last ? Date.parse(last) - answeredAt : Infinity);
      // A hears its own commit too: how much later B did (both clocks are this machine's).
      spread.push(last && own ? Date.parse(last) - Date.parse(own) : Infinity);
    }
    delays.sort((a, b) => a - b);
    heard.sort((a, b) => a - b);
    check(delays.every((d) => d <= 1_000), `a cached row (OTP policy) changed through web A is read by web B within a second (the first read issued ${delays.at(-1)!.toFixed(0)} ms after the change saw it, at worst)`);
    const ms = (v: number) => (v <= 0 ? "before web A's answer arrived" : `${v.toFixed(0)} ms after web A answered`);
    check(heard.every((h) => h <= 1_000), `web B heard every change within a second (latest: ${ms(heard.at(-1)!)})`);
    spread.sort((a, b) => a - b);
    figures.push(
      `cache invalidation (OTP policy, web A → web B), ${heard.length} changes: the NOTIFY reached web B ${ms(heard[heard.length >> 1]!)} (median), ${ms(heard.at(-1)!)} (latest), ` +
        `${spread.at(-1)!.toFixed(0)} ms at most after web A's own listener heard it; a read through B issued ${delays.at(-1)!.toFixed(0)} ms after the answer already saw the new value`,
    );

    // --- A config paused through A is refused by B at once; an OTP throttle counts across both --------
    const paused = await call(A, "POST", `/api/communication/twilio/configs/${tw.id}/transition`, { key: configKey, body: { to: "paused" } });
    const pinned = await call(B, "POST", "/api/v1/messages", { key: sendKey, body: { channel: "sms", to: "+46701234567", body: "pinned", config_id: tw.id } });
    check(paused.status === 200 && pinned.status === 422 && pinned.body?.error?.code === "COMM_CONFIG_NOT_ACTIVE", `a config paused through web A is refused by web B at once (${pinned.status} ${pinned.body?.error?.code ?? ""})`);
    await call(A, "POST", `/api/communication/twilio/configs/${tw.id}/transition`, { key: configKey, body: { to: "active" } });
    const otpNumber = "+46709876543";
    const firstOtp = await call(A, "POST", "/api/v1/otp", { key: otpKey, body: { to: otpNumber, channel: "sms" } });
    const secondOtp = await call(B, "POST", "/api/v1/otp", { key: otpKey, body: { to: otpNumber, channel: "sms" } });
    check(firstOtp.status === 201 && secondOtp.status === 429 && secondOtp.body?.error?.details?.reason === "destination_30s", `an OTP throttle counts across web processes (A ${firstOtp.status}, then B ${secondOtp.status} ${secondOtp.body?.error?.details?.reason ?? ""})`);

    // --- The chaos send through both web processes ----------------------------------------------------
    await simulator.addFailureRule({ mode: "server_error", status: 503, rate: 0.1 });
    await simulator.addFailureRule({ mode: "rate_limit", retryAfterSeconds: 1, rate: 0.1 / 0.9 });
    await simulator.addFailureRule({ mode: "timeout", holdMs: 300, rate: 0.1 / 0.8 });
    const item = (tag: string, i: number) =>
      i % 2 === 0
        ? { channel: "email", to: [{ email: `u${i}-${tag}@example.com` }], subject: `#${i}`, body_text: "chaos", idempotency_key: `fleet-${tag}-${i}` }
        : { channel: "sms", to: `+4670${String(1_000_000 + i)}`, body: `chaos ${i}`, idempotency_key: `fleet-${tag}-${i}` };
    const BATCH = 50;
    let accepted = 0;
    for (let b = 0; b * BATCH < N; b++) {
      const port = b % 2 === 0 ? A : B;
      const body = { messages: Array.from({ length: Math.min(BATCH, N - b * BATCH) }, (_, j) => item("chaos", b * BATCH + j)) };
      const r = await call(port, "POST", "/api/v1/messages/batch", { key: chaosKey, body });
      accepted += Number(r.body?.accepted ?? 0);
    }
    check(accepted === N, `the chaos send: ${N} messages accepted through both web processes (${accepted})`);

    // --- The per-key limit across both web processes, while the workers deliver the chaos send -------
    // Timed on the bucket's own clock (the store's), so a loaded machine's request latency does not
    // blur the window: the test creates the bucket and takes its burst out, then the clients hold it
    // empty through both web processes; what they get is the rate alone.
    const bucket = `api-key:${limitKey.id}`;
    const store = await limiterStore();
    await store.takeTokens({ key: bucket, rate: RATE, burst: BURST, want: BURST });
    const createdAt = await bucketClock(useRedis ? { redisUrl, prefix: redisPrefix } : null, bucket);
    let allowed = 0;
    let refused = 0;
    let limitErrors = 0;
    const limitUntil = performance.now() + LIMIT_SECONDS * 1000;
    await Promise.all(
      [A, B].flatMap((port) =>
        Array.from({ length: 8 }, async () => {
          while (performance.now() < limitUntil) {
            const r = await call(port, "GET", "/api/v1/me", { key: limitKey.key }).catch(() => ({ status: 0, body: null }));
            if (r.status === 200) allowed++;
            else if (r.status === 429) {
              refused++;
              await sleep(10);
            } else limitErrors++;
          }
        }),
      ),
    );
    const lastTakeAt = await bucketClock(useRedis ? { redisUrl, prefix: redisPrefix } : null, bucket);
    const windowS = (lastTakeAt - createdAt) / 1000;
    const sustained = allowed / windowS;
    const accuracy = ((sustained - RATE) / RATE) * 100;
    check(limitErrors === 0, `no errors while the key was limited (${limitErrors})`);
    check(refused > allowed, `the clients asked for more than the limit (${refused} refused with 429, ${allowed} allowed)`);
    check(Math.abs(accuracy) <= 10, `the per-key limit across both web processes is within 10 % of ${RATE}/s (${sustained.toFixed(2)}/s, ${accuracy >= 0 ? "+" : ""}${accuracy.toFixed(1)} %)`);
    figures.push(`per-key limit: ${allowed} allowed and ${refused} refused through 2 web processes in ${windowS.toFixed(1)} s — ${sustained.toFixed(2)}/s for a limit of ${RATE}/s (${accuracy >= 0 ? "+" : ""}${accuracy.toFixed(1)} %)`);

    // A web process SIGKILLed mid-request; the client retries its batch through the other.
    const KILL_BATCH = short ? 100 : 400;
    const killBody = { messages: Array.from({ length: KILL_BATCH }, (_, i) => item("kill", i)) };
    const inFlight = call(A, "POST", "/api/v1/messages/batch", { key: killKey, body: killBody }).then(
      (r) => ({ answered: true, status: r.status }),
      () => ({ answered: false, status: 0 }),
    );
    await timeUntil(async () => ((await call(A, "GET", "/api/ready").catch(() => null))?.body?.in_flight ?? 0) >= 2, 10_000, 2);
    webA.child.kill("SIGKILL");
    await webA.exited;
    const killed = await inFlight;
    const retried = await call(B, "POST", "/api/v1/messages/batch", { key: killKey, body: killBody });
    const retryStatuses = (retried.body?.results ?? []).map((r: { status: number }) => r.status);
    const [{ n: killRows }] = (await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(and(eq(messages.tenantId, tenant.id), like(messages.idempotencyKey, "fleet-kill-%")))) as [{ n: number }];
    console.log(`  web A SIGKILLed ${killed.answered ? "after its batch was answered" : "mid-request (its client saw the connection drop)"}; the retry through web B answered ${retryStatuses.filter((s: number) => s === 202).length} × 202, ${retryStatuses.filter((s: number) => s === 200).length} × 200 (replay)`);
    check(retryStatuses.length === KILL_BATCH && retryStatuses.every((s: number) => s === 202 || s === 200), `the retried batch is accepted through web B (${retryStatuses.length} items, all 202/200)`);
    check(killRows === KILL_BATCH, `each message of the interrupted batch exists exactly once (${killRows}/${KILL_BATCH})`);
    let kills = 1;
    let total = N + KILL_BATCH;
    const killedAt = Date.now();

    const counts = async () => {
      const [row] = await getDb()
        .select({ all: sql<number>`count(*)::int`, terminal: sql<number>`count(*) filter (where ${messages.status} in ('sent','failed'))::int`, sent: sql<number>`count(*) filter (where ${messages.status} = 'sent')::int` })
        .from(messages)
        .where(eq(messages.tenantId, tenant.id));
      return row!;
    };

    let webA2: Proc | undefined;
    if (!short) {
      // Systemd brings web A back; meanwhile a worker dies mid-delivery and another is stopped.
      webA2 = web(0);
      procs.push(webA2);
      const all = (await counts()).all;
      for (;;) {
        const c = await counts();
        if (c.terminal >= all * 0.3) break;
        await sleep(50);
      }
      const before = await counts();
      workers[0]!.child.kill("SIGKILL");
      await workers[0]!.exited;
      kills++;
      console.log(`  worker 1 SIGKILLed mid-delivery (${before.terminal}/${before.all} terminal); systemd would restart it`);
      const w1 = worker(1);
      procs.push(w1);
      for (;;) {
        const c = await counts();
        if (c.terminal >= all * 0.6) break;
        await sleep(50);
      }
      const stopAt = performance.now();
      workers[1]!.child.kill("SIGTERM");
      const code = await workers[1]!.exited;
      const stopS = (performance.now() - stopAt) / 1000;
      check(code === 0 && stopS <= 10 + 5, `worker 2 stopped by SIGTERM mid-delivery drains and exits 0 within the 10 s timeout (${code}, ${stopS.toFixed(1)} s)`);
      const w2 = worker(2);
      procs.push(w2);
      workers = [w1, w2];
      await waitReady(webA2);
      // More sends through both, after the kills.
      const body = { messages: Array.from({ length: 100 }, (_, i) => item("after", i)) };
      const r1 = await call(webA2.port!, "POST", "/api/v1/messages/batch", { key: chaosKey, body: { messages: body.messages.slice(0, 50) } });
      const r2 = await call(B, "POST", "/api/v1/messages/batch", { key: chaosKey, body: { messages: body.messages.slice(50) } });
      check(Number(r1.body?.accepted) + Number(r2.body?.accepted) === 100, "sends through the restarted web A and web B after the kills are accepted");
      total += 100;
    }

    // --- Every message terminal, one event each --------------------------------------------------------
    const deadline = Date.now() + (short ? 180_000 : 300_000);
    let c = await counts();
    while (c.terminal < c.all && Date.now() < deadline) {
      await sleep(500);
      c = await counts();
    }
    const deliveredS = (Date.now() - killedAt) / 1000;
    check(c.terminal === c.all, `every message is terminal (${c.terminal}/${c.all}: ${c.sent} sent, ${c.all - c.sent} failed after the route's retries)`);
    const rows = await getDb().select({ id: messages.id }).from(messages).where(eq(messages.tenantId, tenant.id));
    const ids = new Set(rows.map((r) => r.id));
    const eventDeadline = Date.now() + 60_000;
    const distinct = () => new Set(consumed.filter((e) => ids.has(e.messageId)).map((e) => e.messageId)).size;
    while (distinct() < ids.size && Date.now() < eventDeadline) await sleep(200);
    await sleep(1000);
    c = await counts();
    const perMessage = new Map<string, Set<string>>();
    for (const e of consumed) if (ids.has(e.messageId)) perMessage.set(e.messageId, (perMessage.get(e.messageId) ?? new Set()).add(e.eventId));
    const one = [...ids].every((id) => perMessage.get(id)?.size === 1);
    const raw = consumed.filter((e) => ids.has(e.messageId)).length;
    check(one && perMessage.size === ids.size, `exactly one communication.* event per message on RabbitMQ (${perMessage.size}/${ids.size}; ${raw} raw deliveries, ${raw - perMessage.size} redelivered and deduped on messageId)`);
    figures.push(`messages: ${c.all} (${total} in the chaos send and the interrupted batch), ${c.sent} sent, ${c.all - c.sent} failed, all terminal ${deliveredS.toFixed(0)} s after the web kill`);
    figures.push(`kills: ${kills} SIGKILL (web A mid-request${short ? "" : ", worker 1 mid-delivery"})${short ? "" : ", 1 SIGTERM (worker 2)"}`);

    // --- Scheduled work ran once across the fleet ------------------------------------------------------
    // A run that waits for its concurrency slot goes back to the queue as a new job of the same
    // run (data.run.id): runs are counted, not jobs.
    const readSlots = async () =>
      (await getDb().execute<{ slot: string; runs: number; created: Date }>(sql`
        select data->'event'->>'id' as slot, count(distinct coalesce(data->'run'->>'id', id::text))::int as runs, min(created_on) as created
        from (select id, data, created_on from pgboss.job where name = 'purge-expired-data'
              union all select id, data, created_on from pgboss.archive where name = 'purge-expired-data') j
        group by 1`)) as unknown as { slot: string; runs: number; created: Date }[];
    // The schedule's interval here is 6 s and the sends above may end sooner than that after the
    // kill: give the next slot up to three intervals to appear before judging.
    const slotDeadline = Date.now() + 18_000;
    let slots = await readSlots();
    while (!slots.some((s) => new Date(s.created).getTime() > killedAt) && Date.now() < slotDeadline) {
      await sleep(500);
      slots = await readSlots();
    }
    const due = await getDb().execute<{ n: number }>(sql`select count(*)::int as n from outbox_events where name = 'herald/retention.due'`);
    const afterKill = slots.filter((s) => new Date(s.created).getTime() > killedAt).length;
    check(slots.length >= 2 && slots.every((s) => s.runs === 1) && Number(due[0]?.n) === slots.length, `the retention purge ran once per slot across 4 processes (${slots.length} slots, runs per slot: ${[...new Set(slots.map((s) => s.runs))].join(",")})`);
    check(afterKill >= 1, `the retention schedule carried on after web A was killed (${afterKill} slot(s) since)`);
    const sweeps = (await getDb().execute<{ minute: Date; n: number }>(sql`
      select date_trunc('minute', created_on) as minute, count(*)::int as n
      from (select created_on from pgboss.job where name = 'sweep-stuck-work' union all select created_on from pgboss.archive where name = 'sweep-stuck-work') j
      group by 1`)) as unknown as { minute: Date; n: number }[];
    check(sweeps.every((s) => s.n === 1) && (short || sweeps.length >= 1), `the stuck-work sweep ran at most once a minute (${sweeps.length} minute(s), runs: ${sweeps.map((s) => s.n).join(",") || "none yet"})`);
    await timeUntil(async () => Number((await getDb().execute<{ n: number }>(sql`select count(*)::int as n from usage_deltas where tenant_id = ${tenant.id}`))[0]?.n) === 0, 30_000, 200);
    const [usage] = await getDb().execute<{ sent: number }>(sql`select coalesce(sum(sent), 0)::int as sent from usage_tenant_hourly where tenant_id = ${tenant.id}`);
    check(Number(usage?.sent) === c.sent, `every usage increment was folded once by the fleet (${usage?.sent} sent in the rollups, ${c.sent} sent messages)`);
    figures.push(`singletons: retention purge ${slots.length} slot(s) × 1 run (${afterKill} after the web kill); stuck-work sweep ${sweeps.length} run(s), ≤ 1 per minute; usage folded once (${usage?.sent} = ${c.sent})`);

    // --- SIGTERM drains web B: ready says 503, the request in flight completes, exit 0 ----------------
    const drained = await drainCheck(webB, drainKey);
    check(drained.ready503, `web B answers /api/ready 503 (draining) right after SIGTERM`);
    check(drained.status === 202, `the request in flight at SIGTERM completes (${drained.status})`);
    check(drained.exitCode === 0 && drained.seconds <= 1 + 10 + 5, `web B exits 0 within the readiness delay + timeout (${drained.exitCode}, ${drained.seconds.toFixed(1)} s)`);
    figures.push(`graceful stop: web B drained a request in flight and exited in ${drained.seconds.toFixed(1)} s`);
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await Promise.all(procs.map((p) => (p.child.exitCode === null ? p.exited : null)));
    if (broker) {
      const ch = await broker.createChannel().catch(() => null);
      if (ch) {
        ch.on("error", () => {});
        await ch.deleteExchange(exchange).catch(() => {});
        for (const q of [names.HERALD_COMMUNICATION_DLQ, names.HERALD_CALL_EVENTS_QUEUE, names.HERALD_CALL_COMMANDS_QUEUE]) await ch.deleteQueue(q).catch(() => {});
      }
      await broker.close().catch(() => {});
    }
    if (useRedis) {
      const r = new Redis(redisUrl);
      const keys = await r.keys(`${redisPrefix}*`).catch(() => []);
      if (keys.length > 0) await r.del(...keys).catch(() => {});
      await r.quit().catch(() => {});
    }
    await closeDb();
    await db.drop();
    sim.kill("SIGTERM");
  }
  console.log("\n  figures:");
  for (const f of figures) console.log(`    ${f}`);
  console.log(`  took ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length > 0) {
    console.error(`fleet test FAILED: ${failures.length} check(s) (process logs under ${path.relative(root, logDir)})`);
    process.exit(1);
  }
  console.log("fleet test passed");
}

/** When a rate-limit bucket was last taken from, on the store's clock (ms since the epoch). */
async function bucketClock(redis: { redisUrl: string; prefix: string } | null, key: string): Promise<number> {
  if (redis) {
    const r = new Redis(redis.redisUrl);
    try {
      return Number(await r.hget(`${redis.prefix}rl:${key}`, "at"));
    } finally {
      await r.quit();
    }
  }
  const [row] = await getDb().select({ at: sendRateBuckets.refilledAt }).from(sendRateBuckets).where(eq(sendRateBuckets.key, key));
  return row!.at.getTime();
}

/**
 * Starts a send whose body is only half written, SIGTERMs the process once the request is in
 * flight, watches /api/ready turn 503, then finishes the body: the request must complete.
 */
async function drainCheck(proc: Proc, key: string): Promise<{ ready503: boolean; status: number; exitCode: number | null; seconds: number }> {
  const body = JSON.stringify({ channel: "email", to: [{ email: `drain-${randomUUID()}@example.com` }], subject: "Drain", body_text: "in flight at SIGTERM" });
  const half = Math.floor(body.length / 2);
  const agent = new http.Agent({ keepAlive: false });
  const req = http.request({
    host: "127.0.0.1",
    port: proc.port,
    method: "POST",
    path: "/api/v1/messages",
    agent,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const answer = new Promise<number>((resolve) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(0));
  });
  req.write(body.slice(0, half));
  await timeUntil(async () => ((await call(proc.port!, "GET", "/api/ready").catch(() => null))?.body?.in_flight ?? 0) >= 2, 10_000, 5);
  const stopAt = performance.now();
  proc.child.kill("SIGTERM");
  const ready503 = (await timeUntil(async () => {
    const r = await call(proc.port!, "GET", "/api/ready").catch(() => null);
    return r?.status === 503 && r.body?.status === "draining";
  }, 900, 20)) !== null;
  req.end(body.slice(half));
  const status = await answer;
  const exitCode = await proc.exited;
  return { ready503, status, exitCode, seconds: (performance.now() - stopAt) / 1000 };
}

try {
  await main();
} catch (err) {
  console.error(`fleet test FAILED: ${err instanceof Error ? err.message : String(err)} (process logs under ${path.relative(root, logDir)})`);
  process.exit(1);
}
process.exit(0);
