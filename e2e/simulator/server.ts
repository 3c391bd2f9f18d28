// The simulator process: one node:http server for every provider plus the /__sim control API.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { handleControl } from "./control";
import { SimulatorError } from "./errors";
import { FailureRules } from "./failures";
import { SimRequest, type SimResponse } from "./http";
import { UnsupportedEvent, type SimContext } from "./provider";
import { moduleOf, PROVIDERS } from "./providers";
import { SimState } from "./state";
import type {
  Account,
  AccountOf,
  CreateAccountInput,
  FailureRule,
  FailureRuleInput,
  InboundInput,
  ListFilter,
  ProviderName,
  RecordedRequest,
  SentMessage,
  TriggerEventInput,
  UpdateAccountInput,
  WebhookDelivery,
} from "./types";
import { WebhookDispatcher } from "./webhooks";
import { KommoSim } from "./crm/kommo";
import { UnisenderSim } from "./crm/unisender";

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Delay before automatic delivery webhooks (default 20 ms). */
  webhookDelayMs?: number;
  /** Seed for the failure-rate PRNG (default 1). */
  seed?: number;
  /** Ring-buffer size for recorded requests and webhook deliveries (default 100 000). */
  maxRecords?: number;
  /** Automatic delivery webhooks at start (default true). */
  autoDelivery?: boolean;
}

export class Simulator {
  readonly state: SimState;
  private readonly failures: FailureRules;
  private readonly webhooks: WebhookDispatcher;
  private readonly ctx: SimContext;
  private readonly server = createServer((req, res) => void this.onRequest(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly hangs = new Set<NodeJS.Timeout>();
  private origin = "";
  /** The account each provider starts with (credentials printed by the CLI). */
  readonly defaultAccounts = {} as { [P in ProviderName]: AccountOf<P> };
  /** CRM-side services Herald's integrations call (not messaging providers: no accounts in `state`). */
  readonly kommo = new KommoSim(() => this.origin);
  readonly unisender = new UnisenderSim(() => this.origin);

  constructor(private readonly options: SimulatorOptions = {}) {
    this.state = new SimState(options.maxRecords ?? 100_000, () => this.origin);
    this.state.autoDelivery = options.autoDelivery ?? true;
    this.failures = new FailureRules(options.seed ?? 1);
    this.webhooks = new WebhookDispatcher(this.state);
    this.ctx = {
      state: this.state,
      failures: this.failures,
      webhooks: this.webhooks,
      baseUrl: () => this.origin,
      webhookDelayMs: options.webhookDelayMs ?? 20,
    };
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return this.origin;
  }

  async listen(): Promise<this> {
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const address = this.server.address();
    if (!address || typeof address === "string") throw new Error("simulator has no TCP address");
    const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.origin = `http://${shownHost === "0.0.0.0" ? "127.0.0.1" : shownHost}:${address.port}`;
    for (const provider of PROVIDERS) {
      Object.assign(this.defaultAccounts, { [provider]: this.state.createAccount({ provider }, true) });
    }
    return this;
  }

  async close(): Promise<void> {
    this.webhooks.close();
    for (const timer of this.hangs) clearTimeout(timer);
    this.hangs.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- programmatic control (the same operations as /__sim) ----

  createAccount<P extends ProviderName>(input: CreateAccountInput & { provider: P }): AccountOf<P> {
    if (!PROVIDERS.includes(input.provider)) throw new SimulatorError(400, `unknown provider: ${String(input.provider)}`);
    return this.state.createAccount(input) as AccountOf<P>;
  }

  listAccounts(provider?: ProviderName): Account[] {
    return this.state.listAccounts(provider);
  }

  getAccount(id: string): Account {
    const account = this.state.getAccount(id);
    if (!account) throw new SimulatorError(404, `account not found: ${id}`);
    return account;
  }

  updateAccount(id: string, patch: UpdateAccountInput): Account {
    this.getAccount(id);
    return this.state.updateAccount(id, patch);
  }

  addFailureRule(input: FailureRuleInput): FailureRule {
    try {
      return this.failures.add(input);
    } catch (error) {
      throw new SimulatorError(400, error instanceof Error ? error.message : String(error));
    }
  }

  listFailureRules(): FailureRule[] {
    return this.failures.list();
  }

  removeFailureRule(id: string): boolean {
    return this.failures.remove(id);
  }

  clearFailureRules(): void {
    this.failures.clear();
  }

  listRequests(filter?: ListFilter): RecordedRequest[] {
    return this.state.listRequests(filter);
  }

  listMessages(filter?: ListFilter): SentMessage[] {
    return this.state.listMessages(filter);
  }

  getMessage(id: string): SentMessage {
    const message = this.state.getMessage(id);
    if (!message) throw new SimulatorError(404, `message not found: ${id}`);
    return message;
  }

  listWebhookDeliveries(filter?: ListFilter): WebhookDelivery[] {
    return this.state.listDeliveries(filter);
  }

  /** Posts the provider's webhook for an engagement/status event and returns the attempts. */
  async triggerEvent(input: TriggerEventInput): Promise<WebhookDelivery[]> {
    const message = this.getMessage(input.messageId);
    const impl = moduleOf(message.provider);
    if (!impl.trigger) throw new SimulatorError(400, `${message.provider} sends no event webhooks`);
    return this.translate(() => impl.trigger!(message, input, this.ctx));
  }

  /** Posts an inbound SMS (46elks) or WhatsApp message to the account's webhook URL. */
  async triggerInbound(input: InboundInput): Promise<WebhookDelivery> {
    const account = this.getAccount(input.accountId);
    const impl = moduleOf(account.provider);
    if (!impl.inbound) throw new SimulatorError(400, `${account.provider} has no inbound messages`);
    return this.translate(() => impl.inbound!(account, input, this.ctx));
  }

  setAutoDelivery(enabled: boolean): void {
    this.state.autoDelivery = enabled;
  }

  get autoDelivery(): boolean {
    return this.state.autoDelivery;
  }

  /** Waits until every scheduled automatic webhook has been attempted. */
  flush(): Promise<void> {
    return this.webhooks.flush();
  }

  /** Clears history, messages and failure rules; `accounts: true` also drops non-default accounts. */
  reset(opts: { accounts?: boolean } = {}): void {
    this.failures.clear();
    this.state.reset(opts.accounts ?? false);
    this.state.autoDelivery = this.options.autoDelivery ?? true;
  }

  // ---- HTTP ----

  private async translate<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof UnsupportedEvent) throw new SimulatorError(409, error.message);
      throw error;
    }
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = new Date().toISOString();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.origin || "http://127.0.0.1");
    const simReq = new SimRequest(req.method ?? "GET", url, req.headers, Buffer.concat(chunks));

