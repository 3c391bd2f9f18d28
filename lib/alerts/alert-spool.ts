// Alerts Slack could not take yet, on disk: JSONL segments per destination, replayed oldest first.
// Bounded: segments rotate at `segmentBytes`, and past `maxBytes` the oldest segment is dropped
// (counted and logged) — a long outage costs the oldest alerts, never the disk.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { logger } from "@/lib/logger";
import type { AlertRecord } from "./alert";

export interface SpoolOptions {
  dir: string;
  /** Names the destination's files: `deployment`, `tenant-<id>`. */
  destination: string;
  segmentBytes?: number;
  maxBytes?: number;
  /** This process; files of processes no longer alive are adopted (replayed) by the next one. */
  pid?: number;
  isAlive?: (pid: number) => boolean;
}

interface Segment {
  file: string;
  /** Creation time: the replay order across segments (and processes). */
  createdMs: number;
  seq: number;
  bytes: number;
}

const NAME = /^(.+)\.(\d+)-(\d+)-(\d+)\.jsonl$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class AlertSpool {
  private readonly segmentBytes: number;
  private readonly maxBytes: number;
  private readonly pid: number;
  private segments: Segment[] = [];
  /** Lines of the oldest segment already sent (persisted beside it as `.pos`). */
  private headOffset = 0;
  private headCache: { file: string; lines: AlertRecord[] } | null = null;
  private seq = 0;
  dropped = 0;

  constructor(private readonly opts: SpoolOptions) {
    this.segmentBytes = opts.segmentBytes ?? 1024 * 1024;
    this.maxBytes = Math.max(this.segmentBytes, opts.maxBytes ?? 20 * 1024 * 1024);
    this.pid = opts.pid ?? process.pid;
    mkdirSync(opts.dir, { recursive: true });
    this.load(opts.isAlive ?? alive);
  }

  /** Own segments, plus those a dead process left behind (renamed to this process, order kept). */
  private load(isAlive: (pid: number) => boolean) {
    for (const name of readdirSync(this.opts.dir)) {
      const m = NAME.exec(name);
      if (!m || m[1] !== this.opts.destination) continue;
      const [createdMs, pid, seq] = [Number(m[2]), Number(m[3]), Number(m[4])];
      let file = path.join(this.opts.dir, name);
      if (pid !== this.pid) {
        if (isAlive(pid)) continue;
        const adopted = path.join(this.opts.dir, `${this.opts.destination}.${createdMs}-${this.pid}-${seq}.jsonl`);
        try {
          renameSync(file, adopted);
          if (existsSync(`${file}.pos`)) renameSync(`${file}.pos`, `${adopted}.pos`);
        } catch {
          continue; // another process adopted it first
        }
        file = adopted;
      }
      this.segments.push({ file, createdMs, seq, bytes: statSync(file).size });
      this.seq = Math.max(this.seq, seq + 1);
    }
    this.segments.sort((a, b) => a.createdMs - b.createdMs || a.seq - b.seq);
    const head = this.segments[0];
    if (head && existsSync(`${head.file}.pos`)) this.headOffset = Number(readFileSync(`${head.file}.pos`, "utf8")) || 0;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  append(records: readonly AlertRecord[]): void {
    if (records.length === 0) return;
    const text = records.map((r) => `${JSON.stringify(r)}\n`).join("");
    let tail = this.segments.at(-1);
    if (!tail || tail.bytes >= this.segmentBytes) {
      const createdMs = Math.max(Date.now(), (tail?.createdMs ?? 0) + 1);
      const seq = this.seq++;
      tail = { file: path.join(this.opts.dir, `${this.opts.destination}.${createdMs}-${this.pid}-${seq}.jsonl`), createdMs, seq, bytes: 0 };
      this.segments.push(tail);
    }
    appendFileSync(tail.file, text);
    tail.bytes += Buffer.byteLength(text);
    if (this.headCache?.file === tail.file) this.headCache.lines.push(...records);
    this.enforceBound();
  }

  private enforceBound() {
    let total = this.segments.reduce((n, s) => n + s.bytes, 0);
    while (total > this.maxBytes && this.segments.length > 1) {
      const oldest = this.segments.shift()!;
      const lost = this.readLines(oldest.file).length - this.headOffset;
      this.dropped += Math.max(0, lost);
      logger.warn({ destination: this.opts.destination, lost }, "alert spool over its bound: the oldest alerts were dropped");
      this.remove(oldest.file);
      this.headOffset = 0;
      this.headCache = null;
      total -= oldest.bytes;
    }
  }

  private readLines(file: string): AlertRecord[] {
    const out: AlertRecord[] = [];
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as AlertRecord);
      } catch {
        // A torn last line (the process died mid-write): skipped.
      }
    }
    return out;
  }

  /** The oldest `n` alerts not yet sent, without removing them. */
  peek(n: number): AlertRecord[] {
    while (this.segments.length > 0) {
      const head = this.segments[0]!;
      if (this.headCache?.file !== head.file) this.headCache = { file: head.file, lines: this.readLines(head.file) };
      const rest = this.headCache.lines.slice(this.headOffset, this.headOffset + n);
      if (rest.length > 0) return rest;
      this.dropHead();
    }
    return [];
  }

  /** The first `n` alerts `peek` gave were delivered. */
  commit(n: number): void {
    const head = this.segments[0];
    if (!head) return;
    this.headOffset += n;
    if (this.headCache && this.headOffset >= this.headCache.lines.length) this.dropHead();
    else writeFileSync(`${head.file}.pos`, String(this.headOffset));
  }

  private dropHead() {
    const head = this.segments.shift();
    if (head) this.remove(head.file);
    this.headOffset = 0;
    this.headCache = null;
  }

  private remove(file: string) {
    for (const f of [file, `${file}.pos`]) {
      try {
        unlinkSync(f);
      } catch {
        // already gone
      }
    }
  }

  /** Files currently held (tests look at them). */
  files(): string[] {
    return this.segments.map((s) => s.file);
  }
}
