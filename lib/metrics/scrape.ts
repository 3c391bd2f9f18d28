// One scrape of /api/metrics: this process's instruments (or, under node:cluster, every web
// process's and the primary's, summed with prom-client's aggregator) plus the pending-work gauges.
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry, Registry } from "prom-client";
import { processMetrics } from "./registry";
import { workGaugesText } from "./work-gauges";

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

type MetricsJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** How long a scrape waits for the other processes before answering without them. */
const IPC_TIMEOUT_MS = 3_000;

const COLLECT = "herald:metrics:collect";
const REPORT = "herald:metrics:report";
const SCRAPE = "herald:metrics:scrape";
const SCRAPED = "herald:metrics:scraped";

interface IpcMessage {
  type?: string;
  id?: string;
  metrics?: MetricsJson;
  text?: string;
  error?: string;
}

interface Pending<T> {
  resolve: (v: T) => void;
  timer: NodeJS.Timeout;
}

// On globalThis: the custom server (tsx) installs the listeners, Next's route bundle sends the requests.
const key = Symbol.for("herald.metricsIpc");
interface IpcState {
  workerListening: boolean;
  primaryListening: boolean;
  scrapes: Map<string, Pending<string | Error>>;
  collects: Map<string, { pending: number; got: MetricsJson[]; resolve: (m: MetricsJson[]) => void; timer: NodeJS.Timeout }>;
}
type G = typeof globalThis & { [key]?: IpcState };
function ipc(): IpcState {
  const g = globalThis as G;
  g[key] ??= { workerListening: false, primaryListening: false, scrapes: new Map(), collects: new Map() };
  return g[key];
}

async function ownJson(): Promise<MetricsJson> {
  return (await processMetrics()?.registry.getMetricsAsJSON()) ?? [];
}

/** The exposition text from this process's metrics and the other processes' JSON. */
export async function renderMetrics(others: MetricsJson[] = []): Promise<string> {
  const own = processMetrics();
  const registry = others.length > 0 ? AggregatorRegistry.aggregate([await ownJson(), ...others]) : own?.registry;
  const [processText, workText] = await Promise.all([registry?.metrics() ?? "", workGaugesText()]);
  return `${processText}${processText.endsWith("\n") || processText === "" ? "" : "\n"}${workText}`;
}

/**
 * The scrape answer. A web process of a cluster asks the primary, which gathers every web
 * process's JSON and its own (the job engine's counters live there) and aggregates them.
 */
export async function scrapeMetrics(): Promise<string> {
  if (!cluster.isWorker || !process.send) return renderMetrics();
  listenAsWorker();
  const s = ipc();
  const id = randomUUID();
  const answer = await new Promise<string | Error>((resolve) => {
    const timer = setTimeout(() => {
      s.scrapes.delete(id);
      resolve(new Error("the primary process did not answer the metrics scrape"));
    }, IPC_TIMEOUT_MS * 2);
    s.scrapes.set(id, { resolve, timer });
    process.send!({ type: SCRAPE, id } satisfies IpcMessage);
  });
  if (answer instanceof Error) throw answer;
  return answer;
}

/** In a cluster web process: answer the primary's collection requests and its scrape replies. */
export function listenAsWorker(): void {
  const s = ipc();
  if (s.workerListening || !cluster.isWorker) return;
  s.workerListening = true;
  process.on("message", (msg: IpcMessage) => {
    if (msg?.type === COLLECT && msg.id) {
      void ownJson().then(
        (metrics) => process.send?.({ type: REPORT, id: msg.id, metrics } satisfies IpcMessage),
        () => process.send?.({ type: REPORT, id: msg.id, metrics: [] } satisfies IpcMessage),
      );
    } else if (msg?.type === SCRAPED && msg.id) {
      const p = s.scrapes.get(msg.id);
      if (!p) return;
      s.scrapes.delete(msg.id);
      clearTimeout(p.timer);
      p.resolve(msg.error !== undefined ? new Error(msg.error) : (msg.text ?? ""));
    }
  });
}

function collectFromWorkers(): Promise<MetricsJson[]> {
  const s = ipc();
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
  if (workers.length === 0) return Promise.resolve([]);
  const id = randomUUID();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // A web process that doesn't answer in time is left out of this scrape, not waited for.
      const c = s.collects.get(id);
      s.collects.delete(id);
      resolve(c?.got ?? []);
    }, IPC_TIMEOUT_MS);
    s.collects.set(id, { pending: workers.length, got: [], resolve, timer });
    for (const w of workers) w!.send({ type: COLLECT, id } satisfies IpcMessage);
  });
}

/** In the cluster primary: aggregate every process's metrics for a web process that was scraped. */
export function listenAsPrimary(): void {
  const s = ipc();
  if (s.primaryListening || !cluster.isPrimary) return;
  s.primaryListening = true;
  cluster.on("message", (worker, msg: IpcMessage) => {
    if (msg?.type === REPORT && msg.id) {
      const c = s.collects.get(msg.id);
      if (!c) return;
      c.got.push(msg.metrics ?? []);
      if (--c.pending === 0) {
        s.collects.delete(msg.id);
        clearTimeout(c.timer);
        c.resolve(c.got);
      }
    } else if (msg?.type === SCRAPE && msg.id) {
      void collectFromWorkers()
        .then((others) => renderMetrics(others))
        .then(
          (text) => worker.send({ type: SCRAPED, id: msg.id, text } satisfies IpcMessage),
          (err: unknown) => worker.send({ type: SCRAPED, id: msg.id, error: err instanceof Error ? err.message : String(err) } satisfies IpcMessage),
        );
    }
  });
}