    if (url.pathname.startsWith("/__sim")) {
      const response = await handleControl(simReq, this).catch((error: unknown) => errorResponse(error));
      writeResponse(res, response);
      return;
    }

    let response: SimResponse;
    const crm = await this.kommo
      .handle(simReq)
      .then((r) => r ?? this.unisender.handle(simReq)).catch((error: unknown) => errorResponse(error));
    const route = crm ? null : this.findRoute(simReq);
    if (crm) {
      response = crm;
    } else if (!route) {
      response = { status: 404, body: { error: `no simulated endpoint for ${simReq.method} ${url.pathname}` } };
    } else {
      simReq.meta.provider = route.provider;
      response = await route.handler(simReq, this.ctx).catch((error: unknown) => errorResponse(error));
    }
    this.record(simReq, response, receivedAt);
    if (response.hangMs !== undefined) {
      const timer = setTimeout(() => {
        this.hangs.delete(timer);
        req.socket.destroy();
      }, response.hangMs);
      this.hangs.add(timer);
      return;
    }
    writeResponse(res, response);
  }

  private findRoute(req: SimRequest) {
    // Credential checks first: they are GETs on paths a module's own routes may also match.
    for (const provider of PROVIDERS) {
      const handler = moduleOf(provider).credentialCheck?.(req.method, req.path);
      if (handler) return { provider, handler };
    }
    for (const provider of PROVIDERS) {
      const handler = moduleOf(provider).route(req.method, req.path);
      if (handler) return { provider, handler };
    }
    return null;
  }

  private record(req: SimRequest, response: SimResponse, receivedAt: string): void {
    this.state.requests.push({
      seq: this.state.nextSeq(),
      provider: req.meta.provider,
      accountId: req.meta.accountId,
      method: req.method,
      path: req.path,
      query: Object.fromEntries(req.url.searchParams),
      contentType: req.header("content-type") ?? null,
      body: req.meta.body,
      recipients: req.meta.recipients,
      idempotencyRef: req.meta.idempotencyRef,
      messageIds: req.meta.messageIds,
      status: response.hangMs !== undefined ? null : response.status,
      failureRuleId: req.meta.failureRuleId,
      receivedAt,
      respondedAt: new Date().toISOString(),
    });
  }
}

function errorResponse(error: unknown): SimResponse {
  if (error instanceof SimulatorError) return { status: error.status, body: { error: error.message } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error: message } };
}

function writeResponse(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
  let payload: string | Buffer = "";
  if (Buffer.isBuffer(response.body)) {
    payload = response.body;
    if (!hasType) headers["content-type"] = "application/octet-stream";
  } else if (typeof response.body === "string") {
    payload = response.body;
    if (!hasType) headers["content-type"] = "text/plain; charset=utf-8";
  } else if (response.body !== undefined && response.body !== null) {
    payload = JSON.stringify(response.body);
    if (!hasType) headers["content-type"] = "application/json; charset=utf-8";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

export { SimulatorError };

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return new Simulator(options).listen();
}
