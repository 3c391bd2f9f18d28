// fetch-based client of the /__sim control API, for Playwright, benchmarks and the app's scripts.
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

export class SimulatorClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class SimulatorClient {
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl.replace(/\/+$/, "");
  }

  get url(): string {
    return this.base;
  }

  async health(): Promise<{ ok: boolean; url: string }> {
    return this.call("GET", "/__sim/health");
  }

  async createAccount<P extends ProviderName>(input: CreateAccountInput & { provider: P }): Promise<AccountOf<P>> {
    return (await this.call<{ account: AccountOf<P> }>("POST", "/__sim/accounts", input)).account;
  }

  async listAccounts<P extends ProviderName>(provider?: P): Promise<AccountOf<P>[]> {
    const q = provider ? `?provider=${provider}` : "";
    return (await this.call<{ accounts: AccountOf<P>[] }>("GET", `/__sim/accounts${q}`)).accounts;
  }

  /** The account the simulator created for `provider` at start-up. */
  async defaultAccount<P extends ProviderName>(provider: P): Promise<AccountOf<P>> {
    const account = (await this.listAccounts(provider)).find((a) => a.isDefault);
    if (!account) throw new SimulatorClientError(404, `no default ${provider} account`);
    return account;
  }

  async getAccount(id: string): Promise<Account> {
    return (await this.call<{ account: Account }>("GET", `/__sim/accounts/${encodeURIComponent(id)}`)).account;
  }

  async updateAccount(id: string, patch: UpdateAccountInput): Promise<Account> {
    return (await this.call<{ account: Account }>("PATCH", `/__sim/accounts/${encodeURIComponent(id)}`, patch)).account;
  }

  async addFailureRule(input: FailureRuleInput): Promise<FailureRule> {
    return (await this.call<{ rule: FailureRule }>("POST", "/__sim/failures", input)).rule;
  }

  async listFailureRules(): Promise<FailureRule[]> {
    return (await this.call<{ rules: FailureRule[] }>("GET", "/__sim/failures")).rules;
  }

  async removeFailureRule(id: string): Promise<void> {
    await this.call("DELETE", `/__sim/failures/${encodeURIComponent(id)}`);
  }

  async clearFailureRules(): Promise<void> {
    await this.call("DELETE", "/__sim/failures");
  }

  async listRequests(filter?: ListFilter): Promise<RecordedRequest[]> {
    return (await this.call<{ requests: RecordedRequest[] }>("GET", `/__sim/requests${query(filter)}`)).requests;
  }

  async listMessages(filter?: ListFilter): Promise<SentMessage[]> {
    return (await this.call<{ messages: SentMessage[] }>("GET", `/__sim/messages${query(filter)}`)).messages;
  }

  async getMessage(id: string): Promise<SentMessage> {
    return (await this.call<{ message: SentMessage }>("GET", `/__sim/messages/${encodeURIComponent(id)}`)).message;
  }

  async listWebhookDeliveries(filter?: ListFilter): Promise<WebhookDelivery[]> {
    return (await this.call<{ deliveries: WebhookDelivery[] }>("GET", `/__sim/webhooks${query(filter)}`)).deliveries;
  }

  async triggerEvent(input: TriggerEventInput): Promise<WebhookDelivery[]> {
    return (await this.call<{ deliveries: WebhookDelivery[] }>("POST", "/__sim/events", input)).deliveries;
  }

  async triggerInbound(input: InboundInput): Promise<WebhookDelivery> {
    return (await this.call<{ delivery: WebhookDelivery }>("POST", "/__sim/inbound", input)).delivery;
  }

  async setAutoDelivery(enabled: boolean): Promise<void> {
    await this.call("PUT", "/__sim/auto-delivery", { enabled });
  }

  async flush(): Promise<void> {
    await this.call("POST", "/__sim/flush");
  }

  async reset(opts: { accounts?: boolean } = {}): Promise<void> {
    await this.call("POST", "/__sim/reset", opts);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const data: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const message =
        typeof data === "object" && data !== null && "error" in data ? String(data.error) : res.statusText;
      throw new SimulatorClientError(res.status, message);
    }
    return data as T;
  }
}

function query(filter?: ListFilter): string {
  if (!filter) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
