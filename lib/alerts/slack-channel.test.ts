// Slack alerts against a local server playing Slack: 429 with Retry-After, 500s, a stretch of
// dropped connections — every alert arrives exactly once, batched, in order; the spool is used
// while Slack is away and drained (marked delayed) when it is back.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@/lib/test/factories";
import type { AlertRecord } from "./alert";
import { AlertSpool } from "./alert-spool";
import { SlackChannel } from "./slack-channel";
import { MAX_BLOCKS, MAX_SECTION_CHARS, slackMessage } from "./slack-message";

process.env.HERALD_ALLOW_LOOPBACK_WEBHOOKS = "true";

interface Hit {
  at: number;
  outcome: "ok" | "429" | "500" | "dropped";
  body?: { text: string; blocks: { type: string; text: { type: string; text: string } }[] };
}

/** A Slack incoming webhook whose answers the test scripts. */
class FakeSlack {
  hits: Hit[] = [];
  script: ("429" | "500")[] = [];
  down = false;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      if (this.down) {
        this.hits.push({ at, outcome: "dropped" });
        req.socket.destroy();
        return;
      }
      const next = this.script.shift();
      if (next === "429") {
        this.hits.push({ at, outcome: "429" });
        res.writeHead(429, { "retry-after": "1", "content-type": "text/plain" }).end("rate_limited");
      } else if (next === "500") {
        this.hits.push({ at, outcome: "500" });
        res.writeHead(500).end("internal_error");
      } else {
        this.hits.push({ at, outcome: "ok", body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      }
    });
  });
  url = "";
  async start() {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/services/T000/B000/secret`;
  }
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((r) => this.server.close(() => r()));
  }
  get accepted() {
    return this.hits.filter((h) => h.outcome === "ok");
  }
  /** Section texts in the order Slack received them. */
  sections(): string[] {
    return this.accepted.flatMap((h) => h.body!.blocks.map((b) => b.text.text));
  }
}

let slack: FakeSlack;
let dir: string;

beforeAll(async () => {
  slack = new FakeSlack();
  await slack.start();
  dir = mkdtempSync(path.join(tmpdir(), "herald-alert-spool-"));
});

afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

const SETTINGS = { minIntervalMs: 100, retryBaseMs: 50, retryMaxMs: 200, attemptsBeforeSpool: 3, probeMaxMs: 300, dedupeWindowMs: 60_000, timeoutMs: 3_000 };

function raise(channel: SlackChannel, n: number) {
  channel.push({ kind: "breaker_opened", severity: "warning", title: `alert #${n}#`, text: `details of ${n}`, tenantId: null });
}

describe("Slack channel", () => {
  it("delivers every alert once, batched and in order, through 429, 500s and an outage (spooled, then replayed as delayed)", async () => {
    slack.hits = [];
    slack.script = ["429", "500", "500"];
    const channel = new SlackChannel({ destination: "deployment", name: "deployment", resolveUrl: async () => slack.url, spoolDir: dir, settings: SETTINGS });

    for (let i = 1; i <= 60; i++) raise(channel, i);
    await waitFor(async () => slack.sections().length === 60, 15_000, 20);

    // Slack goes away: alerts keep coming; after three failed tries they go to disk.
    slack.down = true;
    for (let i = 61; i <= 140; i++) raise(channel, i);
    await waitFor(async () => channel.isSpooling && readdirSync(dir).some((f) => f.endsWith(".jsonl")), 15_000, 20);
    for (let i = 141; i <= 200; i++) raise(channel, i);
    await waitFor(async () => slack.hits.filter((h) => h.outcome === "dropped").length >= 5, 15_000, 20);
    const spooled = readdirSync(dir).filter((f) => f.endsWith(".jsonl"));
    expect(spooled.length).toBeGreaterThan(0);

    slack.down = false;
    await waitFor(async () => slack.sections().length === 200 && !channel.isSpooling, 20_000, 20);
    for (let i = 201; i <= 210; i++) raise(channel, i);
    await waitFor(async () => slack.sections().length === 210, 15_000, 20);
    await channel.stop();

    const sections = slack.sections();
    const numbers = sections.map((t) => Number(/alert #(\d+)#/.exec(t)?.[1]));
    expect(numbers).toEqual(Array.from({ length: 210 }, (_, i) => i + 1));
    // Batched within Slack's limits.
    expect(slack.accepted.length).toBeLessThan(30);
    for (const h of slack.accepted) {
      expect(h.body!.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
      for (const b of h.body!.blocks) expect(b.text.text.length).toBeLessThanOrEqual(MAX_SECTION_CHARS);
    }
    // Only what waited on disk is marked delayed.
    sections.forEach((t, i) => expect(t.includes("delayed"), `alert ${i + 1}`).toBe(i + 1 > 60 && i + 1 <= 200));
    // Retry-After honoured: the try after the 429 came a second later.
    const i429 = slack.hits.findIndex((h) => h.outcome === "429");
    expect(slack.hits[i429 + 1]!.at - slack.hits[i429]!.at).toBeGreaterThanOrEqual(950);
    expect(slack.hits.filter((h) => h.outcome === "500")).toHaveLength(2);
    // Paced: accepted messages at least the minimum interval apart.
    for (let i = 1; i < slack.accepted.length; i++) expect(slack.accepted[i]!.at - slack.accepted[i - 1]!.at).toBeGreaterThanOrEqual(95);
    // The spool was drained and removed.
    expect(readdirSync(dir)).toEqual([]);
    expect(channel.idle).toBe(true);
  });

  it("counts identical alerts within the window: one message, then one summary ×N", async () => {
    slack.hits = [];
    const channel = new SlackChannel({ destination: "deployment", name: "dedupe", resolveUrl: async () => slack.url, spoolDir: dir, settings: { ...SETTINGS, dedupeWindowMs: 2_500 } });
    const breaker = { kind: "breaker_opened" as const, severity: "warning" as const, title: "Circuit breaker opened: SendGrid", tenantId: "t1", dedupeKey: "cfg-1" };
    channel.push(breaker);
    await waitFor(async () => slack.accepted.length === 1, 10_000, 20);
    for (let i = 0; i < 13; i++) channel.push(breaker);
    channel.push({ ...breaker, dedupeKey: "cfg-2", title: "Circuit breaker opened: Mailgun" });
    await waitFor(async () => slack.sections().length === 3, 10_000, 20);
    await channel.stop();
    const [first, other, summary] = slack.sections();
    expect(first).toContain("Circuit breaker opened: SendGrid*");
    expect(first).not.toContain("×");
    expect(other).toContain("Mailgun");
    expect(summary).toMatch(/Circuit breaker opened: SendGrid\* ×14 in 1 min/);
  });
});

describe("alert spool", () => {
  const record = (n: number): AlertRecord => ({ kind: "test", severity: "info", title: `r${n}`, text: "x".repeat(200), tenantId: null, tenantSlug: null, firstAt: n, lastAt: n, count: 1 });

  it("rotates and stays within its bound, dropping the oldest", () => {
    const d = mkdtempSync(path.join(tmpdir(), "herald-spool-"));
    try {
      const spool = new AlertSpool({ dir: d, destination: "bounded", segmentBytes: 2_000, maxBytes: 6_000 });
      for (let i = 0; i < 100; i++) spool.append([record(i)]);
      expect(spool.files().length).toBeLessThanOrEqual(4);
      expect(spool.dropped).toBeGreaterThan(0);
      const first = spool.peek(1)[0]!;
      expect(Number(first.title.slice(1))).toBe(spool.dropped);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it("adopts the files of a process that died and replays them first, resuming where it stopped", () => {
    const d = mkdtempSync(path.join(tmpdir(), "herald-spool-"));
    try {
      const dead = new AlertSpool({ dir: d, destination: "deployment", pid: 999_999, segmentBytes: 500 });
      dead.append([record(1), record(2), record(3)]);
      dead.append([record(4), record(5), record(6), record(7)]);
      expect(dead.peek(2).map((r) => r.title)).toEqual(["r1", "r2"]);
      dead.commit(2);
      const next = new AlertSpool({ dir: d, destination: "deployment", pid: 4242, isAlive: () => false });
      expect(next.peek(10).map((r) => r.title)).toEqual(["r3"]);
      next.commit(1);
      expect(next.peek(10).map((r) => r.title)).toEqual(["r4", "r5", "r6", "r7"]);
      next.commit(4);
      expect(next.isEmpty).toBe(true);
      expect(readdirSync(d)).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe("Slack message", () => {
  it("keeps each section within 3,000 characters and escapes mrkdwn control characters", () => {
    const msg = slackMessage([{ record: { kind: "error_log", severity: "error", title: "<!channel> boom & bust", text: "y".repeat(10_000), tenantId: null, tenantSlug: null, firstAt: 0, lastAt: 0, count: 1 } }]);
    expect(msg.blocks[0]!.text.text.length).toBeLessThanOrEqual(MAX_SECTION_CHARS);
    expect(msg.blocks[0]!.text.text).toContain("&lt;!channel&gt; boom &amp; bust");
    expect(() => slackMessage(Array.from({ length: 51 }, () => ({ record: { kind: "test", severity: "info", title: "t", text: "", tenantId: null, tenantSlug: null, firstAt: 0, lastAt: 0, count: 1 } })))).toThrow();
  });
});
